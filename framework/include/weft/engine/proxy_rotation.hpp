// weft::engine::proxy_rotation: which of a crawl's proxies the next attempt goes through.
//
// In turn, skipping a proxy that could not be reached until its back-off passes (1 s, 2 s,
// 4 s ... 5 min after consecutive failures), so one dead proxy in a list costs a few attempts,
// not a share of all of them. Only failures to reach the proxy or the site through it count
// (condition::network, condition::dns); HTTP statuses and timeouts say nothing certain about
// the proxy.
//
// @par Thread Safety
// Unsafe: one engine owns one rotation, on its loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace weft::engine
{

class proxy_rotation
{
public:
    using clock = std::chrono::steady_clock;

    explicit proxy_rotation(std::vector<std::string> proxies);

    /// The proxy for the next attempt: the next one in turn that is not backing off; when all
    /// are, the one whose back-off ends first. Requires: at least one proxy.
    std::string const& next(clock::time_point now);
    /// How an attempt through `proxy` ended. Returns the back-off a failure started (zero
    /// otherwise), for the log.
    clock::duration report(std::string const& proxy, bool unreachable, clock::time_point now);

    std::size_t size() const noexcept { return entries_.size(); }

private:
    struct entry
    {
        std::string url;
        int failures = 0; // in a row
        clock::time_point back_until{};
    };
    std::vector<entry> entries_;
    std::size_t next_ = 0;
};

} // namespace weft::engine
