// weft crawl and weft parse: flags to a spider and its settings (crawl_setup.hpp).
#include "commands.hpp"
#include "crawl_setup.hpp"
#include "job_identity.hpp"
#include "shared_state.hpp"

#include <weft/async/signals.hpp>
#include <weft/engine/engine.hpp>
#include <weft/engine/export_items.hpp>
#include <weft/engine/setting_keys.hpp>
#include <weft/html/selector.hpp>
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
#include <weft/warc/http_exchange.hpp>
#include <weft/warc/reader.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <unistd.h>
#include <optional>
#include <regex>

namespace weft::cli
{
namespace
{


bool looks_like_url(std::string const& s)
{
    return s.starts_with("http://") || s.starts_with("https://");
}



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

// --record / --replay (or record_warc / replay_warc from -s or the spider), refused now rather
// than after the first fetch: a record file that cannot be created, a replay file that does not
// read whole (the byte offset of the bad record named).
void check_warc(engine::settings const& s)
{
    if (!s.record_warc.empty() && !s.replay_warc.empty())
        throw CLI::ValidationError("--record", "--record and --replay exclude each other: a replayed crawl fetches "
                                               "nothing to record; copy the file instead");
    if (!s.record_warc.empty())
    {
        std::error_code ec;
        if (std::filesystem::is_directory(s.record_warc, ec))
            throw CLI::ValidationError("--record", s.record_warc.string() + " is a directory: give a file name "
                                                                            "such as crawl.warc.gz");
        // Created (not truncated) to learn now that it can be: the crawl truncates it when it starts.
        int const fd = ::open(s.record_warc.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            throw CLI::ValidationError("--record", "cannot write " + s.record_warc.string() + ": " +
                                                       std::strerror(errno) + "; check the directory exists and is "
                                                                              "writable");
        ::close(fd);
    }
    if (!s.replay_warc.empty())
    {
        try
        {
            warc::reader in(s.replay_warc);
            std::size_t responses = 0;
            while (auto r = in.next())
                if (r->type() == "response")
                {
                    (void)warc::response_from_record(*r);
                    ++responses;
                }
            if (responses == 0)
                throw CLI::ValidationError("--replay", s.replay_warc.string() + " holds no response record: record "
                                                                                "a crawl into it with --record first");
        }
        catch (warc::format_error const& e)
        {
            throw CLI::ValidationError("--replay", std::string(e.what()) + "; record the crawl again");
        }
        catch (std::system_error const& e)
        {
            throw CLI::ValidationError("--replay", e.what());
        }
    }
}

} // namespace

std::vector<std::string> all_outputs(crawl_args const& a)
{
    auto all = a.outputs;
    all.insert(all.end(), a.overwrite.begin(), a.overwrite.end());
    return all;
}

std::pair<std::string, std::string> split_kv(std::string const& kv, char const* flag)
{
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
        throw CLI::ValidationError(flag, "'" + kv + "': expected KEY=VALUE");
    return {kv.substr(0, eq), kv.substr(eq + 1)};
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
    if (!a.render.empty())
        s.render = a.render;
    if (!a.render_wait_for.empty())
    {
        html::selector_diagnostics diag;
        if (!html::selector::parse(a.render_wait_for, &diag))
            throw CLI::ValidationError("--render-wait-for", diag.message);
        s.render_wait_for = a.render_wait_for;
        if (a.render.empty() && s.render == "requested")
            s.render = "auto"; // a selector to wait for means pages are judged by it
    }
    if (!a.block.empty())
        s.render_block = a.block;
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
    if (!a.record.empty())
        s.record_warc = a.record;
    if (!a.replay.empty())
        s.replay_warc = a.replay;
    check_frontier(s);
    check_warc(s);
    if (a.quiet)
    {
        s.progress = false;
        if (s.log_level == "info") // the default: -q keeps the spider's warnings and errors only
            s.log_level = "warning";
    }
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

void add_render_options(CLI::App& cmd, crawl_args& a)
{
    cmd.add_option("--render", a.render,
                   "Which pages Chromium renders: requested (those whose request asks; the default), auto "
                   "(fetched over HTTP first, rendered only when they lack --render-wait-for or look built by "
                   "script; learned per URL pattern), always")
        ->check(CLI::IsMember({"requested", "auto", "always"}));
    cmd.add_option("--render-wait-for", a.render_wait_for,
                   "CSS selector a page must have: with --render auto, an HTTP page without it is rendered, and "
                   "renders wait for it (implies --render auto)");
}

} // namespace weft::cli
