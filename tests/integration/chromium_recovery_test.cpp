// The chromium render fetcher survives its browser being killed in the middle of work: the
// renders in flight fail over to a relaunched browser and complete; none is lost or hangs.
#include <weft/chromium/render_fetcher.hpp>

#include <weft/async/gather.hpp>
#include <weft/async/sleep.hpp>
#include <weft/http/fetcher_registry.hpp>

#include <support/run_sync.hpp>
#include <support/test_server.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace chromium = weft::chromium;
namespace http = weft::http;
using namespace std::chrono_literals;
using weft::task;
using weft::test::run_sync;
using weft::test::test_server;

namespace
{

task<int> render_status(http::fetcher* f, std::string url)
{
    auto req = http::request{url};
    req.meta()["block"] = {"image"};
    auto [ec, res] = co_await f->async_fetch(std::move(req), nullptr, asio::as_tuple(asio::deferred));
    if (ec)
        throw weft::system_error(ec, res.error_detail);
    co_return res.status;
}

// Kills the browser once all three renders have a page and are waiting on the server.
task<void> kill_browser_when_busy(chromium::render_fetcher* f, test_server* server)
{
    auto const give_up = std::chrono::steady_clock::now() + 15s;
    while (f->pool().browser_pid() <= 0 || f->pool().open_pages() < 3 || server->request_count("/slow-headers") < 3)
    {
        if (std::chrono::steady_clock::now() > give_up)
            throw std::runtime_error("the renders never reached the server");
        co_await weft::sleep(20ms);
    }
    ::kill(f->pool().browser_pid(), SIGKILL);
}

} // namespace

TEST_CASE("chromium renders in flight when the browser is killed are retried on a new browser",
          "[chromium][integration]")
{
    test_server server;
    // 3 s per answer: on a loaded machine the third render may reach the server a second after the
    // first; the first must still be waiting when the browser dies, so that all three are retried.
    auto url = server.url("/slow-headers?ms=3000");
    run_sync(
        [](std::string url, test_server* server) -> task<void>
        {
            auto ex = co_await asio::this_coro::executor;
            auto f = http::make_fetcher("chromium", ex);
            auto* chromium_fetcher = dynamic_cast<chromium::render_fetcher*>(f.get());
            REQUIRE(chromium_fetcher);
            // Three renders (distinct URLs: Chromium's cache lock would serialize identical ones)
            // wait on the slow server; the browser is killed under them.
            asio::co_spawn(ex, kill_browser_when_busy(chromium_fetcher, server),
                           [](std::exception_ptr e) { REQUIRE_FALSE(e); });
            auto const start = std::chrono::steady_clock::now();
            std::vector<int> jobs{1, 2, 3};
            weft::gather_options go;
            go.concurrency = 3;
            auto statuses = co_await weft::gather(
                jobs, [f = f.get(), url](int i) { return render_status(f, url + "&job=" + std::to_string(i)); }, go);
            CHECK(statuses == std::vector<int>{200, 200, 200});
            CHECK(chromium_fetcher->pool().restarts() == 1);
            CHECK(chromium_fetcher->pool().retries() >= 1);
            CHECK(std::chrono::steady_clock::now() - start < 45s); // retried at once, not after a timeout
        }(url, &server));
    CHECK(server.request_count("/slow-headers") >= 6);
}
