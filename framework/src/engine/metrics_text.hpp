// The crawl's metrics in the Prometheus text exposition format, version 0.0.4 (served by
// metrics_server.hpp on `--metrics HOST:PORT`): a pure function of the engine's stats and the
// crawl state's counters and busiest hosts, so that it is tested without a server.
//
// Names follow Prometheus' conventions: a `weft_` prefix, the unit in the name (seconds, bytes),
// counters end in `_total`; each family has `# HELP` and `# TYPE` before its samples; label
// values are escaped (backslash, double quote, line feed).
#pragma once

#include <weft/engine/stats.hpp>
#include <weft/state/crawl_state.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace weft::engine::detail
{

/// What one scrape shows.
struct metrics_snapshot
{
    stats const* crawl = nullptr;       ///< this process's counts (required)
    state::counters counters;           ///< the crawl state's (all workers' for a shared one)
    std::vector<state::host_stats> hosts; ///< the busiest hosts now
    std::size_t in_flight = 0;          ///< leased requests not past their download (this process)
    std::size_t running = 0;            ///< leased requests not completed yet (this process)
    std::string backend;                ///< the crawl state's name ("memory", "job", "redis")
    std::string crawl_id;               ///< empty for a local crawl
};

/// The exposition text, "\n"-terminated lines.
std::string render_metrics(metrics_snapshot const& m);

/// A label value escaped as the format requires: `\` -> `\\`, `"` -> `\"`, line feed -> `\n`.
std::string escape_label_value(std::string_view v);

} // namespace weft::engine::detail
