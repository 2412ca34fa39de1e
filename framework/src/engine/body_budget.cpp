#include "engine/body_budget.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>

namespace weft::engine::detail
{

body_budget::charge::charge(charge&& o) noexcept
    : budget_(std::exchange(o.budget_, nullptr)), bytes_(std::exchange(o.bytes_, 0))
{
}

body_budget::charge& body_budget::charge::operator=(charge&& o) noexcept
{
    if (this != &o)
    {
        release();
        budget_ = std::exchange(o.budget_, nullptr);
        bytes_ = std::exchange(o.bytes_, 0);
    }
    return *this;
}

bool body_budget::charge::try_grow(std::uint64_t n)
{
    if (!budget_ || n == 0)
        return n == 0;
    auto& b = *budget_;
    bool const alone = b.used_ == bytes_; // nobody else holds anything
    if (!alone && b.limit_ > 0 && b.used_ + n > b.limit_)
        return false;
    b.take(n);
    bytes_ += n;
    return true;
}

void body_budget::charge::grow(std::uint64_t n)
{
    if (!budget_)
        return;
    budget_->take(n);
    bytes_ += n;
}

void body_budget::charge::release() noexcept
{
    if (auto* b = std::exchange(budget_, nullptr))
        b->give_back(std::exchange(bytes_, 0));
    bytes_ = 0;
}

bool body_budget::fits(std::uint64_t n) const noexcept
{
    return limit_ == 0 || used_ == 0 || used_ + std::max<std::uint64_t>(n, 1) <= limit_;
}

void body_budget::take(std::uint64_t n) noexcept
{
    used_ += n;
    peak_ = std::max(peak_, used_);
}

void body_budget::give_back(std::uint64_t n) noexcept
{
    used_ -= std::min(used_, n);
    grant_waiters();
}

// In order: the first waiter that does not fit holds the ones behind it.
void body_budget::grant_waiters() noexcept
{
    while (!waiters_.empty() && fits(waiters_.front()->bytes))
    {
        auto* w = waiters_.front();
        waiters_.pop_front();
        take(w->bytes);
        w->granted = true;
        w->timer->cancel();
    }
}

void body_budget::forget(waiter* w) noexcept
{
    if (auto it = std::find(waiters_.begin(), waiters_.end(), w); it != waiters_.end())
    {
        bool const first = it == waiters_.begin();
        waiters_.erase(it);
        if (first)
            grant_waiters(); // it held the others
    }
}

void body_budget::cancel_waiters()
{
    auto const all = std::exchange(waiters_, {});
    for (auto* w : all)
        w->timer->cancel(); // not granted: they end with nullopt
}

task<std::optional<body_budget::charge>> body_budget::async_acquire(std::uint64_t bytes)
{
    if (waiters_.empty() && fits(bytes))
    {
        take(bytes);
        co_return charge(this, bytes);
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::steady_clock::time_point::max());
    waiter w{bytes, &timer, false};
    waiters_.push_back(&w);
    // Granted bytes not yet handed to a charge go back if the frame dies first (a shutdown).
    struct unregister
    {
        body_budget& b;
        waiter& w;
        ~unregister()
        {
            if (w.granted)
                b.give_back(w.bytes);
            else
                b.forget(&w);
        }
    } guard{*this, w};
    co_await timer.async_wait(asio::as_tuple(asio::deferred));
    if (!w.granted)
        co_return std::nullopt; // cancelled
    w.granted = false; // the charge holds the bytes now
    co_return charge(this, bytes);
}

} // namespace weft::engine::detail
