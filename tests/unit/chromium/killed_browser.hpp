// expect_killed_fails_fast: what every browser must do when its process dies under a command.
#pragma once

#include <weft/chromium/browser.hpp>

#include <weft/async/sleep.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <string>

namespace weft::test
{

/// Waits on a selector that never appears while `pid` is SIGKILLed 200 ms in: the wait must
/// fail within 3 s with browser_closed, the browser must say it is disconnected, and later
/// calls must fail at once too. Returns the wait's error message.
inline task<std::string> expect_killed_fails_fast(chromium::browser* b, int pid)
{
    using namespace std::chrono_literals;
    auto p = co_await b->async_new_page();
    boost::asio::co_spawn(
        co_await boost::asio::this_coro::executor,
        [](int pid) -> task<void>
        {
            co_await weft::sleep(200ms);
            ::kill(pid, SIGKILL);
        }(pid),
        [](std::exception_ptr e) { REQUIRE_FALSE(e); });
    auto const start = std::chrono::steady_clock::now();
    std::string what;
    try
    {
        co_await p.async_wait_for_selector("#never", {.timeout = 20s});
        FAIL("wait_for_selector did not throw");
    }
    catch (weft::system_error const& e)
    {
        CHECK(e.code() == chromium::error::browser_closed);
        CHECK(e.code() == weft::condition::network);
        what = e.what();
    }
    CHECK(std::chrono::steady_clock::now() - start < 3s);
    CHECK_FALSE(b->is_connected());
    try
    {
        co_await p.async_evaluate("1");
        FAIL("evaluate on a dead browser did not throw");
    }
    catch (weft::system_error const& e)
    {
        CHECK(e.code() == chromium::error::browser_closed);
    }
    co_return what;
}

} // namespace weft::test
