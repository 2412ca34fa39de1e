#include <weft/async/wait_until.hpp>

#include "support/run_sync.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace
{

int calls = 0;

bool third_time()
{
    return ++calls >= 3;
}

weft::task<bool> async_third_time()
{
    co_await weft::sleep(1ms);
    co_return ++calls >= 3;
}

bool never()
{
    return ++calls < 0;
}

weft::task<bool> hangs()
{
    co_await weft::sleep(10s);
    co_return true;
}

bool throws()
{
    throw std::runtime_error("broken predicate");
}

} // namespace

TEST_CASE("wait_until returns once a bool predicate holds", "[async][wait_until]")
{
    calls = 0;
    weft::test::run_sync(weft::wait_until(third_time, {.timeout = 5s, .interval = 1ms}));
    CHECK(calls == 3);
}

TEST_CASE("wait_until accepts a task<bool> predicate", "[async][wait_until]")
{
    calls = 0;
    weft::test::run_sync(weft::wait_until(async_third_time, {.timeout = 5s, .interval = 1ms}));
    CHECK(calls == 3);
}

TEST_CASE("wait_until throws timed_out naming what and how long", "[async][wait_until]")
{
    calls = 0;
    auto t0 = clk::now();
    try
    {
        weft::test::run_sync(weft::wait_until(never, {.timeout = 50ms, .interval = 5ms, .backoff = 2.0}, "page ready"));
        FAIL("no timeout");
    }
    catch (boost::system::system_error const& e)
    {
        CHECK(e.code() == weft::condition::timeout);
        CHECK(std::string(e.what()) == "page ready timed out after 50 ms");
    }
    CHECK(clk::now() - t0 < 2s);
    CHECK(calls >= 2);
    CHECK(calls < 10); // backoff: 5, 10, 20 ms ...
}

TEST_CASE("wait_until bounds a predicate that hangs", "[async][wait_until]")
{
    auto t0 = clk::now();
    CHECK_THROWS_AS(weft::test::run_sync(weft::wait_until(hangs, {.timeout = 50ms})), weft::timeout_error);
    CHECK(clk::now() - t0 < 2s);
}

TEST_CASE("wait_until propagates the predicate's exception", "[async][wait_until]")
{
    CHECK_THROWS_WITH(weft::test::run_sync(weft::wait_until(throws)), "broken predicate");
}
