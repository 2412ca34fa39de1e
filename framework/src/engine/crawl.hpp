// What the steps of one crawl share (docs/ARCHITECTURE.md, "The crawl data path"): the spider,
// the settings, the stats, the crawl state and the scheduler, and the few signals between the
// steps. Private to the engine; each step gets a reference to it and nothing else of the others.
#pragma once

#include <weft/engine/scheduler.hpp>
#include <weft/engine/settings.hpp>
#include <weft/engine/stats.hpp>
#include <weft/spider/spider.hpp>
#include <weft/state/crawl_state.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace weft::engine::detail
{

struct crawl_run
{
    crawl_run(executor e, weft::spider& sp, weft::engine::settings& s) : ex(std::move(e)), spider(sp), settings(s) {}

    executor ex;
    weft::spider& spider;
    weft::engine::settings& settings;
    weft::engine::stats stats;
    std::unique_ptr<state::crawl_state> state;
    std::unique_ptr<weft::engine::scheduler> scheduler;
    state::item_consumer* items_out = nullptr; ///< the item writer (streaming without a job directory)
    std::function<void(std::string const&)> log;
    std::function<void()> wake; ///< the dispatcher looks again (a lease ended, requests were added)
    bool stopping = false;
    std::size_t fetching = 0; ///< leased requests not past their download yet
    std::size_t active = 0;   ///< leased requests not completed yet
    std::set<state::lease_token> held; ///< their tokens, which the lease keeper extends
    std::string fatal; ///< why the crawl failed (a sink or the crawl state), once it has
    /// Why requests were left for a later run (crawl_context::give_up), one line per host.
    std::vector<std::string> given_up;

    void say(std::string const& msg) const
    {
        if (log)
            log(msg);
    }
    void fail(std::string why)
    {
        if (fatal.empty())
            fatal = std::move(why);
        if (wake)
            wake();
    }
};

/// operation_aborted or condition::cancelled: a stop, not a failure.
bool is_abort(error_code ec);
bool is_abort(std::exception_ptr e);
/// The crawl state failed (its server unreachable or refusing, its database failing), as
/// opposed to a callback or a middleware: the crawl stops, and no lease may end as if its page
/// were done (its discoveries may not all have been added).
bool is_state_failure(std::exception_ptr e);
/// The exception's what(), for a message.
std::string describe(std::exception_ptr e);
/// "timeout", "network", "dns", ... for stats' errors_by_kind.
std::string error_kind(error_code ec);

/// Runs `t` on the crawl's executor without awaiting it; an exception ends the crawl as failed.
void spawn_checked(crawl_run& run, task<void> t, std::string what);

} // namespace weft::engine::detail
