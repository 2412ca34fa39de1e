#include "engine/upkeep.hpp"

#include <weft/engine/progress.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>

#include <cstdio>

namespace weft::engine::detail
{

namespace
{
// Hosts reported in the stats JSON.
constexpr std::size_t busiest_reported = 10;
} // namespace

// A live worker's leases never expire: only a dead or stalled one's do.
task<void> keep_leases(crawl_run& run, bool const& closing, upkeep_timers& timers)
{
    auto const length = run.settings.effective_lease();
    asio::steady_timer t(run.ex);
    timers.keeper = &t;
    while (!closing)
    {
        t.expires_after(length / 3);
        co_await t.async_wait(asio::as_tuple(asio::deferred));
        if (closing || run.held.empty())
            continue;
        std::vector<state::lease_token> tokens(run.held.begin(), run.held.end());
        co_await run.state->async_extend(std::move(tokens), length);
    }
    timers.keeper = nullptr;
}

task<void> show_progress(crawl_run& run, bool const& closing, upkeep_timers& timers)
{
    progress p(stderr);
    auto interval = std::chrono::milliseconds(p.is_tty() ? 1000 : 10000);
    if (run.settings.progress_interval.count() > 0)
        interval = run.settings.progress_interval;
    asio::steady_timer t(run.ex);
    timers.progress = &t;
    while (!closing)
    {
        t.expires_after(interval);
        co_await t.async_wait(asio::as_tuple(asio::deferred));
        if (closing)
            break;
        auto c = co_await run.state->async_counters();
        p.print(run.stats, progress_snapshot{static_cast<std::size_t>(c.pending + c.delayed), run.fetching});
    }
    timers.progress = nullptr;
    p.finish();
}

task<void> snapshot_hosts(crawl_run& run)
{
    auto hosts = co_await run.state->async_busiest_hosts(busiest_reported);
    auto j = nlohmann::json::array();
    for (auto const& h : hosts)
        j.push_back(state::to_json(h));
    run.stats.hosts = std::move(j);
}

} // namespace weft::engine::detail
