#include <weft/chromium/browser.hpp>

#include "killed_browser.hpp"

#include <support/failure_of.hpp>
#include <support/run_sync.hpp>
#include <support/test_server.hpp>

#include <boost/asio/this_coro.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>

namespace chromium = weft::chromium;
using namespace std::chrono_literals;
using weft::task;
using weft::test::run_sync;

TEST_CASE("Chromium is installed where weft looks for it", "[chromium][browser]")
{
    // A missing browser fails the suite here, with the fix in the message, instead of skipping.
    char const* env = std::getenv("WEFT_CHROMIUM");
    std::string exe = env && *env ? env : "/usr/bin/chromium";
    INFO("no Chromium at " << exe << ": install it (apt-get install chromium, scripts/setup.sh) or set WEFT_CHROMIUM");
    REQUIRE(std::filesystem::exists(exe));
}

TEST_CASE("a browser launches, reports its version, and closes removing its profile", "[chromium][browser]")
{
    auto dir = run_sync(
        []() -> task<std::string>
        {
            auto b = co_await chromium::browser::async_launch(co_await boost::asio::this_coro::executor);
            CHECK(b.is_connected());
            CHECK(b.pid() > 0);
            CHECK(b.version().starts_with("Chrome/"));
            co_await b.async_ping(2s);
            auto p = co_await b.async_new_page();
            CHECK_FALSE(p.is_closed());
            CHECK(co_await p.async_evaluate("1 + 2") == 3);
            co_await p.async_close();
            CHECK(p.is_closed());
            int const pid = b.pid();
            co_await b.async_close();
            CHECK_FALSE(b.is_connected());
            CHECK(::kill(pid, 0) != 0); // gone and reaped
            co_return std::to_string(pid);
        }());
    CHECK_FALSE(dir.empty());
}

TEST_CASE("a missing executable fails with launch_failed naming it", "[chromium][browser]")
{
    run_sync(
        []() -> task<void>
        {
            chromium::launch_options opts;
            opts.executable = "/nonexistent/chromium";
            {
                auto const e = co_await weft::test::failure_of(
                    chromium::browser::async_launch(co_await boost::asio::this_coro::executor, opts), "launch");
                CHECK(e.code() == chromium::error::launch_failed);
                CHECK_THAT(e.what(), Catch::Contains("/nonexistent/chromium"));
            }
        }());
}

TEST_CASE("a browser killed mid-operation fails pending calls at once with browser_closed", "[chromium][browser]")
{
    // Over the pipe and over a WebSocket alike, the process's exit status is the reason.
    auto transport = GENERATE(chromium::devtools_transport::pipe, chromium::devtools_transport::websocket);
    run_sync(
        [](chromium::devtools_transport transport) -> task<void>
        {
            chromium::launch_options opts;
            opts.transport = transport;
            auto b = co_await chromium::browser::async_launch(co_await boost::asio::this_coro::executor, opts);
            auto what = co_await weft::test::expect_killed_fails_fast(&b, b.pid());
            CHECK_THAT(what, Catch::Contains("signal 9"));
            CHECK_THAT(b.close_reason(), Catch::Contains("killed by signal 9"));
            co_await b.async_close();
        }(transport));
}
