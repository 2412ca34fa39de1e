#include <weft/state/host_controller.hpp>

#include <algorithm>

// The rules, precisely (the header says them in words):
//
// Concurrency: a start needs in_flight < limit. limit starts at policy.max_concurrency (>= 1).
//
// Delay: on_start sets next_start = max(next_start, now + gap), where
//     gap = max(jitter(delay), crawl_delay)
//     jitter(d) = d x uniform(0.5, 1.5) when randomize_delay and d > 0, else d.
// `delay` never goes below min_delay (settings::delay, raised by set_min_delay). The robots.txt
// Crawl-delay is a floor on the gap *after* jitter: jitter only ever lengthens it, so the host
// never sees two starts closer than its Crawl-delay (with delay == Crawl-delay the gap lies in
// [1, 1.5] x Crawl-delay). settings::delay itself is jittered below (0.5x), as Scrapy's
// RANDOMIZE_DOWNLOAD_DELAY does: the user chose it, the host did not ask for it.
// A Crawl-delay raised while a request is in flight also sets next_start = max(next_start,
// now + Crawl-delay): that request is the one that fetched robots.txt and reaches the host right
// after, though it started (on_start) before the Crawl-delay was known.
//
// Autothrottle (when enabled; delay starts at max(settings::delay, start_delay)): every fetched
// outcome, as engine::host_slot (Scrapy's extensions/throttle.py):
//     target = latency / target_concurrency
//     next   = clamp(max(target, (delay + target) / 2), min_delay, max(min_delay, max_delay))
//     delay  = next, unless the status is not 2xx and next < delay (a failure never speeds up).
//
// Backoff: a fetched 429 or 503 counts a backoff and holds every start on the host until
//     now + min(Retry-After, backoff_max)                 when the response had a Retry-After,
//     now + step, step = step ? min(2 step, backoff_max)   otherwise (doubling; the first step
//                              : min(backoff_base, backoff_max)   is backoff_base).
// A fetched 2xx/3xx sets step back to 0. back_off(d) holds until now + min(d, backoff_max) and
// counts a backoff. A hold never shortens an earlier, longer one.
//
// AIMD (when policy.adaptive_concurrency), on fetched outcomes:
//   - latency_ewma = 0.3 latency + 0.7 latency_ewma over 2xx/3xx (the first one sets it);
//     latency_floor = the lowest latency_ewma seen (the host at ease);
//   - "bad": 429, 503, any 5xx, status 0 (timeout, network error), or a 2xx/3xx with
//     latency_ewma > 4 latency_floor and latency_ewma > 500 ms (climbing; the 500 ms keeps a
//     fast host's noise, 2 ms -> 9 ms, from counting);
//   - bad: good_in_a_row = 0 and limit = max(1, limit / 2), unless the previous decrease was
//     less than max(latency_ewma, 1 s) ago (one window): a burst of errors from requests that
//     were in flight together is one signal, not limit-many;
//   - "good" (2xx/3xx, not climbing): after `limit` in a row, limit + 1 (at most max_concurrency);
//   - other statuses (4xx but 429, 1xx): the host answered normally; neither good nor bad.
//
// An outcome with fetched == false (a cache hit, no request reached the host) and on_abandon()
// only free the in-flight place: the host said nothing.

namespace weft::state
{

namespace
{

using clock = host_controller::clock;

constexpr double latency_alpha = 0.3;     // EWMA weight of the newest latency
constexpr double climbing_factor = 4.0;   // latency_ewma above this x the floor: overloaded...
constexpr double climbing_min_ms = 500.0; // ...and above this, so a fast host's noise is not
constexpr milliseconds min_window{1000};  // the shortest AIMD window

bool good_status(int status) noexcept
{
    return status >= 200 && status < 400;
}

bool throttling_status(int status) noexcept
{
    return status == 429 || status == 503;
}

bool failure_status(int status) noexcept
{
    return status == 0 || throttling_status(status) || (status >= 500 && status < 600);
}

} // namespace

host_policy host_policy::from(engine::settings const& s)
{
    host_policy p;
    p.max_concurrency = std::max<std::size_t>(1, s.per_host);
    p.delay = s.delay;
    p.randomize_delay = s.randomize_delay;
    p.autothrottle = s.autothrottle;
    p.adaptive_concurrency = s.adaptive_concurrency;
    p.backoff_base = s.backoff_base;
    p.backoff_max = s.retry_max_delay;
    p.robots_gate = s.obey_robots;
    return p;
}

host_controller::host_controller(host_policy const& p, std::uint64_t seed)
    : policy_(p), limit_(std::max<std::size_t>(1, p.max_concurrency)), min_delay_(p.delay),
      delay_(p.autothrottle.enabled ? std::max(p.delay, p.autothrottle.start_delay) : p.delay),
      robots_(p.robots_gate ? robots_readiness::unknown : robots_readiness::ready),
      rng_(static_cast<std::minstd_rand::result_type>(seed))
{
    policy_.max_concurrency = limit_;
}

bool host_controller::on_start(clock::time_point now)
{
    bool const opens = robots_ == robots_readiness::unknown;
    if (opens)
        robots_ = robots_readiness::opening;
    ++in_flight_;
    auto gap = delay_;
    if (policy_.randomize_delay && gap.count() > 0)
    {
        std::uniform_real_distribution<double> dist(0.5, 1.5);
        gap = milliseconds(static_cast<long long>(static_cast<double>(gap.count()) * dist(rng_)));
    }
    gap = std::max(gap, crawl_delay_);
    next_start_ = std::max(next_start_, now + gap);
    return opens;
}

void host_controller::on_finish(fetch_outcome const& o, clock::time_point now)
{
    on_abandon();
    if (!o.fetched)
        return;
    if (policy_.autothrottle.enabled)
        autothrottle(o);
    if (throttling_status(o.status))
    {
        ++backoffs_;
        if (o.retry_after)
            hold(*o.retry_after, now);
        else
        {
            auto const first = std::min(policy_.backoff_base, policy_.backoff_max);
            backoff_ = backoff_.count() > 0 ? std::min(2 * backoff_, policy_.backoff_max) : first;
            hold(backoff_, now);
        }
    }
    else if (good_status(o.status))
        backoff_ = milliseconds{0};
    if (policy_.adaptive_concurrency)
        adapt_concurrency(o, now);
}

void host_controller::on_abandon() noexcept
{
    if (in_flight_ > 0)
        --in_flight_;
}

void host_controller::set_min_delay(milliseconds d, clock::time_point now)
{
    if (d > crawl_delay_ && in_flight_ > 0)
        next_start_ = std::max(next_start_, now + d);
    min_delay_ = std::max(min_delay_, d);
    crawl_delay_ = std::max(crawl_delay_, d);
    delay_ = std::max(delay_, min_delay_);
}

void host_controller::back_off(milliseconds d, clock::time_point now)
{
    ++backoffs_;
    hold(d, now);
}

host_stats host_controller::snapshot(clock::time_point now) const
{
    host_stats s;
    s.in_flight = in_flight_;
    s.concurrency = limit_;
    s.delay = delay_;
    s.backoffs = backoffs_;
    if (now < hold_until_)
        s.backoff_for = std::chrono::ceil<milliseconds>(hold_until_ - now); // 0.2 ms left shows as 1, not 0
    return s;
}

void host_controller::autothrottle(fetch_outcome const& o)
{
    // Scrapy's AutoThrottle (extensions/throttle.py), as engine::host_slot::on_finish.
    auto const& t = policy_.autothrottle;
    auto target = milliseconds(static_cast<long long>(static_cast<double>(o.latency.count()) / t.target_concurrency));
    auto next = std::max(target, (delay_ + target) / 2);
    next = std::clamp(next, min_delay_, std::max(min_delay_, t.max_delay));
    bool const ok = o.status >= 200 && o.status < 300;
    if (!ok && next < delay_)
        return; // a failure never makes us faster
    delay_ = next;
}

void host_controller::adapt_concurrency(fetch_outcome const& o, clock::time_point now)
{
    bool const good = good_status(o.status);
    bool climbing = false;
    if (good)
    {
        auto const latency = static_cast<double>(o.latency.count());
        latency_ewma_ms_ = has_latency_ ? latency_alpha * latency + (1 - latency_alpha) * latency_ewma_ms_ : latency;
        latency_floor_ms_ = has_latency_ ? std::min(latency_floor_ms_, latency_ewma_ms_) : latency_ewma_ms_;
        has_latency_ = true;
        climbing = latency_ewma_ms_ > climbing_factor * latency_floor_ms_ && latency_ewma_ms_ > climbing_min_ms;
    }
    if (climbing || failure_status(o.status))
    {
        good_in_a_row_ = 0;
        decrease(now);
        return;
    }
    if (!good)
        return; // a 404 is the host answering normally: no signal either way
    if (++good_in_a_row_ >= limit_)
    {
        good_in_a_row_ = 0;
        limit_ = std::min(limit_ + 1, policy_.max_concurrency);
    }
}

void host_controller::decrease(clock::time_point now)
{
    auto const window = std::max(milliseconds(static_cast<long long>(latency_ewma_ms_)), min_window);
    if (last_decrease_ && now - *last_decrease_ < window)
        return; // the same burst: requests in flight together fail together
    last_decrease_ = now;
    limit_ = std::max<std::size_t>(1, limit_ / 2);
}

void host_controller::hold(milliseconds d, clock::time_point now)
{
    d = std::clamp(d, milliseconds{0}, std::max(milliseconds{0}, policy_.backoff_max));
    hold_until_ = std::max(hold_until_, now + d);
}

} // namespace weft::state
