// weft::state::host_controller: one host's politeness, the one place that decides when the next
// request to a host may start (docs/ARCHITECTURE.md, "Per-host control").
//
// It combines, per host:
//   - concurrency: at most `limit()` requests in flight; the limit starts at settings::per_host
//     and adapts (AIMD): halved when the host answers 429/503 or fails (timeouts, network
//     errors, 5xx), or when its latency climbs far above what it was (an overloaded server);
//     raised by one after `limit()` good responses in a row, up to settings::per_host;
//   - delay between two starts: settings::delay, randomized 0.5-1.5x (Scrapy's
//     RANDOMIZE_DOWNLOAD_DELAY), never below a robots.txt Crawl-delay (set_min_delay);
//   - autothrottle (Scrapy's AutoThrottle): the delay follows latency / target concurrency;
//   - backoff: a 429 or 503 holds every start on the host (not only that request's retry) for its
//     Retry-After, or, without one, for a doubling backoff (base, 2 base, 4 base ... max) that
//     resets after a good response.
//
// Pure bookkeeping: no I/O, no timers, time passed in, so it is tested directly and the local
// backends use it as is (the Redis backend implements the same rules in its scripts).
//
// @par Thread safety
// None; its crawl state owns it.
#pragma once

#include <weft/engine/settings.hpp>
#include <weft/state/crawl_state.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>

namespace weft::state
{

/// The rules every host starts with, from the crawl's settings.
struct host_policy
{
    std::size_t max_concurrency = 8;           ///< settings::per_host (at least 1)
    milliseconds delay{0};                     ///< settings::delay
    bool randomize_delay = true;               ///< uniform(0.5, 1.5) x delay
    engine::autothrottle_settings autothrottle; ///< settings::autothrottle
    bool adaptive_concurrency = true;          ///< AIMD on errors and latency
    milliseconds backoff_base{1000};           ///< first backoff after a 429/503 without Retry-After
    milliseconds backoff_max{60000};           ///< cap on any backoff (settings::retry_max_delay)
    bool robots_gate = false;                  ///< settings::obey_robots: gate on robots.txt readiness

    static host_policy from(engine::settings const& s);
};

class host_controller
{
public:
    using clock = std::chrono::steady_clock;

    explicit host_controller(host_policy const& p, std::uint64_t seed = std::random_device{}());

    /// robots.txt readiness: `ready` from the start when the policy does not gate on it.
    enum class robots_readiness : std::uint8_t
    {
        unknown, ///< no robots.txt stored: the next start opens the host
        opening, ///< its opening request runs: nothing else starts
        ready,   ///< a robots.txt was stored for one of its origins
    };

    /// True when a request may start at `now`: below the limit, not opening, delay and backoff passed.
    bool can_start(clock::time_point now) const noexcept { return !blocked() && now >= ready_at(); }
    /// The earliest start time, ignoring concurrency and robots.txt readiness.
    clock::time_point ready_at() const noexcept { return std::max(next_start_, hold_until_); }
    bool saturated() const noexcept { return in_flight_ >= limit_; }
    /// Saturated or opening: only an event (a request ending, a robots.txt stored) lets one start.
    bool blocked() const noexcept { return saturated() || robots_ == robots_readiness::opening; }

    /// A request starts: counted in flight; the next start moves by the (jittered) delay. True
    /// when this start opened the host (robots.txt readiness was unknown): the caller calls
    /// robots_abandoned() if that request ends before a robots.txt was stored.
    bool on_start(clock::time_point now);
    /// A robots.txt of the host was stored: ready for good.
    void robots_stored() noexcept { robots_ = robots_readiness::ready; }
    /// The opening request ended without a robots.txt stored: unknown again (the next start opens it).
    void robots_abandoned() noexcept
    {
        if (robots_ == robots_readiness::opening)
            robots_ = robots_readiness::unknown;
    }
    robots_readiness robots() const noexcept { return robots_; }
    /// A started request ended with `o` (frees its place; feeds autothrottle, backoff and AIMD).
    void on_finish(fetch_outcome const& o, clock::time_point now);
    /// A started request was given back without an outcome (lease expired or released).
    void on_abandon() noexcept;
    /// robots.txt Crawl-delay: a floor for the delay. Raised while a request is in flight (the
    /// one that fetched the robots.txt, about to reach the host), it also holds the next start
    /// until now + d.
    void set_min_delay(milliseconds d, clock::time_point now);
    /// Holds every start until now + d (capped by the policy's backoff_max).
    void back_off(milliseconds d, clock::time_point now);

    std::size_t in_flight() const noexcept { return in_flight_; }
    std::size_t limit() const noexcept { return limit_; }
    milliseconds delay() const noexcept { return delay_; }
    std::uint64_t backoffs() const noexcept { return backoffs_; }
    /// in_flight, concurrency, delay, backoffs and the backoff left at `now` (host and pending unset).
    host_stats snapshot(clock::time_point now) const;

private:
    void autothrottle(fetch_outcome const& o);
    void adapt_concurrency(fetch_outcome const& o, clock::time_point now);
    void decrease(clock::time_point now);
    void hold(milliseconds d, clock::time_point now);

    host_policy policy_; // a copy: the policy it was built from may go away
    std::size_t limit_;
    std::size_t in_flight_ = 0;
    milliseconds min_delay_;      // delay_'s floor: settings::delay, raised by set_min_delay
    milliseconds crawl_delay_{0}; // set_min_delay's floor on the gap after jitter
    milliseconds delay_;
    milliseconds backoff_{0}; // the doubling backoff's current step (0: none)
    std::uint64_t backoffs_ = 0;
    clock::time_point next_start_{};
    clock::time_point hold_until_{};
    robots_readiness robots_;
    // AIMD state
    std::size_t good_in_a_row_ = 0;
    bool has_latency_ = false;
    double latency_ewma_ms_ = 0;
    double latency_floor_ms_ = 0; // the lowest smoothed latency seen: the host at ease
    std::optional<clock::time_point> last_decrease_;
    std::minstd_rand rng_;
};

} // namespace weft::state
