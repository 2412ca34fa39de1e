// weft status ADDRESS --crawl-id ID [--json]: a shared crawl's state: its counters, its busiest
// hosts' politeness and its live workers.
#include "commands.hpp"
#include "shared_state.hpp"

#include <weft/http/proxy.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cstdio>

namespace weft::cli
{

namespace
{

struct status_args
{
    std::string address;
    std::string crawl_id = "default";
    bool json = false;
};

constexpr std::size_t busiest_shown = 10;

std::string seconds(std::chrono::milliseconds d)
{
    return fmt::format("{:.1f} s", static_cast<double>(d.count()) / 1000.0);
}

nlohmann::json to_json(status_args const& a, std::string_view backend, state::counters const& c,
                       std::vector<state::host_stats> const& hosts, std::vector<state::worker_info> const& workers)
{
    nlohmann::json j{{"frontier", http::redact_credentials(a.address)},
                     {"crawl_id", a.crawl_id},
                     {"backend", backend},
                     {"pending", c.pending},
                     {"leased", c.leased},
                     {"delayed", c.delayed},
                     {"done", c.done},
                     {"failed", c.failed},
                     {"expired", c.expired},
                     {"stale", c.stale},
                     {"seen", c.seen},
                     {"items", c.items},
                     {"hosts", nlohmann::json::array()},
                     {"workers", nlohmann::json::array()}};
    for (auto const& h : hosts)
    {
        auto e = state::to_json(h);
        if (!e.contains("backoff_ms"))
            e["backoff_ms"] = nullptr; // --json keeps one shape per host
        j["hosts"].push_back(std::move(e));
    }
    for (auto const& w : workers)
        j["workers"].push_back({{"id", w.id}, {"seen_ago_ms", w.seen_ago.count()}, {"leased", w.leased}});
    return j;
}

void print_text(status_args const& a, std::string_view backend, state::counters const& c,
                std::vector<state::host_stats> const& hosts, std::vector<state::worker_info> const& workers)
{
    std::string out = fmt::format("crawl {} at {} ({})\n", a.crawl_id, http::redact_credentials(a.address), backend);
    out += fmt::format("  pending {}  leased {}  delayed {}  done {}  failed {}  expired {}  stale {}  seen {}  "
                       "items {}\n",
                       c.pending, c.leased, c.delayed, c.done, c.failed, c.expired, c.stale, c.seen, c.items);
    out += fmt::format("busiest hosts ({}):\n", hosts.size());
    if (!hosts.empty())
        out += fmt::format("  {:<40} {:>8} {:>10} {:>12} {:>9} {:>9} {:>10}\n", "host", "pending", "in flight",
                           "concurrency", "delay", "backoffs", "held for");
    for (auto const& h : hosts)
        out += fmt::format("  {:<40} {:>8} {:>10} {:>12} {:>9} {:>9} {:>10}\n", h.host, h.pending, h.in_flight,
                           h.concurrency, seconds(h.delay), h.backoffs,
                           h.backoff_for ? seconds(*h.backoff_for) : std::string("-"));
    out += fmt::format("workers ({}):\n", workers.size());
    if (!workers.empty())
        out += fmt::format("  {:<40} {:>10} {:>8}\n", "id", "seen ago", "leases");
    for (auto const& w : workers)
        out += fmt::format("  {:<40} {:>10} {:>8}\n", w.id, seconds(w.seen_ago), w.leased);
    std::fputs(out.c_str(), stdout);
}

task<int> run_status(status_args a)
{
    auto st = co_await async_open_shared_state(a.address, a.crawl_id);
    auto const c = co_await st->async_counters();
    auto const hosts = co_await st->async_busiest_hosts(busiest_shown);
    auto const workers = co_await st->async_workers();
    if (a.json)
        std::printf("%s\n", to_json(a, st->name(), c, hosts, workers).dump().c_str());
    else
        print_text(a, st->name(), c, hosts, workers);
    std::fflush(stdout);
    co_return exit_ok;
}

} // namespace

void add_status_command(CLI::App& app, int& result)
{
    auto a = std::make_shared<status_args>();
    auto* cmd = app.add_subcommand("status", "Show a shared crawl's state: counters, busiest hosts, live workers");
    cmd->add_option("address", a->address, "The crawl-state store: redis://[USER:PASSWORD@]HOST:PORT[/DB]")
        ->required();
    cmd->add_option("--crawl-id", a->crawl_id, "The crawl in the store (default: default)");
    cmd->add_flag("--json", a->json, "Print one JSON object");
    cmd->callback(
        [a, &result]
        {
            require_backend(a->address, "address");
            result = run_command("status", run_status(*a));
        });
}

} // namespace weft::cli
