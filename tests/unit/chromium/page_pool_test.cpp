#include <weft/chromium/page_pool.hpp>

#include <weft/async/gather.hpp>
#include <weft/async/sleep.hpp>

#include "running_chromium.hpp"

#include <support/failure_of.hpp>
#include <support/run_sync.hpp>
#include <support/test_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <set>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace chromium = weft::chromium;
using namespace std::chrono_literals;
using weft::task;
using weft::test::run_sync;
using weft::test::running_chromium;
using weft::test::tabs_become;
using weft::test::test_server;

namespace
{

struct gauge
{
    int now = 0;
    int peak = 0;
    // Jobs hold their page (up to 5 s) until this many ran at once, so that whether they overlap
    // does not depend on timing (under ASan a job can end before the next page exists).
    int hold_until = 0;
};

task<std::string> title_of(chromium::page& p, std::string url, gauge* g)
{
    g->peak = std::max(g->peak, ++g->now);
    co_await p.async_goto(url);
    for (auto const give_up = std::chrono::steady_clock::now() + 5s;
         g->peak < g->hold_until && std::chrono::steady_clock::now() < give_up;)
        co_await weft::sleep(10ms);
    auto t = co_await p.async_title();
    --g->now;
    co_return t;
}

task<std::string> run_one(chromium::page_pool* pool, std::string url, gauge* g)
{
    co_return co_await pool->async_run([url, g](chromium::page& p) { return title_of(p, url, g); });
}

task<void> kill_after(int pid, std::chrono::milliseconds after, int sig)
{
    co_await weft::sleep(after);
    ::kill(pid, sig);
}

bool has(std::set<std::string> const& tabs, std::string const& id)
{
    return tabs.contains(id);
}

// The target ids of max_pages pages leased at once (then returned to the pool).
task<std::vector<std::string>> pool_tabs(chromium::page_pool* pool, std::size_t max_pages)
{
    std::vector<chromium::page_pool::lease> leases;
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < max_pages; ++i)
    {
        leases.push_back(co_await pool->async_acquire());
        ids.push_back(leases.back()->target_id());
    }
    co_return ids;
}

} // namespace

TEST_CASE("a page pool keeps at most max_pages pages and reuses them", "[chromium][pool]")
{
    test_server server;
    auto url = server.url("/html?title=pooled");
    run_sync(
        [](std::string url) -> task<void>
        {
            auto ex = co_await asio::this_coro::executor;
            chromium::pool_options o;
            o.max_pages = 2;
            chromium::page_pool pool(ex, {}, o);
            gauge g;
            g.hold_until = 2;
            std::vector<int> jobs{1, 2, 3, 4, 5};
            weft::gather_options go;
            go.concurrency = 5;
            auto titles = co_await weft::gather(
                jobs, [p = &pool, url, gp = &g](int) { return run_one(p, url, gp); }, go);
            REQUIRE(titles.size() == 5);
            CHECK(titles[0] == "pooled");
            CHECK(titles[4] == "pooled");
            CHECK(g.peak == 2);
            CHECK(pool.open_pages() == 2);
            CHECK(pool.restarts() == 0);
            co_await pool.async_close();
        }(url));
}

TEST_CASE("a page pool restarts a crashed browser and retries the job that was in it", "[chromium][pool]")
{
    test_server server;
    auto slow = server.url("/slow-headers?ms=1500");
    run_sync(
        [](std::string slow) -> task<void>
        {
            auto ex = co_await asio::this_coro::executor;
            chromium::page_pool pool(ex);
            gauge g;
            // Launch, then kill -9 the browser while the job waits for the slow page.
            auto warm = co_await pool.async_acquire();
            int const pid = pool.browser_pid();
            {
                auto drop = std::move(warm);
            }
            asio::co_spawn(ex, kill_after(pid, 300ms, SIGKILL), [](std::exception_ptr e) { REQUIRE_FALSE(e); });
            auto const start = std::chrono::steady_clock::now();
            auto title = co_await run_one(&pool, slow, &g);
            CHECK(title.empty()); // /slow-headers answers "slow" as text; no <title>
            CHECK(pool.restarts() == 1);
            CHECK(pool.retries() == 1);
            CHECK(pool.browser_pid() != pid);
            // The retry starts at the kill, not after the first attempt's 30 s deadline.
            CHECK(std::chrono::steady_clock::now() - start < 10s);
            co_await pool.async_close();
        }(slow));
}

TEST_CASE("a page pool kills a hung browser (no ping answer) and retries on a new one", "[chromium][pool]")
{
    test_server server;
    auto slow = server.url("/slow-headers?ms=1000");
    run_sync(
        [](std::string slow) -> task<void>
        {
            auto ex = co_await asio::this_coro::executor;
            chromium::pool_options o;
            o.ping_interval = 200ms;
            o.ping_timeout = 300ms;
            chromium::page_pool pool(ex, {}, o);
            gauge g;
            auto warm = co_await pool.async_acquire();
            int const pid = pool.browser_pid();
            {
                auto drop = std::move(warm);
            }
            // SIGSTOP: the process lives but answers nothing, as a hung browser.
            asio::co_spawn(ex, kill_after(pid, 200ms, SIGSTOP), [](std::exception_ptr e) { REQUIRE_FALSE(e); });
            auto const start = std::chrono::steady_clock::now();
            auto title = co_await run_one(&pool, slow, &g);
            CHECK(title.empty());
            CHECK(pool.restarts() == 1);
            CHECK(pool.browser_pid() != pid);
            CHECK(std::chrono::steady_clock::now() - start < 10s);
            co_await pool.async_close();
        }(slow));
}

TEST_CASE("an attached page pool renders in the running Chromium; async_close leaves it and its other tabs running",
          "[chromium][pool][connect]")
{
    running_chromium running;
    test_server server;
    auto url = server.url("/html?title=attached");
    run_sync(
        [](running_chromium* running, std::string url) -> task<void>
        {
            auto ex = co_await asio::this_coro::executor;
            // Someone else's tab in the same browser, on their own connection.
            auto other = co_await chromium::browser::async_connect(ex, running->http_endpoint());
            auto theirs = co_await other.async_new_page();
            co_await theirs.async_goto(url);

            chromium::pool_options o;
            o.max_pages = 2;
            chromium::page_pool pool(ex, running->ws_endpoint(), {}, o);
            gauge g;
            std::vector<int> jobs{1, 2, 3};
            weft::gather_options go;
            go.concurrency = 3;
            auto titles = co_await weft::gather(
                jobs, [p = &pool, url, gp = &g](int) { return run_one(p, url, gp); }, go);
            REQUIRE(titles.size() == 3);
            CHECK(titles[0] == "attached");
            CHECK(titles[2] == "attached");
            // How many overlap is a matter of timing; the first test pins max_pages.
            CHECK(g.peak <= 2);
            CHECK(pool.browser_pid() == -1); // not ours
            REQUIRE(pool.current_browser());
            CHECK(pool.current_browser()->endpoint() == running->ws_endpoint());
            auto const ours = co_await pool_tabs(&pool, 2);
            CHECK(has(running->tabs(), ours[0]));
            CHECK(has(running->tabs(), ours[1]));

            co_await pool.async_close();
            CHECK(pool.current_browser() == nullptr);
            CHECK(co_await tabs_become(running,
                                       [&](auto const& tabs) { return !has(tabs, ours[0]) && !has(tabs, ours[1]); }));
            CHECK(has(running->tabs(), theirs.target_id()));
            CHECK(co_await theirs.async_title() == "attached"); // their connection is untouched
            auto const e = co_await weft::test::failure_of(pool.async_acquire(), "acquire after close");
            CHECK(e.code() == chromium::error::browser_closed);
            co_await other.async_disconnect();
        }(&running, url));
    CHECK(running.alive());
}

TEST_CASE("an attached page pool reconnects after losing its connection and its destructor closes its tabs",
          "[chromium][pool][connect]")
{
    running_chromium running;
    test_server server;
    auto url = server.url("/html?title=again");
    run_sync(
        [](running_chromium* running, std::string url) -> task<void>
        {
            auto ex = co_await asio::this_coro::executor;
            auto other = co_await chromium::browser::async_connect(ex, running->ws_endpoint());
            auto theirs = co_await other.async_new_page();
            std::string first, second;
            {
                chromium::pool_options o;
                o.max_pages = 1;
                chromium::page_pool pool(ex, running->http_endpoint(), {.connect_timeout = 5s}, o);
                gauge g;
                CHECK(co_await run_one(&pool, url, &g) == "again");
                first = (co_await pool_tabs(&pool, 1))[0];

                // The connection ends under the pool (as when a farm's proxy drops it): the next
                // job connects again, and the tab the old connection left open is closed.
                co_await pool.current_browser()->async_disconnect();
                CHECK(co_await run_one(&pool, url, &g) == "again");
                CHECK(pool.restarts() == 1);
                second = (co_await pool_tabs(&pool, 1))[0];
                CHECK(second != first);
                CHECK(co_await tabs_become(running, [&](auto const& tabs) { return !has(tabs, first); }));
                CHECK(has(running->tabs(), second));
            } // destroyed without async_close: it leaves in a task on this loop
            CHECK(co_await tabs_become(running, [&](auto const& tabs) { return !has(tabs, second); }));
            CHECK(has(running->tabs(), theirs.target_id()));
            CHECK(co_await theirs.async_evaluate("6 * 7") == 42);

            // The browser still takes new clients.
            auto again = co_await chromium::browser::async_connect(ex, running->http_endpoint());
            co_await again.async_ping(2s);
            co_await again.async_disconnect();
            co_await other.async_disconnect();
        }(&running, url));
    CHECK(running.alive());
    CHECK_THAT(running.get("/json/version"), Catch::Contains("webSocketDebuggerUrl"));
}

TEST_CASE("an attached page pool disconnects from a hung browser, not kills it, and retries on a new connection",
          "[chromium][pool][connect]")
{
    running_chromium running;
    test_server server;
    auto slow = server.url("/slow-headers?ms=1000");
    run_sync(
        [](running_chromium* running, std::string slow) -> task<void>
        {
            auto ex = co_await asio::this_coro::executor;
            chromium::pool_options o;
            o.ping_interval = 200ms;
            o.ping_timeout = 300ms;
            chromium::page_pool pool(ex, running->ws_endpoint(), {}, o);
            gauge g;
            {
                auto warm = co_await pool.async_acquire();
            }
            // Stopped: it answers nothing, as a hung browser. Continued well after the watchdog
            // gave up on it, so the new connection (which waits for it) succeeds.
            asio::co_spawn(ex, kill_after(running->pid(), 200ms, SIGSTOP),
                           [](std::exception_ptr e) { REQUIRE_FALSE(e); });
            asio::co_spawn(ex, kill_after(running->pid(), 2'000ms, SIGCONT),
                           [](std::exception_ptr e) { REQUIRE_FALSE(e); });
            auto const start = std::chrono::steady_clock::now();
            auto title = co_await run_one(&pool, slow, &g);
            CHECK(title.empty()); // /slow-headers answers text
            CHECK(pool.restarts() == 1);
            CHECK(pool.retries() == 1);
            CHECK(std::chrono::steady_clock::now() - start < 10s);
            co_await pool.async_close();
        }(&running, slow));
    CHECK(running.alive());
}

TEST_CASE("a page pool attached to an endpoint nobody listens on fails at once with connect_failed naming it",
          "[chromium][pool][connect]")
{
    auto const endpoint = "http://127.0.0.1:" + std::to_string(weft::test::unused_port());
    run_sync(
        [](std::string endpoint) -> task<void>
        {
            chromium::page_pool pool(co_await asio::this_coro::executor, endpoint);
            for (int attempt = 0; attempt < 2; ++attempt) // a failed connection is tried again
            {
                auto const start = std::chrono::steady_clock::now();
                auto const e = co_await weft::test::failure_of(pool.async_acquire(), "acquire");
                CHECK(e.code() == chromium::error::connect_failed);
                CHECK_THAT(e.what(), Catch::Contains(endpoint));
                CHECK(std::chrono::steady_clock::now() - start < 1s);
            }
            CHECK(pool.current_browser() == nullptr);
            co_await pool.async_close();
        }(endpoint));
}
