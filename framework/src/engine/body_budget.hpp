// The crawl's in-flight body budget (settings::max_inflight_body_bytes): the bytes of response
// bodies held at once by requests being downloaded, decoded or parsed. The downloader charges
// each body as it learns its size and gives the bytes back when the page is done with.
//
// A charge that would pass the budget waits (async_acquire) or is refused (charge::try_grow),
// except when nothing else holds any bytes: a body larger than the whole budget proceeds alone, so
// the budget never deadlocks. Hence the bytes held stay within max(budget, the largest body).
//
// Waiters are served in order (a large charge is not starved by small ones behind it).
//
// Cancellation: async_acquire's wait ends with nullopt when its coroutine is cancelled or on
// cancel_waiters() (the crawl is stopping).
//
// Thread safety: none; one executor (the engine's).
#pragma once

#include <weft/async/task.hpp>

#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <deque>
#include <optional>

namespace weft::engine::detail
{

class body_budget
{
public:
    /// Bytes held by one response; given back when destroyed or released. Move-only.
    class charge
    {
    public:
        charge() = default;
        charge(charge&& o) noexcept;
        charge& operator=(charge&& o) noexcept;
        charge(charge const&) = delete;
        charge& operator=(charge const&) = delete;
        ~charge() { release(); }

        std::uint64_t bytes() const noexcept { return bytes_; }
        /// Adds `n` bytes when they fit in the budget, or when this charge is the only holder;
        /// else charges nothing and says false.
        bool try_grow(std::uint64_t n);
        /// Adds `n` bytes whatever the budget says (bytes already in memory, counted late).
        void grow(std::uint64_t n);
        /// Gives the bytes back and wakes the waiters they let in.
        void release() noexcept;

    private:
        friend class body_budget;
        charge(body_budget* b, std::uint64_t bytes) noexcept : budget_(b), bytes_(bytes) {}
        body_budget* budget_ = nullptr;
        std::uint64_t bytes_ = 0;
    };

    /// `limit` bytes (0: no limit; the peak is still measured).
    explicit body_budget(std::uint64_t limit) noexcept : limit_(limit) {}
    body_budget(body_budget const&) = delete;
    body_budget& operator=(body_budget const&) = delete;

    /// Waits until `bytes` fit (`bytes` 0: until the budget is not full) and charges them; nullopt
    /// when cancelled. Charges fit when nothing is held, or when they leave the total within the limit.
    task<std::optional<charge>> async_acquire(std::uint64_t bytes);
    /// Ends every wait (with nullopt): the crawl is stopping.
    void cancel_waiters();

    std::uint64_t limit() const noexcept { return limit_; }
    std::uint64_t used() const noexcept { return used_; }
    /// The most bytes held at once so far.
    std::uint64_t peak() const noexcept { return peak_; }
    std::size_t waiting() const noexcept { return waiters_.size(); }

private:
    struct waiter
    {
        std::uint64_t bytes = 0;
        asio::steady_timer* timer = nullptr;
        bool granted = false;
    };

    bool fits(std::uint64_t n) const noexcept;
    void take(std::uint64_t n) noexcept;
    void give_back(std::uint64_t n) noexcept;
    void grant_waiters() noexcept;
    void forget(waiter* w) noexcept;

    std::uint64_t limit_;
    std::uint64_t used_ = 0;
    std::uint64_t peak_ = 0;
    std::deque<waiter*> waiters_;
};

} // namespace weft::engine::detail
