// weft parse [SPIDER] URL: one page through one callback (Scrapy's `scrapy parse`), printing what
// it yields by depth level; --depth N follows the requests it yields, each with its own callback.
#include "commands.hpp"
#include "crawl_setup.hpp"

#include <weft/async/run.hpp>
#include <weft/engine/engine.hpp>
#include <weft/middleware/spider_middleware.hpp>

#include <boost/asio/this_coro.hpp>

#include <nlohmann/json.hpp>

#include <cxxabi.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>

namespace weft::cli
{
namespace
{

struct parse_args
{
    crawl_args crawl;
    std::vector<std::string> positionals; // [SPIDER] URL
    std::string callback;
    std::string meta;
    std::string kwargs;
    int depth = 1;
    bool json = false;
};

struct level_output
{
    nlohmann::json items = nlohmann::json::array();
    nlohmann::json requests = nlohmann::json::array();
};

// "sym:_ZN..." (a callback stored by its symbol) as a reader wants it: the demangled signature.
std::string readable_callback(std::string const& name)
{
    if (name.rfind("sym:", 0) != 0)
        return name;
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> d(abi::__cxa_demangle(name.c_str() + 4, nullptr, nullptr, &status),
                                             std::free);
    return status == 0 && d ? std::string(d.get()) : name.substr(4);
}

// Records every output of the callbacks by depth level (1: the page's own); the requests of the
// last level are shown but not followed. Runs after every other spider middleware.
class parse_recorder final : public spider_middleware
{
public:
    parse_recorder(int max_level, std::map<int, level_output>& levels) : max_level_(max_level), levels_(levels) {}
    std::string_view name() const noexcept override { return "parse_recorder"; }
    int priority() const noexcept override { return INT_MAX; }

    task<std::optional<output>> on_output(output out, weft::response const* from, crawl_context& ctx) override
    {
        if (!from)
            co_return out; // the start request
        int const level = from->request().depth() + 1;
        auto& here = levels_[level];
        if (out.is_item())
        {
            here.items.push_back(nlohmann::json::parse(out.item().dump()));
            co_return out;
        }
        auto const& r = out.request();
        nlohmann::json j{{"method", r.method()}, {"url", r.url()}};
        if (!r.callback_key().empty())
            j["callback"] = readable_callback(ctx.spider().callback_name(r.callback_key()));
        if (auto const* m = r.meta_if(); m && !m->empty())
            j["meta"] = *m;
        if (!r.kwargs().is_null())
            j["kwargs"] = r.kwargs();
        here.requests.push_back(std::move(j));
        if (level >= max_level_)
            co_return std::nullopt;
        co_return out;
    }

private:
    int max_level_;
    std::map<int, level_output>& levels_;
};

nlohmann::json json_option(std::string const& text, char const* flag)
{
    if (text.empty())
        return nullptr;
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw CLI::ValidationError(flag, "'" + text + "' is not a JSON object (for example '{\"page\": 2}')");
    return j;
}

// The one start request: the URL for --callback (default parse), with --meta and --kwargs.
weft::request start_request(parse_args const& a, spider& sp, std::string const& url)
{
    weft::request r{url};
    r.dont_filter(true);
    if (auto m = json_option(a.meta, "--meta"); !m.is_null())
        r.meta() = std::move(m);
    if (auto k = json_option(a.kwargs, "--kwargs"); !k.is_null())
        for (auto& [key, value] : k.items())
            r.kwarg(key, value);
    if (a.callback.empty() || a.callback == "parse")
        return r;
    auto cb = sp.find_callback(a.callback);
    if (!cb)
    {
        std::string known = "parse";
        for (auto const& n : sp.registered_callbacks())
            known += ", " + n;
        throw CLI::ValidationError("--callback", "spider '" + sp.name() + "' has no callback '" + a.callback +
                                                     "' (registered: " + known +
                                                     "); name a member function with register_callback(\"" +
                                                     a.callback + "\", &spider::function) in its constructor");
    }
    r.callback(std::move(cb), a.callback);
    return r;
}

void print_levels(std::map<int, level_output> const& levels)
{
    for (auto const& [level, out] : levels)
    {
        std::printf(">>> DEPTH LEVEL %d <<<\n# Scraped Items %s\n", level, std::string(60, '-').c_str());
        for (auto const& it : out.items)
            std::printf("%s\n", it.dump().c_str());
        std::printf("# Requests %s\n", std::string(65, '-').c_str());
        for (auto const& r : out.requests)
        {
            std::string line = r["method"].get<std::string>() + " " + r["url"].get<std::string>();
            if (r.contains("callback"))
                line += "  callback=" + r["callback"].get<std::string>();
            if (r.contains("kwargs"))
                line += "  kwargs=" + r["kwargs"].dump();
            if (r.contains("meta"))
                line += "  meta=" + r["meta"].dump();
            std::printf("%s\n", line.c_str());
        }
    }
}

task<int> run_parse(prepared p, weft::request first, int depth, bool json)
{
    auto ex = co_await asio::this_coro::executor;
    auto const url = first.url();
    std::map<int, level_output> levels;
    engine::engine eng(ex, *p.sp, p.settings);
    eng.set_start_requests({std::move(first)});
    eng.add_spider_middleware(std::make_unique<parse_recorder>(depth, levels));
    auto result = co_await eng.async_run();
    if (json)
    {
        nlohmann::json j{{"levels", nlohmann::json::array()}, {"stats", result.stats.to_json()}};
        for (auto const& [level, out] : levels)
            j["levels"].push_back({{"depth", level}, {"items", out.items}, {"requests", out.requests}});
        std::printf("%s\n", j.dump(2).c_str());
    }
    else
        print_levels(levels);
    if (!result.error.empty())
        std::fprintf(stderr, "weft parse: %s\n", result.error.c_str());
    if (result.stats.responses == 0)
        std::fprintf(stderr, "weft parse: %s was not parsed: %s\n", url.c_str(), result.stats.summary().c_str());
    co_return result.stats.responses == 0 ? exit_failure : result.exit_code(p.settings.max_error_ratio);
}

// Flags to a spider, its settings and the one start request; CLI::ValidationError: exit 2.
int parse_main(parse_args a)
{
    auto const url = a.positionals.back();
    if (!url.starts_with("http://") && !url.starts_with("https://"))
        throw CLI::ValidationError("URL", "'" + url + "' is not an http:// or https:// URL");
    a.crawl.targets = a.positionals.size() == 2 ? std::vector<std::string>{a.positionals.front()}
                                                : std::vector<std::string>{url};
    auto p = prepare(a.crawl);
    p.settings.progress = false;
    p.settings.job_dir.clear();  // one page for a look: nothing to resume
    p.settings.frontier.clear(); // and nothing shared
    auto first = start_request(a, *p.sp, url);
    return weft::run(run_parse(std::move(p), std::move(first), a.depth, a.json));
}

} // namespace

void add_parse_command(CLI::App& app, int& result)
{
    auto a = std::make_shared<parse_args>();
    auto* cmd = app.add_subcommand(
        "parse", "Fetch one URL and run one spider callback on it, printing the items and requests it yields");
    cmd->add_option("target", a->positionals, "[SPIDER] URL (no spider: the built-in site spider)")
        ->required()
        ->expected(1, 2);
    cmd->add_option("--callback,-c", a->callback, "The callback to run (a registered name; default parse)");
    cmd->add_option("--meta,-m", a->meta, "The request's meta, a JSON object");
    cmd->add_option("--kwargs", a->kwargs, "The callback's arguments (request::kwarg), a JSON object");
    cmd->add_option("--depth,-d", a->depth, "Follow the yielded requests to this depth (default 1: the page only)")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--json", a->json, "Print one JSON document: each level's items and requests, and the stats");
    cmd->add_option("-a,--arg", a->crawl.spider_args, "Spider argument ARG=VALUE (repeatable)");
    cmd->add_option("-s,--set", a->crawl.settings, "Setting KEY=VALUE (repeatable)");
    cmd->add_option("--plugin", a->crawl.plugins, "Load a plugin (.so) first (repeatable)");
    cmd->add_option("--fetcher", a->crawl.fetcher, "Fetcher plugin (curl, beast, ...)");
    add_render_options(*cmd, a->crawl);
    cmd->add_flag("--ignore-robots", a->crawl.ignore_robots, "Do not fetch or obey robots.txt");
    cmd->add_flag("-k,--insecure", a->crawl.insecure, "Do not verify TLS certificates");
    cmd->add_option("--record", a->crawl.record, "Write the fetches to FILE as WARC 1.1 (as weft crawl --record)");
    cmd->add_option("--replay", a->crawl.replay, "Answer the fetches from FILE, a --record archive (no network)");
    cmd->callback([a, &result] { result = parse_main(*a); });
}

} // namespace weft::cli
