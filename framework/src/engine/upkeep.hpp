// What runs beside the crawl's requests (docs/ARCHITECTURE.md, steps 3 and 9): the lease keeper,
// which extends the leases a live worker holds, the progress line, and the hosts' snapshot in
// the stats.
#pragma once

#include "engine/crawl.hpp"

#include <boost/asio/steady_timer.hpp>

namespace weft::engine::detail
{

/// The loops' timers, cancelled when the crawl closes.
struct upkeep_timers
{
    asio::steady_timer* keeper = nullptr;
    asio::steady_timer* progress = nullptr;
    void cancel()
    {
        for (auto* t : {keeper, progress})
            if (t)
                t->cancel();
    }
};

/// Extends every lease in run.held at a third of settings::effective_lease(), until `closing`.
task<void> keep_leases(crawl_run& run, bool const& closing, upkeep_timers& timers);
/// The progress line on stderr, every settings::progress_interval, until `closing`.
task<void> show_progress(crawl_run& run, bool const& closing, upkeep_timers& timers);
/// The busiest hosts' politeness into run.stats.hosts.
task<void> snapshot_hosts(crawl_run& run);

} // namespace weft::engine::detail
