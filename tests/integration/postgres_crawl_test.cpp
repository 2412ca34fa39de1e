// `weft crawl -o postgresql://...` against a real PostgreSQL 15: rows queryable by url, bad
// outputs refused before any page is fetched, and exactly once with --job-dir under kill -9.
#include "support/postgres_server.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

using namespace std::chrono_literals;

namespace
{

// `n` pages: page i links to pages 2i+1 and 2i+2 (a binary tree from index.html) and home.
void make_site(std::filesystem::path const& root, int n)
{
    std::filesystem::create_directories(root);
    for (int i = 0; i < n; ++i)
    {
        std::string body = "<html><head><title>Page " + std::to_string(i) + "</title></head><body>";
        for (int c : {2 * i + 1, 2 * i + 2})
            if (c < n)
                body += "<a href=\"/p" + std::to_string(c) + ".html\">child</a>";
        body += "<a href=\"/\">home</a></body></html>";
        std::ofstream(root / (i == 0 ? std::string("index.html") : "p" + std::to_string(i) + ".html")) << body;
    }
}

std::size_t count_rows(weft::test::postgres_server const& pg, std::string const& table = "items")
{
    try
    {
        return std::stoul(pg.psql("SELECT count(*) FROM " + table));
    }
    catch (std::runtime_error const&) // the first run has not created the table yet
    {
        return 0;
    }
}

} // namespace

TEST_CASE("weft crawl -o postgresql:// writes every page's item once, queryable by url", "[postgres][cli]")
{
    weft::test::postgres_server pg;
    weft::test::temp_dir dir;
    make_site(dir / "site", 30);
    weft::test::test_server server({.tls = false, .root = dir / "site"});
    auto r = weft::test::run_process(
        {weft::test::weft_cli_path(), "crawl", server.url("/"), "-o", pg.url("?table=pages"), "-q"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(pg.psql("SELECT count(*), count(DISTINCT url) FROM pages") == "30|30\n");
    CHECK(pg.psql("SELECT data->>'url' FROM pages WHERE url = '" + server.url("/p7.html") + "'") ==
          server.url("/p7.html") + "\n");
}

TEST_CASE("weft crawl refuses a PostgreSQL output it cannot use with exit 2 before fetching a page", "[postgres][cli]")
{
    weft::test::postgres_server pg;
    weft::test::temp_dir dir;
    make_site(dir / "site", 5);
    weft::test::test_server server({.tls = false, .root = dir / "site"});
    auto const port = std::to_string(pg.port());
    std::string output, expect;
    SECTION("wrong password")
    {
        output = "postgres://weft:wrong@127.0.0.1:" + port + "/weft";
        expect = "password";
    }
    SECTION("missing database")
    {
        output = pg.url("", "missing_db");
        expect = "missing_db";
    }
    SECTION("a table of another shape")
    {
        pg.psql("CREATE TABLE items (url text, data text); ALTER TABLE items OWNER TO weft");
        output = pg.url();
        expect = "table 'items' in database 'weft'";
    }
    auto r = weft::test::run_process({weft::test::weft_cli_path(), "crawl", server.url("/"), "-o", output, "-q"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(expect) && Catch::Contains("127.0.0.1:" + port));
    CHECK(server.total_requests() == 0);
}

TEST_CASE("a crawl into PostgreSQL killed with SIGKILL and resumed has each page's item exactly once",
          "[postgres][cli][job]")
{
    constexpr int pages = 200;
    weft::test::postgres_server pg;
    weft::test::temp_dir dir;
    make_site(dir / "site", pages);
    weft::test::test_server server({.tls = false, .root = dir / "site"});
    // Slowed (--delay) with a group commit every 50 ms: a kill finds batches committed and in flight.
    std::vector<std::string> const args{weft::test::weft_cli_path(),
                                        "crawl",
                                        server.url("/"),
                                        "-o",
                                        pg.url(),
                                        "--job-dir",
                                        (dir / "job").string(),
                                        "-c",
                                        "4",
                                        "--delay",
                                        "10",
                                        "-q",
                                        "-s",
                                        "sink_flush_interval=50"};
    // Kills: at start-up, then once the table has these many rows (+ a few ms).
    std::vector<std::size_t> const kill_at{0, 10, 35, 60, 61, 100, 140, 170};
    int kills = 0;
    std::optional<int> code;
    for (std::size_t k = 0; k <= kill_at.size(); ++k)
    {
        pid_t const pid = weft::test::spawn_process(args, dir / "stderr");
        auto const deadline = std::chrono::steady_clock::now() + 60s;
        code.reset();
        if (k < kill_at.size())
        {
            while (!(code = weft::test::poll_exit(pid, false)) && std::chrono::steady_clock::now() < deadline &&
                   count_rows(pg) < kill_at[k])
                std::this_thread::sleep_for(5ms);
            std::this_thread::sleep_for(std::chrono::milliseconds(7 * k));
            if (!code)
                ::kill(pid, SIGKILL);
        }
        while (!code && std::chrono::steady_clock::now() < deadline)
        {
            code = weft::test::poll_exit(pid, false);
            std::this_thread::sleep_for(5ms);
        }
        if (!code)
        {
            ::kill(pid, SIGKILL);
            FAIL("weft crawl did not finish within 60 s");
        }
        if (*code == 128 + SIGKILL)
            ++kills;
        else
            break;
    }
    std::ifstream err(dir / "stderr");
    std::stringstream text;
    text << err.rdbuf();
    INFO("last run's stderr: " << text.str());
    CHECK(*code == 0);
    CHECK(kills >= 5);
    auto doubled = pg.psql("SELECT url || ' x' || count(*) FROM items GROUP BY url HAVING count(*) > 1 LIMIT 10");
    CHECK(doubled == "");
    CHECK(pg.psql("SELECT count(DISTINCT url) FROM items") == std::to_string(pages) + "\n");
}

TEST_CASE("a crawl whose PostgreSQL server goes away stops cleanly, and resuming it completes it exactly once",
          "[postgres][cli][job]")
{
    constexpr int pages = 120;
    weft::test::postgres_server pg;
    weft::test::temp_dir dir;
    make_site(dir / "site", pages);
    weft::test::test_server server({.tls = false, .root = dir / "site"});
    std::vector<std::string> const args{weft::test::weft_cli_path(),
                                        "crawl",
                                        server.url("/"),
                                        "-o",
                                        pg.url(),
                                        "--job-dir",
                                        (dir / "job").string(),
                                        "-c",
                                        "2",
                                        "--delay",
                                        "40",
                                        "-q",
                                        "-s",
                                        "sink_flush_interval=50"};
    pid_t const pid = weft::test::spawn_process(args, dir / "stderr");
    auto const deadline = std::chrono::steady_clock::now() + 60s;
    while (count_rows(pg) < 10 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    pg.stop(); // for longer than the sink's retries (0.5 + 1 + 2 + 4 s)
    std::optional<int> code;
    while (!(code = weft::test::poll_exit(pid, false)) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    if (!code)
        ::kill(pid, SIGKILL);
    std::ifstream err(dir / "stderr");
    std::stringstream text;
    text << err.rdbuf();
    INFO("stderr of the crawl that lost its server: " << text.str());
    REQUIRE(code);
    CHECK(*code != 0);
    CHECK(*code != 128 + SIGKILL);
    CHECK_THAT(text.str(), Catch::Contains("table 'items' in database 'weft'") && Catch::Contains("resume"));

    pg.start();
    auto r = weft::test::run_process(args, {}, 120s);
    INFO("stderr of the resumed crawl: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(pg.psql("SELECT count(*), count(DISTINCT url) FROM items") ==
          std::to_string(pages) + "|" + std::to_string(pages) + "\n");
}
