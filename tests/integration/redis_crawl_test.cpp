// One crawl across several weft processes on Redis (--frontier, docs/ARCHITECTURE.md "The crawl
// state on Redis"): real workers, a real redis-server, a local site with latency.
#include "support/process.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using weft::test::poll_exit;
using weft::test::redis_server;
using weft::test::spawn_process;
using weft::test::temp_dir;
using weft::test::test_server;
using clock_type = std::chrono::steady_clock;

namespace
{

constexpr int site_pages = 150;
constexpr char const* site_query = "?n=150&ms=25&fan=3";

std::string slurp(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

/// Each record's "url", with how often it came.
std::map<std::string, int> urls_in(std::filesystem::path const& jsonl)
{
    std::map<std::string, int> out;
    std::ifstream in(jsonl);
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            ++out[nlohmann::json::parse(line).at("url").get<std::string>()];
    return out;
}

std::vector<std::string> weft_args(std::vector<std::string> args)
{
    args.insert(args.begin(), weft::test::weft_cli_path());
    return args;
}

struct worker
{
    pid_t pid = -1;
    std::filesystem::path err;
    std::optional<int> exit_code;
};

/// Waits for every worker still running to exit, at most `limit`.
void wait_all(std::vector<worker>& ws, std::chrono::seconds limit)
{
    auto const deadline = clock_type::now() + limit;
    for (auto& w : ws)
    {
        while (!w.exit_code && clock_type::now() < deadline)
        {
            w.exit_code = poll_exit(w.pid, false);
            if (!w.exit_code)
                std::this_thread::sleep_for(20ms);
        }
        if (!w.exit_code)
        {
            ::kill(w.pid, SIGKILL);
            w.exit_code = poll_exit(w.pid, true);
            FAIL("a worker did not finish within " << limit.count() << " s; its stderr:\n" << slurp(w.err));
        }
    }
}

/// The leases the worker with process id `pid` holds in crawl `id` (`weft status --json`).
std::uint64_t leases_held(std::string const& address, std::string const& id, pid_t pid)
{
    auto const status = weft::test::run_process(weft_args({"status", address, "--crawl-id", id, "--json"}));
    if (status.exit_code != 0)
        return 0;
    auto const tag = ":" + std::to_string(pid) + ":";
    auto const j = nlohmann::json::parse(status.out); // named: a range-for over parse(...).at() dangles
    for (auto const& w : j.at("workers"))
        if (w.at("id").get<std::string>().find(tag) != std::string::npos)
            return w.at("leased").get<std::uint64_t>();
    return 0;
}

/// Polls until the site served at least `n` pages (or 60 s passed).
void wait_for_pages(test_server const& site, std::size_t n)
{
    auto const deadline = clock_type::now() + 60s;
    while (site.total_requests() < n && clock_type::now() < deadline)
        std::this_thread::sleep_for(10ms);
    REQUIRE(site.total_requests() >= n);
}

} // namespace

TEST_CASE("three workers crawl one site through Redis, one killed and Redis restarted: the export equals one crawl",
          "[redis][integration]")
{
    temp_dir dir;
    test_server site;
    auto const root = site.url("/site/0") + site_query;

    // The reference: one process, no Redis.
    auto const ref = weft::test::run_process(
        weft_args({"crawl", root, "--per-host", "2", "--ignore-robots", "-q", "-o", (dir / "ref.jsonl").string()}), {}, 120s);
    REQUIRE(ref.exit_code == 0);
    auto const expected = urls_in(dir / "ref.jsonl");
    REQUIRE(expected.size() == site_pages);
    auto const reference_max = site.site_max_in_flight();
    CHECK(reference_max <= 2);

    redis_server redis({.append_only = true, .password = {}, .maxmemory = {}});
    test_server shared_site;
    auto const shared_root = shared_site.url("/site/0") + site_query;
    // Each worker fetches 2 at a time, so three could have 6 in flight: --per-host 4 must hold them.
    // robots.txt obeyed: the crawl fetches it once for all workers (a 404: everything allowed).
    std::vector<std::string> const args{"crawl", shared_root, "-c", "2", "--per-host", "4", "--lease", "3",
                                        "--frontier", redis.url(), "--crawl-id", "three", "-q"};
    std::vector<worker> workers;
    auto start_worker = [&](int i)
    {
        worker w;
        w.err = dir / ("worker-" + std::to_string(i) + ".err");
        w.pid = spawn_process(weft_args(args), w.err);
        workers.push_back(w);
    };
    for (int i = 0; i < 3; ++i)
        start_worker(i);

    wait_for_pages(shared_site, site_pages / 4);
    ::kill(workers[0].pid, SIGKILL); // its leases come back after 3 s
    workers[0].exit_code = poll_exit(workers[0].pid, true);
    CHECK(workers[0].exit_code == 128 + SIGKILL);

    wait_for_pages(shared_site, site_pages / 2);
    redis.kill9(); // appendfsync always: every acknowledged step survives
    std::this_thread::sleep_for(500ms);
    redis.restart();
    start_worker(3); // a restarted worker joins the running crawl

    wait_all(workers, 120s);
    for (std::size_t i = 1; i < workers.size(); ++i)
    {
        INFO("worker " << i << " stderr:\n" << slurp(workers[i].err));
        CHECK(workers[i].exit_code == 0);
    }
    auto const waited = slurp(workers[1].err) + slurp(workers[2].err);
    CHECK_THAT(waited, Catch::Contains("unreachable"));

    auto const exported = weft::test::run_process(
        weft_args({"export", redis.url(), "--crawl-id", "three", "-o", (dir / "out.jsonl").string()}), {}, 60s);
    INFO("export stderr: " << exported.err);
    REQUIRE(exported.exit_code == 0);
    auto const got = urls_in(dir / "out.jsonl");
    std::set<std::string> expected_urls, got_urls;
    for (auto const& [u, n] : expected)
        expected_urls.insert(u.substr(u.find("/site/")));
    for (auto const& [u, n] : got)
    {
        got_urls.insert(u.substr(u.find("/site/")));
        INFO(u);
        CHECK(n == 1); // nothing twice
    }
    CHECK(got_urls == expected_urls);
    CHECK(shared_site.site_max_in_flight() <= 4); // --per-host 4 held across the workers
    CHECK(shared_site.request_count("/robots.txt") == 1); // one fetch for the crawl, kept in Redis
}

TEST_CASE("a worker paused past its lease has its late completions refused", "[redis][integration]")
{
    temp_dir dir;
    test_server site;
    redis_server redis;
    auto const root = site.url("/site/0") + "?n=60&ms=300&fan=3"; // 2 workers x 2 at a time: about 5 s
    std::vector<std::string> const args{"crawl", root, "-c", "2", "--per-host", "8", "--ignore-robots", "--lease", "1",
                                        "--frontier", redis.url(), "--crawl-id", "zombie", "-q"};
    std::vector<worker> workers(2);
    for (int i = 0; i < 2; ++i)
    {
        workers[i].err = dir / ("w" + std::to_string(i) + ".err");
        workers[i].pid = spawn_process(weft_args(args), workers[i].err);
    }
    // Pause the first worker while it holds leases (its id names its pid).
    auto const deadline = clock_type::now() + 30s;
    while (leases_held(redis.url(), "zombie", workers[0].pid) == 0 && clock_type::now() < deadline)
        std::this_thread::sleep_for(5ms);
    ::kill(workers[0].pid, SIGSTOP);
    std::this_thread::sleep_for(2500ms); // its leases expire and go to the other worker
    ::kill(workers[0].pid, SIGCONT);
    wait_all(workers, 120s);
    for (auto& w : workers)
    {
        INFO(slurp(w.err));
        CHECK(w.exit_code == 0);
    }
    auto const status = weft::test::run_process(weft_args({"status", redis.url(), "--crawl-id", "zombie", "--json"}));
    REQUIRE(status.exit_code == 0);
    auto const j = nlohmann::json::parse(status.out);
    INFO(status.out);
    CHECK(j.at("done").get<int>() == 60);
    CHECK(j.at("pending").get<int>() == 0);
    CHECK(j.at("leased").get<int>() == 0);
    CHECK(j.at("expired").get<int>() >= 1);
    CHECK(j.at("stale").get<int>() >= 1); // the paused worker's late completions

    auto const exported =
        weft::test::run_process(weft_args({"export", redis.url(), "--crawl-id", "zombie", "-o", (dir / "o.jsonl").string()}));
    REQUIRE(exported.exit_code == 0);
    auto const got = urls_in(dir / "o.jsonl");
    CHECK(got.size() == 60);
    for (auto const& [u, n] : got)
    {
        INFO(u);
        CHECK(n == 1);
    }
}

TEST_CASE("a crawl whose Redis is unreachable or refuses the password exits 2 before fetching", "[redis][integration]")
{
    test_server site;
    auto const root = site.url("/site/0") + "?n=5&ms=0&fan=3";
    auto const port = std::to_string(weft::test::unused_port());
    auto const unreachable = weft::test::run_process(
        weft_args({"crawl", root, "--frontier", "redis://127.0.0.1:" + port, "--crawl-id", "x", "-q"}));
    CHECK(unreachable.exit_code == 2);
    CHECK_THAT(unreachable.err, Catch::Contains("127.0.0.1:" + port));

    redis_server locked({.append_only = false, .password = "s3cret-pw", .maxmemory = {}});
    auto const wrong = "redis://:not-it@127.0.0.1:" + std::to_string(locked.port());
    auto const refused = weft::test::run_process(weft_args({"crawl", root, "--frontier", wrong, "--crawl-id", "x", "-q"}));
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains(std::to_string(locked.port())));
    CHECK_THAT(refused.err, !Catch::Contains("not-it"));
    CHECK(site.total_requests() == 0);

    auto const right = weft::test::run_process(
        weft_args({"crawl", root, "--ignore-robots", "--frontier", locked.url(), "--crawl-id", "x", "-q"}));
    INFO(right.err);
    CHECK(right.exit_code == 0);
    CHECK(site.total_requests() == 5);
}

TEST_CASE("a crawl whose Redis runs out of memory stops saying so, and resumes to the whole crawl",
          "[redis][integration]")
{
    temp_dir dir;
    test_server site;
    auto const root = site.url("/site/0") + "?n=6000&ms=0&fan=4";
    redis_server redis({.append_only = false, .password = {}, .maxmemory = "2mb"}); // about 2,000 pages
    std::vector<std::string> const args{"crawl", root, "--ignore-robots", "--lease", "2", "--frontier", redis.url(),
                                        "--crawl-id", "oom", "-q"};
    auto const stopped = weft::test::run_process(weft_args(args), {}, 120s);
    INFO(stopped.err);
    CHECK(stopped.exit_code != 0);
    CHECK_THAT(stopped.err, Catch::Contains("out of memory") && Catch::Contains("maxmemory") &&
                                Catch::Contains(std::to_string(redis.port())));

    auto const raised = weft::test::run_process(
        {"/usr/bin/redis-cli", "-p", std::to_string(redis.port()), "config", "set", "maxmemory", "0"});
    REQUIRE(raised.exit_code == 0);
    std::this_thread::sleep_for(2500ms); // the stopped crawl's leases expire
    auto const resumed = weft::test::run_process(weft_args(args), {}, 120s);
    INFO(resumed.err);
    CHECK(resumed.exit_code == 0);
    auto const exported =
        weft::test::run_process(weft_args({"export", redis.url(), "--crawl-id", "oom", "-o", (dir / "o.jsonl").string()}));
    REQUIRE(exported.exit_code == 0);
    auto const got = urls_in(dir / "o.jsonl");
    CHECK(got.size() == 6000); // every page, once
    for (auto const& [u, n] : got)
        if (n != 1)
            FAIL_CHECK(u << " written " << n << " times");
}
