// browser over a WebSocket: launched with devtools_transport::websocket, and attached to a
// Chromium started outside weft with browser::async_connect.
#include <weft/chromium/browser.hpp>

#include "killed_browser.hpp"
#include "running_chromium.hpp"

#include <support/failure_of.hpp>
#include <support/run_sync.hpp>
#include <support/test_server.hpp>

#include <boost/asio/this_coro.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

namespace chromium = weft::chromium;
using namespace std::chrono_literals;
using weft::task;
using weft::test::run_sync;
using weft::test::running_chromium;
using weft::test::test_server;

namespace
{

// Connecting to `endpoint` fails with connect_failed, naming it and `cause`, within a second.
task<void> check_cannot_connect(std::string endpoint, std::string cause)
{
    auto const start = std::chrono::steady_clock::now();
    try
    {
        co_await chromium::browser::async_connect(co_await boost::asio::this_coro::executor, endpoint);
        FAIL("connect to " << endpoint << " did not throw");
    }
    catch (weft::system_error const& e)
    {
        CHECK(e.code() == chromium::error::connect_failed);
        CHECK(e.code() == weft::condition::network);
        CHECK_THAT(e.what(), Catch::Contains(endpoint) && Catch::Contains(cause));
    }
    CHECK(std::chrono::steady_clock::now() - start < 1s);
}

} // namespace

TEST_CASE("a browser launched over a WebSocket names its endpoint and closes like a piped one",
          "[chromium][browser][websocket]")
{
    run_sync(
        []() -> task<void>
        {
            chromium::launch_options opts;
            opts.transport = chromium::devtools_transport::websocket;
            auto b = co_await chromium::browser::async_launch(co_await boost::asio::this_coro::executor, opts);
            CHECK(b.is_connected());
            CHECK(b.pid() > 0);
            CHECK(b.version().starts_with("Chrome/"));
            CHECK_THAT(b.endpoint(), Catch::StartsWith("ws://127.0.0.1:") && Catch::Contains("/devtools/browser/"));
            auto p = co_await b.async_new_page();
            CHECK(co_await p.async_evaluate("1 + 2") == 3);
            int const pid = b.pid();
            co_await b.async_close();
            CHECK_FALSE(b.is_connected());
            CHECK(::kill(pid, 0) != 0); // gone and reaped
        }());
}

TEST_CASE("async_connect attaches to a running Chromium by its ws:// and http:// endpoints and leaves it running",
          "[chromium][browser][websocket]")
{
    running_chromium running;
    test_server server;
    auto url = server.url("/html?title=attached");
    run_sync(
        [](running_chromium* running, std::string url) -> task<void>
        {
            auto ex = co_await boost::asio::this_coro::executor;
            {
                auto b = co_await chromium::browser::async_connect(ex, running->ws_endpoint());
                CHECK(b.is_connected());
                CHECK(b.pid() == -1); // not ours
                CHECK(b.endpoint() == running->ws_endpoint());
                CHECK(b.version().starts_with("Chrome/"));
                auto p = co_await b.async_new_page();
                auto res = co_await p.async_goto(url);
                CHECK(res.status == 200);
                CHECK(co_await p.async_title() == "attached");
                co_await p.async_close();
                co_await b.async_disconnect();
                CHECK_FALSE(b.is_connected());
                CHECK_THAT(b.close_reason(), Catch::Contains("disconnected from " + running->ws_endpoint()));
                {
                    auto const e = co_await weft::test::failure_of(b.async_new_page(), "new_page after disconnect");
                    CHECK(e.code() == chromium::error::browser_closed);
                }
            }
            CHECK(running->alive());
            {
                // /json/version names the same WebSocket; destroying the handle only disconnects.
                auto b = co_await chromium::browser::async_connect(ex, running->http_endpoint());
                CHECK(b.endpoint() == running->ws_endpoint());
                auto p = co_await b.async_new_page();
                CHECK(co_await p.async_evaluate("6 * 7") == 42);
            }
            CHECK(running->alive());
            auto again =
                co_await chromium::browser::async_connect(ex, running->http_endpoint(), {.connect_timeout = 5s});
            co_await again.async_ping(2s);
            co_await again.async_close(); // a connected browser is not closed, only left
        }(&running, url));
    CHECK(running.alive());
}

TEST_CASE("browser contexts keep cookies apart, close with their pages, and go when the connection is dropped",
          "[chromium][browser][websocket][context]")
{
    running_chromium running;
    test_server server;
    auto url = server.url("/html?title=ctx");
    run_sync(
        [](running_chromium* running, std::string url) -> task<void>
        {
            auto ex = co_await boost::asio::this_coro::executor;
            auto b = co_await chromium::browser::async_connect(ex, running->ws_endpoint());
            auto alice = co_await b.async_new_context();
            auto bob = co_await b.async_new_context();
            CHECK(alice.id() != bob.id());
            auto alice1 = co_await alice.async_new_page();
            auto alice2 = co_await alice.async_new_page();
            auto bobs = co_await bob.async_new_page();
            auto shared = co_await b.async_new_page(); // the default context
            for (auto* p : {&alice1, &alice2, &bobs, &shared})
                co_await p->async_goto(url);
            co_await alice1.async_evaluate("document.cookie = 'who=alice'");
            CHECK(co_await alice2.async_evaluate("document.cookie") == "who=alice");
            CHECK(co_await bobs.async_evaluate("document.cookie") == "");
            CHECK(co_await shared.async_evaluate("document.cookie") == "");

            co_await alice.async_close();
            auto tabs = running->tabs();
            CHECK_FALSE(tabs.contains(alice1.target_id()));
            CHECK_FALSE(tabs.contains(alice2.target_id()));
            CHECK(tabs.contains(bobs.target_id()));
            co_await alice.async_close(); // closed already: not an error

            // As when weft is killed: the connection ends without anyone closing anything.
            // Chromium disposes of bob's context; the default context's tab stays.
            b.abandon("weft went away");
            CHECK_FALSE(b.is_connected());
            CHECK_THAT(b.close_reason(), Catch::Contains("weft went away"));
            CHECK(co_await weft::test::tabs_become(
                running, [&](auto const& now) { return !now.contains(bobs.target_id()); }));
            CHECK(running->tabs().contains(shared.target_id()));
            auto const e = co_await weft::test::failure_of(bob.async_new_page(), "new_page after the end");
            CHECK(e.code() == chromium::error::browser_closed);
        }(&running, url));
    CHECK(running.alive());
}

TEST_CASE("async_connect to an endpoint without a browser fails at once naming it and the cause",
          "[chromium][browser][websocket]")
{
    test_server not_chromium;
    auto const port = std::to_string(weft::test::unused_port());
    run_sync(
        [](std::string port, std::string not_chromium) -> task<void>
        {
            co_await check_cannot_connect("ws://127.0.0.1:" + port + "/devtools/browser/x", "refused");
            co_await check_cannot_connect("http://127.0.0.1:" + port, "--remote-debugging-port=" + port);
            co_await check_cannot_connect(not_chromium, "/json/version answered HTTP 404");
            co_await check_cannot_connect("127.0.0.1:" + port, "expected ws://host:port/devtools/browser/<id>");
            co_await check_cannot_connect("https://127.0.0.1:" + port, "or http://host:port");
        }(port, not_chromium.url("")));
}

TEST_CASE("a connected Chromium killed under its WebSocket fails pending commands at once with browser_closed",
          "[chromium][browser][websocket]")
{
    // (A launched one, over either transport: browser_test.cpp.)
    running_chromium running;
    auto what = run_sync(
        [](running_chromium* running) -> task<std::string>
        {
            auto b = co_await chromium::browser::async_connect(co_await boost::asio::this_coro::executor,
                                                               running->ws_endpoint());
            auto what = co_await weft::test::expect_killed_fails_fast(&b, running->pid());
            CHECK_THAT(b.close_reason(), Catch::Contains("the DevTools WebSocket " + running->ws_endpoint()));
            co_await b.async_close();
            co_return what;
        }(&running));
    CHECK_THAT(what, Catch::Contains("WebSocket") && Catch::Contains(running.ws_endpoint()));
    CHECK(running.ends_within(2s));
}

TEST_CASE("WebSocket messages beyond Beast's 16 MiB default arrive; beyond max_message_size they end the connection",
          "[chromium][browser][websocket]")
{
    run_sync(
        []() -> task<void>
        {
            auto ex = co_await boost::asio::this_coro::executor;
            chromium::launch_options opts;
            opts.transport = chromium::devtools_transport::websocket;
            auto b = co_await chromium::browser::async_launch(ex, opts);
            auto p = co_await b.async_new_page();
            auto big = co_await p.async_evaluate("'x'.repeat(24 * 1024 * 1024)");
            CHECK(big.get_ref<std::string const&>().size() == 24u * 1024 * 1024);

            // A second client on the same browser, with a 1 MiB limit.
            auto small = co_await chromium::browser::async_connect(ex, b.endpoint(), {.max_message_size = 1 << 20});
            auto q = co_await small.async_new_page();
            {
                auto const e = co_await weft::test::failure_of(q.async_evaluate("'x'.repeat(2 * 1024 * 1024)"),
                                                               "a message over max_message_size did not fail");
                CHECK(e.code() == chromium::error::browser_closed);
                CHECK_THAT(e.what(), Catch::Contains("max_message_size"));
            }
            CHECK_FALSE(small.is_connected());
            CHECK(b.is_connected()); // the other client is unaffected
            CHECK(co_await p.async_evaluate("1 + 1") == 2);
            co_await b.async_close();
        }());
}
