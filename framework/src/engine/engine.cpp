// The engine: setup and dispatch (steps 1 and 3 of docs/ARCHITECTURE.md). The other steps each
// have a file: downloader.cpp (4, 5), scraper.cpp (6, 7), item_writer.cpp (8), request_task.cpp
// (one lease from download to completion); the crawl state (step 2's queue and step 3's
// politeness) is weft/state/.
#include <weft/engine/engine.hpp>

#include <weft/async/task_group.hpp>
#include <weft/http/proxy.hpp>
#include <weft/middleware/builtin.hpp>
#include <weft/state/backend_registry.hpp>
#include <weft/state/job_state.hpp>
#include <weft/state/memory_state.hpp>

#include "engine/crawl.hpp"
#include "engine/downloader.hpp"
#include "engine/fetcher_stack.hpp"
#include "engine/item_writer.hpp"
#include "engine/metrics_server.hpp"
#include "engine/metrics_text.hpp"
#include "engine/request_task.hpp"
#include "engine/scraper.hpp"
#include "engine/upkeep.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fmt/format.h>

#include <cstdio>

namespace weft::engine
{

using namespace detail;

namespace
{
using clock = std::chrono::steady_clock;

// Hosts shown per scrape of --metrics.
constexpr std::size_t busiest_in_metrics = 20;

} // namespace

int crawl_result::exit_code(double max_error_ratio) const
{
    if (reason == "stopped")
        return 130;
    if (reason == "failed" || !given_up.empty())
        return 1;
    auto outcomes = stats.responses + stats.errors;
    if (stats.errors > 0 && outcomes > 0 &&
        static_cast<double>(stats.errors) / static_cast<double>(outcomes) > max_error_ratio)
        return 1;
    return 0;
}

struct engine::impl
{
    impl(executor e, weft::spider& sp, weft::engine::settings s)
        : settings_(std::move(s)), run(e, sp, settings_), group(e), aux(e), wake(e)
    {
        run.wake = [this]
        {
            woken = true; // seen even when the dispatcher is not waiting yet (it awaits the state)
            wake.cancel();
        };
    }

    task<void> setup();
    task<std::unique_ptr<state::crawl_state>> open_shared_state();
    void start_metrics();
    task<std::string> metrics_text();
    task<void> run_crawl();
    task<std::string> dispatch();
    task<void> wait_for_requests(std::string const& reason);
    task<void> close(std::string reason);

    weft::engine::settings settings_;
    crawl_run run;
    std::unique_ptr<http::fetcher> fetcher; // set_fetcher's, until setup
    std::vector<std::unique_ptr<sink>> sinks;
    std::vector<std::unique_ptr<item_pipeline>> pipelines;
    middleware_chain chain;
    spider_middleware_chain spider_chain;
    engine* owner = nullptr; // for spider::install
    std::unique_ptr<state::crawl_state> injected_state;
    std::vector<std::unique_ptr<sink>> unused_sinks; // a state that keeps its items: never opened
    std::unique_ptr<metrics_server> metrics;

    std::unique_ptr<downloader> dl;
    std::unique_ptr<scraper> sc;
    std::unique_ptr<item_writer> writer;
    task_group group; // start requests and leased requests
    task_group aux;   // writer, lease keeper, progress
    asio::steady_timer wake;
    upkeep_timers timers;
    bool start_done = false;
    bool woken = false;
    bool closing = false;
    crawl_result result;
};

// A shared crawl (`--frontier`): the backend registered for the address's scheme, opened before
// any page is fetched. Its errors name the address, never its password.
task<std::unique_ptr<state::crawl_state>> engine::impl::open_shared_state()
{
    auto const& address = settings_.frontier;
    auto const shown = http::redact_credentials(address);
    if (!settings_.job_dir.empty())
        throw std::invalid_argument("--frontier " + shown + " and --job-dir " + settings_.job_dir.string() +
                                    " exclude each other: a shared crawl keeps its state in the shared store; "
                                    "drop --job-dir");
    state::backend_address where{address, settings_.crawl_id};
    auto opened = co_await state::async_open_backend(run.ex, std::move(where), settings_, make_request_codec(run.spider, false));
    co_return opened;
}

// --metrics: listening before the first fetch, so a bad address stops the crawl before it starts.
void engine::impl::start_metrics()
{
    if (settings_.metrics.empty())
        return;
    metrics = std::make_unique<metrics_server>(run.ex, parse_listen_address(settings_.metrics),
                                               [this] { return metrics_text(); });
    // Always said, even with progress off: with port 0 it is the only way to find the server.
    std::fprintf(stderr, "weft: metrics on %s\n", metrics->url().c_str());
}

task<std::string> engine::impl::metrics_text()
{
    metrics_snapshot m;
    m.crawl = &run.stats;
    m.counters = co_await run.state->async_counters();
    m.hosts = co_await run.state->async_busiest_hosts(busiest_in_metrics);
    m.in_flight = run.fetching;
    m.running = run.active;
    m.backend = std::string(run.state->name());
    if (!settings_.frontier.empty())
        m.crawl_id = settings_.crawl_id;
    co_return render_metrics(m);
}

task<void> engine::impl::setup()
{
    run.spider.attach(run.ex, &settings_);
    attach_spider_tools(run);
    if (settings_.allowed_hosts.empty())
        settings_.allowed_hosts = run.spider.allowed_hosts();
    start_metrics();
    auto fetchers = make_fetcher_stack(run.ex, settings_, std::move(fetcher), run.log);
    if (injected_state)
        run.state = std::move(injected_state);
    else if (!settings_.frontier.empty())
        run.state = co_await open_shared_state();
    else if (!settings_.job_dir.empty())
        run.state = state::open_job_state(settings_.job_dir, settings_, make_request_codec(run.spider, false));
    else
        run.state = state::make_memory_state(settings_, make_request_codec(run.spider, true));
    run.scheduler = std::make_unique<scheduler>(settings_, run.stats);
    // A state that keeps its items (Redis) commits them with each completion; the sinks are not
    // opened (not truncated either): `weft export` or the caller writes them from the state.
    writer = std::make_unique<item_writer>(run.ex, settings_, run.stats, sinks);
    writer->on_failure = [this](std::string const& why) { run.fail(why); };
    if (run.state->attach_item_consumer(writer.get()))
        run.items_out = writer.get();
    else
        unused_sinks = std::exchange(sinks, {});
    if (auto* journal = run.state->journal())
    {
        if (auto saved = journal->saved_stats(); !saved.is_null())
            run.stats.merge_from(saved);
        writer->recover(*journal);
    }
    run.spider.install(*owner);
    middleware::install_defaults(chain, settings_);
    dl = std::make_unique<downloader>(run, chain, std::move(fetchers));
    sc = std::make_unique<scraper>(run, *dl, spider_chain, pipelines);
}

// Step 3: lease what may start, run each lease as its own task, until nothing is left.
task<std::string> engine::impl::dispatch()
{
    auto const lease_for = settings_.effective_lease();
    while (true)
    {
        woken = false;
        if (!run.fatal.empty())
            co_return "failed";
        if (run.stopping)
            co_return "stopped";
        auto const max = settings_.max_pages;
        bool limit = max > 0 && run.stats.pages >= max;
        std::optional<std::chrono::milliseconds> next_in;
        // active (fetched or fetching, callback not done) bounded at 2x, not 4x, the concurrency:
        // every page past its download keeps its response and DOM until its callback's outputs
        // are routed; at 4x the docs spider held ~70 documents (peak RSS ~270 vs ~195 MB on
        // python docs), with no gain in speed.
        if (!limit && run.fetching < settings_.concurrency && run.active < settings_.concurrency * 2)
        {
            auto want = settings_.concurrency - run.fetching;
            if (max > 0)
                want = std::min<std::uint64_t>(want, max - run.stats.pages);
            auto batch = co_await run.state->async_lease(want, lease_for);
            next_in = batch.next_in;
            for (auto& l : batch.leases)
            {
                if (l.req.attempts() == 0)
                    ++run.stats.pages;
                group.spawn(run_request(run, *dl, *sc, std::move(l)));
            }
            limit = max > 0 && run.stats.pages >= max;
        }
        if (run.active == 0 && start_done && (limit || co_await run.state->async_finished()))
            co_return limit ? "max_pages" : "finished";
        if (std::exchange(woken, false))
            continue;
        if (auto const poll = run.state->poll_interval(); poll && (!next_in || *poll < *next_in))
            next_in = poll; // another worker may add, complete or free a host meanwhile
        if (next_in)
            wake.expires_after(*next_in);
        else
            wake.expires_at(clock::time_point::max());
        co_await wake.async_wait(asio::as_tuple(asio::deferred));
    }
}

// In-flight requests end: all of them when the crawl finished; when it is stopping or failed,
// fetches are aborted and callbacks already running get a grace period.
task<void> engine::impl::wait_for_requests(std::string const& reason)
{
    if (reason != "stopped" && reason != "failed")
    {
        co_await group.async_wait();
        co_return;
    }
    dl->abort_all();
    if (!co_await group.wait_for(std::chrono::seconds(5)))
        co_await group.shutdown(std::chrono::seconds(5));
}

task<void> engine::impl::close(std::string reason)
{
    co_await wait_for_requests(reason);
    closing = true;
    writer->close();
    timers.cancel();
    if (metrics)
        metrics->close();
    co_await aux.async_wait();
    co_await snapshot_hosts(run);
    run.stats.end = clock::now();
    result.reason = run.fatal.empty() ? reason : "failed";
    result.error = run.fatal;
    try
    {
        co_await run.spider.closed(result.reason);
        for (auto& p : pipelines)
            co_await p->closed(run.spider);
    }
    catch (...)
    {
        run.say(fmt::format("closing spider '{}': {}", run.spider.name(), describe(std::current_exception())));
    }
    if (auto err = co_await writer->async_close_sinks(); !err.empty() && result.error.empty())
    {
        result.reason = "failed";
        result.error = err;
    }
    if (auto* journal = run.state->journal(); journal && !writer->failed())
        journal->end_batch(run.stats.to_json());
    co_await run.state->async_flush();
    dl->shutdown();
    sc->shutdown();
    result.stats = run.stats;
    result.items_kept = run.items_out == nullptr;
    result.given_up = run.given_up;
}

task<void> engine::impl::run_crawl()
{
    co_await setup();
    co_await writer->async_open();
    for (auto& p : pipelines)
        co_await p->opened(run.spider);
    co_await run.spider.opened();
    auto start = [](impl* self) -> task<void>
    {
        try
        {
            co_await self->sc->async_start();
        }
        catch (...)
        {
            auto const e = std::current_exception();
            if (is_state_failure(e))
                self->run.fail("crawl state (" + std::string(self->run.state->name()) + "): " + describe(e));
            else if (!is_abort(e))
                self->run.say(fmt::format("start_requests of spider '{}' failed: {}", self->run.spider.name(),
                                          describe(e)));
        }
        self->start_done = true;
        self->run.wake();
    };
    group.spawn(start(this));
    aux.spawn(writer->async_run());
    aux.spawn(keep_leases(run, closing, timers));
    if (settings_.progress)
        aux.spawn(show_progress(run, closing, timers));
    if (metrics)
        aux.spawn(metrics->async_run());
    std::string reason = "failed";
    try
    {
        reason = co_await dispatch();
    }
    catch (...)
    {
        auto const e = std::current_exception();
        if (!is_state_failure(e))
            throw;
        run.fail("crawl state (" + std::string(run.state->name()) + "): " + describe(e));
    }
    co_await close(std::move(reason));
}

engine::engine(executor ex, weft::spider& spider, settings s)
    : impl_(std::make_unique<impl>(std::move(ex), spider, std::move(s)))
{
    impl_->run.log = [](std::string const& m) { std::fprintf(stderr, "weft: %s\n", m.c_str()); };
    impl_->owner = this;
}

engine::~engine() = default;

void engine::add_sink(std::unique_ptr<sink> s)
{
    impl_->sinks.push_back(std::move(s));
}
void engine::add_pipeline(std::unique_ptr<item_pipeline> p)
{
    impl_->pipelines.push_back(std::move(p));
}
void engine::add_middleware(std::unique_ptr<downloader_middleware> m)
{
    impl_->chain.add(std::move(m));
}
void engine::add_spider_middleware(std::unique_ptr<spider_middleware> m)
{
    impl_->spider_chain.add(std::move(m));
}
void engine::set_fetcher(std::unique_ptr<http::fetcher> f)
{
    impl_->fetcher = std::move(f);
}
void engine::set_state(std::unique_ptr<state::crawl_state> s)
{
    impl_->injected_state = std::move(s);
}
void engine::set_start_requests(std::vector<weft::request> requests)
{
    impl_->run.start_requests = std::move(requests);
}

void engine::on_log(std::function<void(std::string const&)> log)
{
    impl_->run.log = std::move(log);
}
settings const& engine::get_settings() const noexcept
{
    return impl_->settings_;
}
stats const& engine::current_stats() const noexcept
{
    return impl_->run.stats;
}
state::crawl_state* engine::current_state() noexcept
{
    return impl_->run.state.get();
}

void engine::stop()
{
    auto& i = *impl_;
    if (i.run.stopping)
        return;
    i.run.stopping = true;
    if (i.dl)
        i.dl->abort_all();
    i.run.wake();
}

namespace
{
struct run_state
{
    bool done = false;
    std::exception_ptr error;
};
} // namespace

task<crawl_result> engine::async_run()
{
    auto& i = *impl_;
    auto st = std::make_shared<run_state>();
    asio::steady_timer done_timer(i.run.ex, clock::time_point::max());
    // The crawl runs as its own coroutine: the caller's cancellation (weft::run on SIGINT) becomes
    // a graceful stop() instead of aborting the shutdown itself (sink flushes, the job commit).
    asio::co_spawn(i.run.ex, i.run_crawl(),
                   [st, &done_timer](std::exception_ptr e)
                   {
                       st->error = e;
                       st->done = true;
                       done_timer.cancel();
                   });
    while (!st->done)
    {
        co_await done_timer.async_wait(asio::as_tuple(asio::deferred));
        if (!st->done)
        {
            stop();
            co_await asio::this_coro::reset_cancellation_state();
        }
    }
    if (st->error)
        std::rethrow_exception(st->error);
    co_return i.result;
}

} // namespace weft::engine
