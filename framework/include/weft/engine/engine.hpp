// weft::engine::engine: runs a spider; the crawl data path of docs/ARCHITECTURE.md, steps 1 to 9.
#pragma once

#include <weft/async/task.hpp>
#include <weft/engine/settings.hpp>
#include <weft/engine/stats.hpp>
#include <weft/http/fetcher.hpp>
#include <weft/middleware/middleware.hpp>
#include <weft/middleware/pipeline.hpp>
#include <weft/middleware/spider_middleware.hpp>
#include <weft/sink/sink.hpp>
#include <weft/spider/spider.hpp>
#include <weft/state/crawl_state.hpp>

#include <functional>
#include <memory>
#include <string>

namespace weft::engine
{

/// How a crawl ended.
struct crawl_result
{
    std::string reason; ///< "finished", "max_pages", "stopped", "failed"
    engine::stats stats;
    std::string error; ///< for "failed": what went wrong (a sink or job store error)
    /// The crawl state kept the items itself (a shared one: Redis) instead of handing them to the
    /// sinks, which were not opened; read them with crawl_state::async_read_items
    /// (<weft/engine/export_items.hpp>) through engine::current_state().
    bool items_kept = false;
    /// Why requests were left for a later run (a host's robots.txt stayed unreachable), one line
    /// per host; any makes the exit code 1.
    std::vector<std::string> given_up;

    /// 0 finished (errors within settings::max_error_ratio), 1 errors over it, requests given
    /// up or failed, 130 stopped.
    int exit_code(double max_error_ratio) const;
};

/// Runs one spider to completion.
///
///     weft::engine::settings s;
///     s.concurrency = 32;
///     weft::engine::engine eng(ex, spider, s);
///     eng.add_sink(weft::make_sink_for_path("out.jsonl", ex));
///     auto result = co_await eng.async_run();
///
/// Every request ends in exactly one outcome: a response handed to its callback, an error after
/// retries (the errback), filtered (duplicate, offsite, depth, rule, robots), or left in the job
/// directory's frontier when the crawl stops. Items go through the pipelines to every sink; with a
/// job directory a request's outcome is recorded only after the sinks acknowledged its items.
///
/// The crawl data path, step by step, and which file holds each: docs/ARCHITECTURE.md.
///
/// Concurrency: one executor runs the engine, the fetcher and the callbacks (single-threaded);
/// with settings::parse_workers > 0 the DOM and the link scan of HTML pages are built on a pool
/// before the callback runs.
///
/// Cancellation: stop(), or cancelling the awaiting task (weft::run does it on SIGINT), stops
/// gracefully: no new fetch starts, the ones in flight are aborted and left in the job
/// directory, sinks are flushed and closed, and the result's reason is "stopped".
///
/// Errors: async_run throws only for a setup failure, before any page is fetched (a sink or a job
/// store that does not open, a bad regex; std::invalid_argument for --frontier with --job-dir or
/// an address no backend is registered for; weft::system_error naming the address, never its
/// password, for a shared crawl state that cannot be opened (weft::error::state_unavailable,
/// state_refused) or a --metrics address that cannot be listened on); later failures end the
/// crawl with reason "failed".
class engine final : public crawl_extensions
{
public:
    engine(executor ex, weft::spider& spider, settings s);
    ~engine();
    engine(engine const&) = delete;
    engine& operator=(engine const&) = delete;

    /// Before async_run. Sinks are opened (append mode when resuming a job) and closed by the engine;
    /// with a crawl state that keeps its items (crawl_result::items_kept) they are not used.
    void add_sink(std::unique_ptr<sink> s);
    void add_pipeline(std::unique_ptr<item_pipeline> p) override;
    /// Adds a middleware to the chain (the built-ins are installed by async_run from the settings
    /// unless one of that name was added).
    void add_middleware(std::unique_ptr<downloader_middleware> m) override;
    /// Adds a spider middleware (hooks around the callbacks).
    void add_spider_middleware(std::unique_ptr<spider_middleware> m) override;
    /// Starts from `requests` instead of the spider's start_requests() (`weft parse`: one URL
    /// for a chosen callback). Before async_run.
    void set_start_requests(std::vector<weft::request> requests);
    /// Uses `f` instead of making settings::fetcher (for tests and custom fetchers).
    void set_fetcher(std::unique_ptr<http::fetcher> f);
    /// Uses `s` as the crawl state instead of the one the settings choose (memory, or the job
    /// directory's): another backend, such as Redis.
    void set_state(std::unique_ptr<state::crawl_state> s);
    /// Called with a message for each request that failed after retries (default: stderr unless quiet).
    void on_log(std::function<void(std::string const&)> log);

    task<crawl_result> async_run();
    /// Graceful stop (see the class comment). Safe from the engine's executor only.
    void stop();

    settings const& get_settings() const noexcept;
    stats const& current_stats() const noexcept;
    /// The crawl state async_run opened (memory, the job directory's, or settings::frontier's
    /// backend); nullptr before. Alive until the engine is destroyed: after async_run, the
    /// caller may read the items a shared state kept.
    state::crawl_state* current_state() noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace weft::engine
