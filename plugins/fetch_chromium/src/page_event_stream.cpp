// page::events: a page's events as an asynchronous stream with a bounded buffer.
#include <weft/chromium/page.hpp>

#include "page_impl.hpp"

#include <weft/async/timeout_error.hpp>

#include <deque>

namespace weft::chromium
{

namespace detail
{

struct event_queue
{
    event_predicate match;
    std::size_t capacity = 1024;
    std::deque<page_event> events;
    std::size_t dropped = 0;
    // page_impl::listeners holds it weakly: the stream's end unsubscribes.
    std::shared_ptr<std::function<void(page_event const&)>> listener;
};

namespace
{

task<std::optional<page_event>> next_event(std::shared_ptr<page_impl> p, std::shared_ptr<event_queue> q,
                                           milliseconds timeout)
{
    auto const deadline = timeout.count() > 0 ? clock::now() + timeout : clock::time_point::max();
    for (;;)
    {
        if (!q->events.empty())
        {
            auto e = std::move(q->events.front());
            q->events.pop_front();
            co_return e;
        }
        if (p->closed || !p->conn->is_open())
            co_return std::nullopt;
        if (!co_await p->changed.async_wait(deadline) && q->events.empty())
            throw timeout_error("the next page event", timeout);
    }
}

} // namespace

} // namespace detail

event_predicate events_of(page_event_kind kind)
{
    return [kind](page_event const& e) { return e.kind == kind; };
}

event_stream::event_stream(std::shared_ptr<detail::page_impl> page, std::shared_ptr<detail::event_queue> queue) noexcept
    : page_(std::move(page)), queue_(std::move(queue))
{
}

event_stream::event_stream(event_stream&&) noexcept = default;
event_stream& event_stream::operator=(event_stream&&) noexcept = default;
event_stream::~event_stream() = default;

task<std::optional<page_event>> event_stream::async_next(std::chrono::milliseconds timeout)
{
    return detail::next_event(page_, queue_, timeout);
}

std::size_t event_stream::dropped() const noexcept
{
    return queue_ ? queue_->dropped : 0;
}

std::size_t event_stream::pending() const noexcept
{
    return queue_ ? queue_->events.size() : 0;
}

event_stream page::events(event_predicate match, std::size_t capacity)
{
    auto q = std::make_shared<detail::event_queue>();
    q->match = std::move(match);
    q->capacity = std::max<std::size_t>(capacity, 1);
    std::weak_ptr<detail::event_queue> w = q;
    q->listener = std::make_shared<std::function<void(page_event const&)>>(
        [w](page_event const& e)
        {
            auto q = w.lock();
            if (!q || (q->match && !q->match(e)))
                return;
            if (q->events.size() >= q->capacity)
            {
                q->events.pop_front();
                ++q->dropped;
            }
            q->events.push_back(e);
        });
    impl_->listeners.push_back(q->listener);
    return event_stream(impl_, std::move(q));
}

} // namespace weft::chromium
