// weft crawl (URL... | SPIDER): run the crawl engine with the built-in site spider or a named one.
#include "commands.hpp"
#include "crawl_setup.hpp"
#include "job_identity.hpp"
#include "shared_state.hpp"

#include <weft/async/signals.hpp>
#include <weft/engine/engine.hpp>
#include <weft/engine/export_items.hpp>
#include <weft/engine/setting_keys.hpp>
#include <weft/http/fetcher_registry.hpp>
#include <weft/http/proxy.hpp>
#include <weft/plugin/loader.hpp>
#include <weft/plugin/registry.hpp>
#include <weft/sink/registry.hpp>
#include <weft/spider/spider.hpp>
#include <weft/state/backend_registry.hpp>
#include <weft/text/ascii.hpp>
#include <weft/url/domain.hpp>
#include <weft/url/resolve.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <regex>

namespace weft::cli
{
namespace
{

// A shared crawl state kept the items (all workers'). When the shared crawl finished and -o was
// given, they are exported (weft export's code); else they stay in the store, and the summary says
// how to write them.
task<int> write_kept_items(crawl_args const& a, engine::settings const& s, state::crawl_state& st,
                           std::string reason)
{
    auto const shown = http::redact_credentials(s.frontier);
    auto const outputs = all_outputs(a);
    if (!outputs.empty() && reason == "finished")
    {
        engine::export_options o;
        o.overwrite = a.overwrite;
        o.address = s.frontier;
        o.crawl_id = s.crawl_id;
        o.log = [](std::string const& m) { std::fprintf(stderr, "weft: %s\n", m.c_str()); };
        try
        {
            auto const done = co_await engine::async_export_items(st, outputs, o);
            if (!a.quiet)
                std::fprintf(stderr, "weft: %llu items of crawl %s exported from %s\n",
                             static_cast<unsigned long long>(done.items), s.crawl_id.c_str(), shown.c_str());
            co_return exit_ok;
        }
        catch (std::exception const& e)
        {
            std::fprintf(stderr, "weft: cannot export the crawl's items: %s\n", e.what());
            co_return exit_failure;
        }
    }
    auto const c = co_await st.async_counters();
    std::fprintf(stderr, "weft: %llu items kept in %s crawl %s; write them with `weft export %s --crawl-id %s -o FILE`\n",
                 static_cast<unsigned long long>(c.items), shown.c_str(), s.crawl_id.c_str(), shown.c_str(),
                 s.crawl_id.c_str());
    co_return exit_ok;
}

task<int> run_crawl(crawl_args const& a, prepared& p, engine::engine*& slot)
{
    auto ex = co_await asio::this_coro::executor;
    bool const resuming = !p.settings.job_dir.empty() && std::filesystem::exists(p.settings.job_dir / "job.db");
    // -o appends (Scrapy's -o); -O overwrites, but a resumed job goes on with its outputs.
    sink_options append, overwrite;
    append.mode = sink_options::open_mode::append;
    overwrite.mode = resuming ? sink_options::open_mode::append : sink_options::open_mode::truncate;
    engine::engine eng(ex, *p.sp, p.settings);
    slot = &eng;
    if (a.quiet)
        eng.on_log([](std::string const&) {});
    if (a.outputs.empty() && a.overwrite.empty())
        eng.add_sink(make_sink_for_path("-", ex, overwrite));
    for (auto const& o : a.outputs)
        eng.add_sink(make_sink_for_path(o, ex, append));
    for (auto const& o : a.overwrite)
        eng.add_sink(make_sink_for_path(o, ex, overwrite));
    auto result = co_await eng.async_run();
    slot = nullptr;
    if (!a.quiet || result.reason == "failed")
        std::fprintf(stderr, "weft: crawl %s: %s\n", result.reason.c_str(), result.stats.summary().c_str());
    if (!result.error.empty())
        std::fprintf(stderr, "weft: %s\n", result.error.c_str());
    for (auto const& why : result.given_up) // even with -q: the crawl is incomplete
        std::fprintf(stderr, "weft: %s\n", why.c_str());
    int export_rc = exit_ok;
    if (result.items_kept)
        export_rc = co_await write_kept_items(a, p.settings, *eng.current_state(), result.reason);
    if (!a.stats_file.empty())
    {
        nlohmann::json j = result.stats.to_json();
        j["reason"] = result.reason;
        j["spider"] = p.sp->name();
        if (!result.error.empty())
            j["error"] = result.error;
        std::ofstream f(a.stats_file);
        f << j.dump(2) << '\n';
        if (!f)
            std::fprintf(stderr, "weft: cannot write --stats file '%s'\n", a.stats_file.c_str());
    }
    auto const rc = result.exit_code(p.settings.max_error_ratio);
    co_return rc == exit_ok ? export_rc : rc;
}

int crawl_main(crawl_args const& a)
{
    auto p = prepare(a); // CLI::ValidationError: exit 2 naming the flag
    asio::io_context io(1);
    engine::engine* eng = nullptr;
    int rc = exit_failure;
    bool interrupted = false;
    // Not weft::run: the first ^C stops the crawl gracefully (in-flight requests put back, sinks
    // flushed) and the exit code is 130; a second ^C exits at once.
    stop_signals sig(io.get_executor(),
                     [&](int)
                     {
                         interrupted = true;
                         if (eng)
                             eng->stop();
                     });
    asio::co_spawn(io, run_crawl(a, p, eng),
                   [&](std::exception_ptr e, int code)
                   {
                       sig.cancel();
                       if (e)
                       {
                           try
                           {
                               std::rethrow_exception(e);
                           }
                           catch (std::invalid_argument const& x)
                           {
                               std::fprintf(stderr, "weft crawl: %s\n", x.what());
                               rc = exit_usage;
                               return;
                           }
                           catch (boost::system::system_error const& x)
                           {
                               std::fprintf(stderr, "weft crawl: %s\n", x.what());
                               rc = is_setup_error(x.code()) ? exit_usage : exit_failure;
                               return;
                           }
                           catch (std::exception const& x)
                           {
                               std::fprintf(stderr, "weft crawl: %s\n", x.what());
                           }
                           rc = exit_failure;
                           return;
                       }
                       rc = code;
                   });
    io.run();
    if (interrupted)
        return exit_interrupted;
    return rc;
}

} // namespace

void add_crawl_command(CLI::App& app, int& result)
{
    auto a = std::make_shared<crawl_args>();
    auto* cmd = app.add_subcommand("crawl", "Crawl URLs with the built-in site spider, or run a named spider");
    cmd->add_option("target", a->targets, "URL... (the site spider) or SPIDER (a spider's name: built in or a plugin)")
        ->required();
    cmd->add_option("-o,--output", a->outputs,
                    "Append items to FILE (.jsonl .json .csv .jsonl.gz .csv.gz .db; '-': stdout, the default) or to "
                    "postgresql://USER@HOST/DB[?table=T] (repeatable: every output gets every item)");
    cmd->add_option("-O,--overwrite-output", a->overwrite,
                    "Like -o, but overwrite FILE (a resumed --job-dir goes on with it instead; repeatable)");
    cmd->add_option("-c,--concurrency", a->concurrency, "Requests in flight overall (default 16)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--per-host", a->per_host, "Requests in flight per host (default 8)")->check(CLI::PositiveNumber);
    cmd->add_option("--delay", a->delay_ms, "Milliseconds between request starts on one host (randomized 0.5x-1.5x)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--autothrottle", a->autothrottle, "Adapt each host's delay to its latency (Scrapy's AutoThrottle)");
    cmd->add_option("--max-pages", a->max_pages, "Stop after N pages")->check(CLI::PositiveNumber);
    cmd->add_option("--max-depth", a->max_depth, "Follow links at most N deep (0: start URLs only)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--allow-host", a->allow_hosts, "Also crawl host H and its subdomains (repeatable)");
    cmd->add_option("--allow", a->allow, "Follow only URLs matching REGEX (repeatable)");
    cmd->add_option("--deny", a->deny, "Do not follow URLs matching REGEX (repeatable)");
    cmd->add_flag("--ignore-robots", a->ignore_robots, "Do not fetch or obey robots.txt");
    cmd->add_option("--timeout", a->timeout_s, "Seconds per attempt (default 60)")->check(CLI::PositiveNumber);
    cmd->add_option("--retries", a->retries, "Extra attempts after a failure (default 2)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--fetcher", a->fetcher, "Fetcher plugin (curl, beast, chromium, ...)");
    cmd->add_option("--block", a->block,
                    "Rendered pages do not load these resource types (images,fonts,media,stylesheets,scripts,xhr,"
                    "fetch,other); counted as blocked in the stats")
        ->delimiter(',');
    add_render_options(*cmd, *a);
    cmd->add_option("--proxy", a->proxies,
                    "Send requests through this proxy: http://[USER:PASSWORD@]HOST:PORT, https://, socks5://, "
                    "socks5h:// (repeatable: each attempt takes the next); a request's meta \"proxy\" overrides it")
        ->check(proxy_url_validator());
    cmd->add_option("--job-dir", a->job_dir, "Persist the crawl in DIR; run again to resume");
    cmd->add_flag("--resume-anyway", a->resume_anyway,
                  "Resume a --job-dir made for another spider, start URLs or spider arguments");
    cmd->add_option("--frontier", a->frontier,
                    "Share the crawl through this crawl-state store: redis://[USER:PASSWORD@]HOST:PORT[/DB]; every "
                    "process with the same --frontier and --crawl-id works on one crawl");
    cmd->add_option("--crawl-id", a->crawl_id, "Names the crawl in a shared --frontier (default: default)");
    cmd->add_option("--lease", a->lease_s,
                    "Seconds a worker holds a request before another may take it (default: --timeout + 60)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--metrics", a->metrics,
                    "Serve Prometheus metrics at http://HOST:PORT/metrics during the crawl (port 0: any free port, "
                    "said on stderr)");
    cmd->add_option("--plugin", a->plugins,
                    "Load a plugin (.so) first (repeatable); spiders are also found in $WEFT_PLUGIN_PATH and "
                    "weft's plugin directory");
    cmd->add_option("-s,--set", a->settings, "Setting KEY=VALUE (repeatable; Scrapy names accepted)");
    cmd->add_option("-a,--arg", a->spider_args, "Spider argument ARG=VALUE (repeatable)");
    cmd->add_flag("-k,--insecure", a->insecure,
                  "Do not verify TLS certificates (self-signed ones are accepted; -s verify_tls=false)");
    cmd->add_option("--record", a->record,
                    "Write every request and response (robots.txt and redirects too) to FILE as WARC 1.1, "
                    "one gzip member per record");
    cmd->add_option("--replay", a->replay,
                    "Answer every fetch from FILE (a --record archive) instead of the network");
    cmd->add_option("--stats", a->stats_file, "Write the final stats as JSON to FILE");
    cmd->add_flag("-q,--quiet", a->quiet, "No progress line, no per-request error messages, no summary");
    cmd->callback([a, &result] { result = crawl_main(*a); });
}

} // namespace weft::cli
