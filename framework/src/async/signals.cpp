#include <weft/async/signals.hpp>

#include "async/exit_hook.hpp"

#include <boost/asio/signal_set.hpp>

#include <atomic>
#include <csignal>
#include <unistd.h>

namespace weft
{

namespace
{

std::atomic<bool> g_stop_requested{false};
std::atomic<void (*)()> g_exit_hook{nullptr};

extern "C" void exit_now(int)
{
    if (auto hook = g_exit_hook.load())
        hook();
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
    impl(executor ex, std::function<void(int)> cb) : set(ex, SIGINT, SIGTERM), on_stop(std::move(cb))
    {
        // Not in signals.hpp's list yet (its users would all rebuild): a closed terminal or ssh
        // session stops cleanly (resumable), as SIGTERM does.
        set.add(SIGHUP);
    }

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
            set_disposition(SIGHUP, exit_now);
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
        set_disposition(SIGHUP, SIG_DFL);
        impl_->raw_installed = false;
    }
}

int stop_signals::signal_number() const noexcept
{
    return impl_->signo;
}

void detail::on_exit_now(void (*f)()) noexcept
{
    g_exit_hook = f;
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
