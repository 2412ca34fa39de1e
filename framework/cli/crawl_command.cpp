// weft crawl (URL... | SPIDER): run the crawl engine with the built-in site spider or a named one.
#include "commands.hpp"
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

struct crawl_args
{
    std::vector<std::string> targets;
    std::vector<std::string> outputs;   // -o: appended to
    std::vector<std::string> overwrite; // -O: overwritten (unless the crawl resumes a job)
    std::size_t concurrency = 0;
    std::size_t per_host = 0;
    double delay_ms = -1;
    bool autothrottle = false;
    std::uint64_t max_pages = 0;
    int max_depth = -2;
    std::vector<std::string> allow_hosts;
    std::vector<std::string> allow;
    std::vector<std::string> deny;
    bool ignore_robots = false;
    double timeout_s = 0;
    int retries = -1;
    std::string fetcher;
    std::vector<std::string> proxies;
    std::string job_dir;
    std::string frontier;
    std::string crawl_id;
    double lease_s = 0;
    std::string metrics;
    std::vector<std::string> plugins;
    std::vector<std::string> settings;
    std::vector<std::string> spider_args;
    std::string stats_file;
    bool quiet = false;
    bool insecure = false;
    bool resume_anyway = false;
};

std::vector<std::string> all_outputs(crawl_args const& a)
{
    auto all = a.outputs;
    all.insert(all.end(), a.overwrite.begin(), a.overwrite.end());
    return all;
}

bool looks_like_url(std::string const& s)
{
    return s.starts_with("http://") || s.starts_with("https://");
}

std::pair<std::string, std::string> split_kv(std::string const& kv, char const* flag)
{
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
        throw CLI::ValidationError(flag, "'" + kv + "': expected KEY=VALUE");
    return {kv.substr(0, eq), kv.substr(eq + 1)};
}

struct prepared
{
    std::unique_ptr<spider> sp;
    engine::settings settings;
};

// Spider `name` from the plugin search path: weft_spider_<name>.so by convention first, else
// whichever plugin registers it. A refused convention file stops the crawl with its reason.
std::unique_ptr<spider> spider_from_plugins(std::string const& name)
{
    auto const dirs = plugin::search_path();
    if (auto file = plugin::find_spider_plugin(name, dirs); !file.empty())
    {
        if (auto r = plugin::load(file); !r)
            throw CLI::ValidationError("SPIDER", r.error().message);
        if (auto sp = make_spider(name))
            return sp;
    }
    plugin::load_all(dirs);
    return make_spider(name);
}

std::string unknown_spider_message(std::string const& name)
{
    std::string known;
    for (auto const& n : spider_names())
        known += (known.empty() ? "" : ", ") + n;
    std::string msg = "unknown spider '" + name + "' (known: " + known + "; URLs must start with http:// or https://)";
    std::string dirs;
    for (auto const& d : plugin::search_path())
        dirs += (dirs.empty() ? "" : ":") + d.string();
    msg += "; plugins searched in " + (dirs.empty() ? std::string("no directory (set WEFT_PLUGIN_PATH)") : dirs);
    for (auto const& e : plugin::refused_modules())
        msg += "; refused " + e.message;
    return msg;
}

// True when some output has no sink registered for its URI scheme or extension (mirrors
// make_sink_for_path).
bool needs_more_sinks(std::vector<std::string> const& outputs)
{
    auto const exts = sink_extensions();
    for (auto const& o : outputs)
    {
        if (o == "-")
            continue;
        auto const lower = text::lower_copy(o);
        if (std::any_of(exts.begin(), exts.end(),
                        [&](auto const& e) { return e.ends_with("://") && lower.starts_with(e); }))
            continue;
        auto file = text::lower_copy(o.substr(o.find_last_of('/') == std::string::npos ? 0 : o.find_last_of('/') + 1));
        if (std::none_of(exts.begin(), exts.end(), [&](auto const& e)
                         { return e != "-" && file.size() > e.size() && file.ends_with(e); }))
            return true;
    }
    return false;
}

// A plugin named with --plugin whose spider, fetcher or sink has a name weft already had from
// elsewhere: that one is not used (the registry's rule); said on stderr, naming both origins.
void warn_not_used(plugin::module_info const& m)
{
    auto const warn = [&](char const* kind, std::vector<plugin::registration> const& all)
    {
        for (auto const& r : all)
            if (r.origin == m.path.string() && !r.shadowed_by.empty())
                std::fprintf(stderr, "weft crawl: warning: %s\n", plugin::refusal_message(kind, r).c_str());
    };
    warn("spider", spider_entries());
    warn("fetcher", http::fetcher_entries());
    warn("sink", sink_entries());
}

// --frontier: one backend per scheme, linked in or from a plugin; a shared crawl keeps its state
// in the shared store, so a job directory beside it would be a second truth.
void check_frontier(engine::settings const& s)
{
    if (s.frontier.empty())
        return;
    auto const shown = http::redact_credentials(s.frontier);
    if (!s.job_dir.empty())
        throw CLI::ValidationError("--frontier", "--frontier " + shown + " and --job-dir " + s.job_dir.string() +
                                                     " exclude each other: a shared crawl keeps its state in "
                                                     "the shared store; drop --job-dir");
    if (s.crawl_id.empty())
        throw CLI::ValidationError("--crawl-id", "a shared crawl needs a crawl id (--crawl-id NAME)");
    require_backend(s.frontier, "--frontier");
}

prepared prepare(crawl_args const& a)
{
    // Plugins named with --plugin load first (a spider they register wins over the search path's);
    // a refused one is a usage error (exit 2) with the loader's reason.
    for (auto const& p : a.plugins)
    {
        auto r = plugin::load(p);
        if (!r)
            throw CLI::ValidationError("--plugin", r.error().message);
        warn_not_used(*r);
    }

    prepared out;
    bool const urls = std::all_of(a.targets.begin(), a.targets.end(), looks_like_url);
    if (urls)
    {
        out.sp = make_spider("site");
        if (!out.sp)
            throw CLI::ValidationError("URL", "the built-in site spider is not linked in");
        for (auto const& u : a.targets)
        {
            // Refused here, not dropped by the scheduler later: a typo must not end as an empty crawl.
            if (auto parsed = url::parse(u); !parsed || !url::host_of(*parsed))
                throw CLI::ValidationError("URL", "start URL '" + u + "' is not a valid URL (" +
                                                      (parsed ? std::string("no host") : parsed.error().message()) +
                                                      "): check its host and port, and quote it for the shell");
            out.sp->add_start_url(u);
        }
    }
    else
    {
        if (a.targets.size() != 1)
            throw CLI::ValidationError("SPIDER", "give either URLs or one spider name, not both");
        out.sp = make_spider(a.targets.front());
        if (!out.sp)
            out.sp = spider_from_plugins(a.targets.front());
        if (!out.sp)
            throw CLI::ValidationError("SPIDER", unknown_spider_message(a.targets.front()));
    }
    std::map<std::string, std::string> args;
    for (auto const& kv : a.spider_args)
        args.insert(split_kv(kv, "-a"));
    auto const identity = job_identity(out.sp->name(), urls ? a.targets : std::vector<std::string>{}, args);
    out.sp->set_args(std::move(args));

    auto& s = out.settings;
    out.sp->update_settings(s);
    for (auto const& kv : a.settings)
    {
        auto [k, v] = split_kv(kv, "-s");
        try
        {
            s.set(k, v);
        }
        catch (std::invalid_argument const& e)
        {
            throw CLI::ValidationError("-s", e.what());
        }
    }
    if (a.concurrency)
        s.concurrency = a.concurrency;
    if (a.per_host)
        s.per_host = a.per_host;
    if (a.delay_ms >= 0)
        s.delay = std::chrono::milliseconds(static_cast<long long>(a.delay_ms));
    if (a.autothrottle)
        s.autothrottle.enabled = true;
    if (a.max_pages)
        s.max_pages = a.max_pages;
    if (a.max_depth >= -1)
        s.max_depth = a.max_depth;
    for (auto const& h : a.allow_hosts)
        s.also_allowed_hosts.push_back(h);
    for (auto const& r : a.allow)
        s.allow.push_back(r);
    for (auto const& r : a.deny)
        s.deny.push_back(r);
    if (a.ignore_robots)
        s.obey_robots = false;
    if (a.timeout_s > 0)
        s.timeout = std::chrono::milliseconds(static_cast<long long>(a.timeout_s * 1000));
    if (a.retries >= 0)
        s.retries = a.retries;
    if (!a.fetcher.empty())
        s.fetcher = a.fetcher;
    if (!a.proxies.empty())
        s.proxies = a.proxies; // checked by proxy_url_validator
    if (a.insecure)
        s.verify_tls = false;
    if (!s.proxies.empty() && s.fetcher == "beast")
        throw CLI::ValidationError("--proxy", "the beast fetcher does not support proxies; use --fetcher curl");
    if (!a.job_dir.empty())
        s.job_dir = a.job_dir;
    if (!s.job_dir.empty())
        check_job_identity(s.job_dir, identity, a.resume_anyway);
    if (!a.frontier.empty())
        s.frontier = a.frontier;
    if (!a.crawl_id.empty())
        s.crawl_id = a.crawl_id;
    if (a.lease_s > 0)
        s.lease_duration = std::chrono::milliseconds(static_cast<long long>(a.lease_s * 1000));
    if (!a.metrics.empty())
        try
        {
            s.set("metrics", a.metrics);
        }
        catch (std::invalid_argument const& e)
        {
            throw CLI::ValidationError("--metrics", e.what());
        }
    check_frontier(s);
    if (a.quiet)
        s.progress = false;
    // A fetcher or sink that is not built in may come from a plugin on the search path.
    auto const known_fetcher = [&]
    {
        auto names = http::fetcher_names();
        return std::find(names.begin(), names.end(), s.fetcher) != names.end();
    };
    check_outputs(all_outputs(a), "-o");
    if ((!s.fetcher.empty() && !known_fetcher()) || needs_more_sinks(all_outputs(a)))
        plugin::load_all(plugin::search_path());
    if (!s.fetcher.empty())
    {
        auto names = http::fetcher_names();
        if (std::find(names.begin(), names.end(), s.fetcher) == names.end())
            throw CLI::ValidationError("--fetcher", "unknown fetcher '" + s.fetcher + "'");
    }
    // Every plugin this crawl uses is loaded now: a -s key neither built in nor declared by one
    // of them is a typo (a spider's own arguments go with -a).
    for (auto const& kv : a.settings)
        if (auto msg = engine::unknown_setting_message(split_kv(kv, "-s").first))
            throw CLI::ValidationError("-s", *msg);
    if (!s.verify_tls)
        std::fprintf(stderr, "weft crawl: warning: TLS certificates are not verified (-k or verify_tls=false): "
                             "self-signed and forged certificates are accepted\n");
    for (auto const* list : {&s.allow, &s.deny})
        for (auto const& r : *list)
            try
            {
                std::regex re(r);
            }
            catch (std::regex_error const& e)
            {
                throw CLI::ValidationError(list == &s.allow ? "--allow" : "--deny",
                                           "'" + r + "' is not a valid regular expression");
            }
    return out;
}

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
    cmd->add_option("--fetcher", a->fetcher, "Fetcher plugin (curl, beast, ...)");
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
    cmd->add_option("--stats", a->stats_file, "Write the final stats as JSON to FILE");
    cmd->add_flag("-q,--quiet", a->quiet, "No progress line, no per-request error messages, no summary");
    cmd->callback([a, &result] { result = crawl_main(*a); });
}

} // namespace weft::cli
