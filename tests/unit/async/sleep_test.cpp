#include <weft/async/sleep.hpp>

#include "support/run_sync.hpp"

#include <weft/async/with_timeout.hpp>

#include <boost/asio/error.hpp>
#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace
{

weft::task<clk::duration> timed_sleep(clk::duration d)
{
    auto t0 = clk::now();
    co_await weft::sleep(d);
    co_return clk::now() - t0;
}

weft::task<bool> sleep_is_aborted()
{
    try
    {
        co_await weft::with_timeout(weft::sleep(10s), 20ms, "sleep");
    }
    catch (weft::timeout_error const&)
    {
        co_return true;
    }
    co_return false;
}

} // namespace

TEST_CASE("sleep waits at least the duration", "[async][sleep]")
{
    auto took = weft::test::run_sync(timed_sleep(30ms));
    CHECK(took >= 30ms);
    CHECK(took < 2s);
}

TEST_CASE("sleep_until returns at once for a time in the past", "[async][sleep]")
{
    auto t0 = clk::now();
    weft::test::run_sync(weft::sleep_until(clk::now() - 1s));
    CHECK(clk::now() - t0 < 1s);
}

TEST_CASE("sleep is cancellable", "[async][sleep]")
{
    auto t0 = clk::now();
    CHECK(weft::test::run_sync(sleep_is_aborted()));
    CHECK(clk::now() - t0 < 2s);
}
