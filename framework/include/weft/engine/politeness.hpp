// weft::engine::host_slot: one host's politeness; how many requests may be in flight and when
// the next may start (delay, robots crawl-delay, autothrottle).
#pragma once

#include <weft/engine/settings.hpp>

#include <chrono>
#include <cstddef>
#include <random>

namespace weft::engine
{

/// Scrapy's download slot. Pure bookkeeping (no I/O, no timers), so it is tested directly.
class host_slot
{
public:
    using clock = std::chrono::steady_clock;

    explicit host_slot(settings const& s);

    /// True when a request may start now.
    bool can_start(clock::time_point now) const noexcept { return in_flight_ < concurrency_ && now >= next_start_; }
    /// The earliest time a request may start (ignoring concurrency).
    clock::time_point ready_at() const noexcept { return next_start_; }
    bool saturated() const noexcept { return in_flight_ >= concurrency_; }

    /// A request starts now: counts it, and sets the next start time (delay, randomized).
    void on_start(clock::time_point now);
    /// A request finished after `latency` (time to response), with `status` (0: no response).
    void on_finish(std::chrono::milliseconds latency, int status);
    /// A floor for the delay (robots.txt crawl-delay).
    void set_min_delay(std::chrono::milliseconds d);
    /// Holds every start until `t` (Retry-After on 429/503).
    void backoff_until(clock::time_point t)
    {
        if (t > next_start_)
            next_start_ = t;
    }

    std::chrono::milliseconds delay() const noexcept { return delay_; }
    std::size_t in_flight() const noexcept { return in_flight_; }
    std::size_t concurrency() const noexcept { return concurrency_; }

private:
    std::size_t concurrency_;
    std::size_t in_flight_ = 0;
    std::chrono::milliseconds min_delay_;
    std::chrono::milliseconds delay_;
    bool randomize_;
    autothrottle_settings throttle_;
    clock::time_point next_start_{};
    std::minstd_rand rng_;
};

} // namespace weft::engine
