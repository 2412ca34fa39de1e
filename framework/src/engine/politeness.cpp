#include <weft/engine/politeness.hpp>

#include <algorithm>

namespace weft::engine
{

host_slot::host_slot(settings const& s)
    : concurrency_(std::max<std::size_t>(1, s.per_host)), min_delay_(s.delay),
      delay_(s.autothrottle.enabled ? std::max(s.delay, s.autothrottle.start_delay) : s.delay),
      randomize_(s.randomize_delay), throttle_(s.autothrottle), rng_(std::random_device{}())
{
}

void host_slot::on_start(clock::time_point now)
{
    ++in_flight_;
    auto d = delay_;
    if (randomize_ && d.count() > 0)
    {
        std::uniform_real_distribution<double> dist(0.5, 1.5);
        d = std::chrono::milliseconds(static_cast<long long>(static_cast<double>(d.count()) * dist(rng_)));
    }
    next_start_ = std::max(next_start_, now + d);
}

void host_slot::on_finish(std::chrono::milliseconds latency, int status)
{
    if (in_flight_ > 0)
        --in_flight_;
    if (!throttle_.enabled)
        return;
    // Scrapy's AutoThrottle (extensions/throttle.py).
    auto target = std::chrono::milliseconds(
        static_cast<long long>(static_cast<double>(latency.count()) / throttle_.target_concurrency));
    auto next = std::max(target, (delay_ + target) / 2);
    next = std::clamp(next, min_delay_, std::max(min_delay_, throttle_.max_delay));
    bool const ok = status >= 200 && status < 300;
    if (!ok && next < delay_)
        return; // a failure never makes us faster
    delay_ = next;
}

void host_slot::set_min_delay(std::chrono::milliseconds d)
{
    min_delay_ = std::max(min_delay_, d);
    delay_ = std::max(delay_, min_delay_);
}

} // namespace weft::engine
