#include <weft/async/task_group.hpp>

#include <weft/async/timeout_error.hpp>
#include <weft/async/with_timeout.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <list>

namespace weft
{

using handler_t = asio::any_completion_handler<void(boost::system::error_code)>;

struct task_group::impl
{
    struct child
    {
        asio::cancellation_signal signal;
        bool done = false;
    };

    explicit impl(executor e) : ex(std::move(e)) {}

    executor ex;
    // A list: each child's cancellation_signal must not move. Finished entries are reclaimed
    // on the next spawn, not inside the child's completion: co_spawn's cancellation proxy lives
    // in that signal and its coroutine is still unwinding when the completion handler runs.
    std::list<child> children;
    std::list<handler_t> waiters;
    std::size_t running = 0;
    std::exception_ptr first_error;
    bool cancelled = false;

    // clear_slot is false when called from the slot's own handler (clearing it would destroy
    // the running handler).
    static void complete(executor const& fallback, handler_t h, boost::system::error_code ec, bool clear_slot = true)
    {
        auto slot = asio::get_associated_cancellation_slot(h);
        if (clear_slot && slot.is_connected())
            slot.clear();
        // post + append keeps the handler's own associated executor (post dispatches to it).
        asio::post(fallback, asio::append(std::move(h), ec));
    }

    void child_finished(std::list<child>::iterator it, std::exception_ptr e)
    {
        it->done = true;
        --running;
        if (e && !first_error)
        {
            bool cancellation = false;
            try
            {
                std::rethrow_exception(e);
            }
            catch (boost::system::system_error const& se)
            {
                cancellation = se.code() == asio::error::operation_aborted;
            }
            catch (...)
            {
            }
            if (!cancellation)
                first_error = e;
        }
        if (running == 0)
        {
            auto ws = std::move(waiters);
            for (auto& w : ws)
                complete(ex, std::move(w), {});
        }
    }
};

task_group::task_group(executor ex) : impl_(std::make_shared<impl>(std::move(ex))) {}

task_group::~task_group()
{
    cancel(asio::cancellation_type::terminal);
}

executor task_group::get_executor() const noexcept
{
    return impl_->ex;
}

void task_group::spawn(task<void> child)
{
    impl_->children.remove_if([](impl::child const& c) { return c.done; });
    auto it = impl_->children.emplace(impl_->children.end());
    ++impl_->running;
    asio::co_spawn(impl_->ex, std::move(child),
                   asio::bind_cancellation_slot(it->signal.slot(),
                                                [g = impl_, it](std::exception_ptr e) { g->child_finished(it, e); }));
    if (impl_->cancelled)
        it->signal.emit(asio::cancellation_type::terminal);
}

void task_group::cancel(asio::cancellation_type type)
{
    if ((type & asio::cancellation_type::terminal) != asio::cancellation_type::none)
        impl_->cancelled = true;
    // emit() may complete a child's pending operation, never the child itself, so the list is
    // not modified while we walk it.
    for (auto& c : impl_->children)
        if (!c.done)
            c.signal.emit(type);
}

std::size_t task_group::size() const noexcept
{
    return impl_->running;
}

std::exception_ptr task_group::first_error() const noexcept
{
    return impl_->first_error;
}

void task_group::rethrow_if_error() const
{
    if (impl_->first_error)
        std::rethrow_exception(impl_->first_error);
}

void task_group::start_wait(std::shared_ptr<impl> i, handler_t h)
{
    if (i->running == 0)
    {
        impl::complete(i->ex, std::move(h), {});
        return;
    }
    auto slot = asio::get_associated_cancellation_slot(h);
    auto it = i->waiters.insert(i->waiters.end(), std::move(h));
    if (slot.is_connected())
    {
        slot.assign(
            [wi = std::weak_ptr<impl>(i), it](asio::cancellation_type)
            {
                auto g = wi.lock();
                if (!g)
                    return;
                auto w = std::move(*it);
                g->waiters.erase(it);
                impl::complete(g->ex, std::move(w), asio::error::operation_aborted, false);
            });
    }
}

task<bool> task_group::wait_for(std::chrono::steady_clock::duration limit)
{
    bool finished = true;
    try
    {
        co_await with_timeout(async_wait(asio::deferred), limit, "task_group wait");
    }
    catch (timeout_error const&)
    {
        finished = false;
    }
    co_return finished;
}

task<bool> task_group::shutdown(std::chrono::steady_clock::duration grace)
{
    cancel();
    co_return co_await wait_for(grace);
}

} // namespace weft
