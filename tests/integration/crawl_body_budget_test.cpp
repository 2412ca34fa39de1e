// The crawl-wide in-flight body budget (settings::max_inflight_body_bytes): a crawl of large
// pages at high concurrency holds at most the budget (or one body larger than it) at once, and
// still fetches every page. The peak is the crawl's own measure, in its stats JSON.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace
{

constexpr std::uint64_t mib = 1u << 20;

std::vector<nlohmann::json> items_of(std::string const& out)
{
    return weft::test::json_lines(out);
}

nlohmann::json read_json(std::filesystem::path const& p)
{
    std::ifstream in(p);
    return nlohmann::json::parse(in);
}

// `weft crawl` of `urls` at concurrency 8 with a body budget of `budget` bytes; its stats JSON.
struct crawl_run
{
    weft::test::process_result r;
    nlohmann::json stats;
};

crawl_run crawl(std::vector<std::string> const& urls, std::uint64_t budget, std::string const& fetcher,
                std::vector<std::string> extra = {})
{
    weft::test::temp_dir dir;
    auto const stats = dir / "stats.json";
    std::vector<std::string> argv{weft::test::weft_cli_path(), "crawl", "-q", "-c", "8", "--per-host", "8",
                                  "--fetcher", fetcher, "--stats", stats.string(), "-s",
                                  "max_inflight_body_bytes=" + std::to_string(budget)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), urls.begin(), urls.end());
    crawl_run c{weft::test::run_process(argv), {}};
    if (std::filesystem::exists(stats))
        c.stats = read_json(stats);
    return c;
}

void check_every_page(crawl_run const& c, std::vector<std::string> const& urls)
{
    INFO(c.r.err);
    CHECK(c.r.exit_code == 0);
    auto const items = items_of(c.r.out);
    CHECK(items.size() == urls.size());
    std::set<std::string> seen;
    for (auto const& i : items)
    {
        CHECK(i["status"] == 200);
        CHECK(i["error"].is_null());
        seen.insert(i["url"].get<std::string>());
    }
    CHECK(seen == std::set<std::string>(urls.begin(), urls.end()));
}

} // namespace

TEST_CASE("a crawl of large pages holds at most its body budget at once and fetches every page",
          "[cli][crawl][body_budget]")
{
    weft::test::test_server server;
    auto const fetcher = GENERATE(as<std::string>{}, "curl", "beast");
    INFO(fetcher);
    std::vector<std::string> urls;
    for (int i = 0; i < 8; ++i)
        urls.push_back(server.url("/big?bytes=" + std::to_string(8 * mib) + "&i=" + std::to_string(i)));
    auto const c = crawl(urls, 16 * mib, fetcher);
    check_every_page(c, urls);
    REQUIRE(c.stats.contains("inflight_body_bytes_peak"));
    auto const peak = c.stats["inflight_body_bytes_peak"].get<std::uint64_t>();
    CHECK(peak >= 8 * mib);  // a body was held
    CHECK(peak <= 16 * mib); // two 8 MiB bodies fill the budget; never a third at once
}

TEST_CASE("a page larger than the whole body budget is fetched alone, and the crawl does not stall",
          "[cli][crawl][body_budget]")
{
    weft::test::test_server server;
    std::vector<std::string> urls;
    for (int i = 0; i < 4; ++i)
        urls.push_back(server.url("/big?bytes=" + std::to_string(8 * mib) + "&i=" + std::to_string(i)));
    urls.push_back(server.url("/big?bytes=" + std::to_string(24 * mib) + "&huge=1"));
    auto const c = crawl(urls, 16 * mib, "curl");
    check_every_page(c, urls);
    auto const peak = c.stats["inflight_body_bytes_peak"].get<std::uint64_t>();
    CHECK(peak >= 24 * mib);
    CHECK(peak <= 24 * mib); // the large one held nothing else beside it: budget plus one body at most
}

TEST_CASE("bodies of no announced length are charged as they arrive and stay within the budget",
          "[cli][crawl][body_budget]")
{
    weft::test::test_server server;
    std::vector<std::string> urls;
    for (int i = 0; i < 6; ++i)
        urls.push_back(server.url("/big?bytes=" + std::to_string(6 * mib) + "&chunked=1&i=" + std::to_string(i)));
    // A body that does not fit is fetched again reserving max_body_size (here 8 MiB).
    auto const c = crawl(urls, 16 * mib, "curl", {"-s", "max_body_size=" + std::to_string(8 * mib)});
    check_every_page(c, urls);
    auto const peak = c.stats["inflight_body_bytes_peak"].get<std::uint64_t>();
    CHECK(peak >= 6 * mib);
    CHECK(peak <= 16 * mib);
}
