#include <weft/chromium/page_pool.hpp>

#include <weft/async/gather.hpp>
#include <weft/async/sleep.hpp>

#include <support/run_sync.hpp>
#include <support/test_server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <string>

namespace asio = boost::asio;
namespace chromium = weft::chromium;
using namespace std::chrono_literals;
using weft::task;
using weft::test::run_sync;
using weft::test::test_server;

namespace
{

struct gauge
{
    int now = 0;
    int peak = 0;
};

task<std::string> title_of(chromium::page& p, std::string url, gauge* g)
{
    g->peak = std::max(g->peak, ++g->now);
    co_await p.async_goto(url);
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
