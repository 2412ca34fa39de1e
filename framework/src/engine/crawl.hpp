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
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace weft::engine::detail
{

struct crawl_run
{
    crawl_run(executor e, weft::spider& sp, weft::engine::settings& s) : ex(std::move(e)), spider(sp), settings(s) {}
    crawl_run(crawl_run const&) = delete;
    crawl_run& operator=(crawl_run const&) = delete;
    ~crawl_run();

    executor ex;
    weft::spider& spider;
    weft::engine::settings& settings;
    weft::engine::stats stats;
    std::unique_ptr<state::crawl_state> state;
    std::unique_ptr<weft::engine::scheduler> scheduler;
    /// In place of the spider's start_requests() (engine::set_start_requests).
    std::optional<std::vector<weft::request>> start_requests;
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
/// The crawl state failed (its server unreachable or refusing, its database failing, a request it
/// cannot store), as
/// opposed to a callback or a middleware: the crawl stops, and no lease may end as if its page
/// were done (its discoveries may not all have been added).
bool is_state_failure(std::exception_ptr e);
/// The exception's what(), for a message.
std::string describe(std::exception_ptr e);
/// "timeout", "network", "dns", ... for stats' errors_by_kind.
std::string error_kind(error_code ec);

/// How the crawl state stores requests (state::request_codec): callbacks and errbacks by the
/// spider's names for them (spider::callback_name). `in_process`: the state is this process's
/// memory, whose spill file dies with it, and a callback with no name waits in a table beside it.
/// Otherwise (a job directory, a shared crawl) such a request is refused with
/// error::unresumable_callback, a state failure: the crawl stops before storing it and the page
/// that yielded it is fetched again on resume. A stored name the spider does not have is refused
/// the same way when the request is read back, never replaced by parse.
state::request_codec make_request_codec(weft::spider& sp, bool in_process);

/// Points the spider's logger and counters (spider::log(), spider::stats()) into this crawl:
/// lines at settings::log_level and above to stderr, warnings and errors counted, counters
/// in stats' "custom". Undone when the run ends.
void attach_spider_tools(crawl_run& run);

/// Runs `t` on the crawl's executor without awaiting it; an exception ends the crawl as failed.
void spawn_checked(crawl_run& run, task<void> t, std::string what);

} // namespace weft::engine::detail
