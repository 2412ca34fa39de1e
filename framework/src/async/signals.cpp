#include <weft/async/signals.hpp>

#include <boost/asio/signal_set.hpp>

#include <atomic>
#include <csignal>
#include <unistd.h>

namespace weft
{

namespace
{

std::atomic<bool> g_stop_requested{false};

extern "C" void exit_now(int)
{
    ::_exit(130);
}

void set_disposition(int signo, void (*handler)(int))
{
    struct sigaction sa = {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    ::sigaction(signo, &sa, nullptr);
}

} // namespace

struct stop_signals::impl
{
    impl(executor ex, std::function<void(int)> cb) : set(ex, SIGINT, SIGTERM), on_stop(std::move(cb)) {}

    asio::signal_set set;
    std::function<void(int)> on_stop;
    int signo = 0;
    bool raw_installed = false;
    bool cancelled = false;
};

stop_signals::stop_signals(executor ex, std::function<void(int)> on_stop)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(on_stop)))
{
    impl_->set.async_wait(
        [w = std::weak_ptr<impl>(impl_)](boost::system::error_code ec, int signo)
        {
            auto i = w.lock();
            if (ec || !i || i->cancelled)
                return;
            i->signo = signo;
            g_stop_requested = true;
            // Asio's handlers only write to a pipe the event loop reads; if the loop is stuck,
            // a second ^C must still work, so switch to a plain handler that exits.
            boost::system::error_code ignored;
            i->set.clear(ignored);
            set_disposition(SIGINT, exit_now);
            set_disposition(SIGTERM, exit_now);
            i->raw_installed = true;
            if (i->on_stop)
                i->on_stop(signo);
        });
}

stop_signals::~stop_signals()
{
    cancel();
}

void stop_signals::cancel()
{
    if (impl_->cancelled)
        return;
    impl_->cancelled = true;
    boost::system::error_code ignored;
    impl_->set.cancel(ignored);
    impl_->set.clear(ignored);
    if (impl_->raw_installed)
    {
        set_disposition(SIGINT, SIG_DFL);
        set_disposition(SIGTERM, SIG_DFL);
        impl_->raw_installed = false;
    }
}

int stop_signals::signal_number() const noexcept
{
    return impl_->signo;
}

bool stop_requested() noexcept
{
    return g_stop_requested.load();
}

void reset_stop_request() noexcept
{
    g_stop_requested = false;
}

} // namespace weft
