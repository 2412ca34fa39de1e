#include <weft/async/with_timeout.hpp>

#include "support/run_sync.hpp"

#include <weft/async/sleep.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;
namespace asio = boost::asio;

namespace
{

weft::task<int> value_after(clk::duration d, int v)
{
    co_await weft::sleep(d);
    co_return v;
}

weft::task<int> fail_after(clk::duration d)
{
    co_await weft::sleep(d);
    throw std::runtime_error("boom");
}

// Records how its sleep ended, to prove the operation beneath was really cancelled.
weft::task<void> observed_sleep(clk::duration d, boost::system::error_code* seen)
{
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    auto [ec] = co_await t.async_wait(asio::as_tuple(asio::deferred));
    *seen = ec;
    if (ec)
        throw boost::system::system_error(ec);
}

struct no_default
{
    explicit no_default(int v) : v(v) {}
    int v;
};

weft::task<no_default> make_no_default()
{
    co_await weft::sleep(1ms);
    co_return no_default(7);
}

template <class F>
weft::task<std::string> what_of(F f)
{
    try
    {
        co_await f();
    }
    catch (std::exception const& e)
    {
        co_return e.what();
    }
    co_return "";
}

weft::task<int> slow_fetch()
{
    return weft::with_timeout(value_after(10s, 1), 50ms, "fetch http://x/");
}

} // namespace

TEST_CASE("with_timeout returns the operation's value before the deadline", "[async][timeout]")
{
    CHECK(weft::test::run_sync(weft::with_timeout(value_after(1ms, 42), 5s)) == 42);
    // (run_sync itself co_spawns, so it needs a default-constructible result: see op_result.hpp)
    auto probe = []() -> weft::task<int> { co_return (co_await weft::with_timeout(make_no_default(), 5s)).v; };
    CHECK(weft::test::run_sync(probe()) == 7);
}

TEST_CASE("with_timeout supports task<void>", "[async][timeout]")
{
    weft::test::run_sync(weft::with_timeout(weft::sleep(1ms), 5s));
}

TEST_CASE("with_timeout throws timed_out naming what and how long, and cancels the operation", "[async][timeout]")
{
    boost::system::error_code seen;
    auto t0 = clk::now();
    try
    {
        weft::test::run_sync(weft::with_timeout(observed_sleep(10s, &seen), 50ms, "fetch http://x/"));
        FAIL("no timeout");
    }
    catch (boost::system::system_error const& e)
    {
        CHECK(e.code() == weft::error::timed_out);
        CHECK(e.code() == weft::condition::timeout);
        CHECK(std::string(e.what()) == "fetch http://x/ timed out after 50 ms");
    }
    CHECK(clk::now() - t0 < 2s);
    CHECK(seen == asio::error::operation_aborted);
}

TEST_CASE("with_timeout reports the operation's own error before the deadline", "[async][timeout]")
{
    auto t0 = clk::now();
    CHECK_THROWS_WITH(weft::test::run_sync(weft::with_timeout(fail_after(10ms), 10s)), "boom");
    CHECK(clk::now() - t0 < 5s);
}

TEST_CASE("with_timeout accepts a deferred Asio operation", "[async][timeout]")
{
    auto probe = []() -> weft::task<std::string>
    {
        asio::steady_timer quick(co_await asio::this_coro::executor, 1ms);
        co_await weft::with_timeout(quick.async_wait(asio::deferred), 5s, "quick");
        asio::steady_timer slow(co_await asio::this_coro::executor, 10s);
        try
        {
            co_await weft::with_timeout(slow.async_wait(asio::deferred), 30ms, "slow wait");
        }
        catch (weft::timeout_error const& e)
        {
            co_return e.what();
        }
        co_return "";
    };
    CHECK(weft::test::run_sync(probe()) == "slow wait timed out after 30 ms");
}

TEST_CASE("with_timeout's message survives a temporary what", "[async][timeout]")
{
    CHECK(weft::test::run_sync(what_of(slow_fetch)) == "fetch http://x/ timed out after 50 ms");
}

// Pins the 1.81 behaviour that with_timeout exists to avoid (docs/ARCHITECTURE.md, trap 1): `a || timer`
// waits for the first *success*, so a fast failure is lost and the whole deadline is waited.
TEST_CASE("boost 1.81: operator|| turns a fast failure into the timer winning", "[async][timeout][quirk]")
{
    using namespace asio::experimental::awaitable_operators;
    auto probe = []() -> weft::task<std::size_t>
    {
        auto r = co_await (fail_after(1ms) || weft::sleep(300ms));
        co_return r.index();
    };
    auto t0 = clk::now();
    CHECK(weft::test::run_sync(probe()) == 1);
    CHECK(clk::now() - t0 >= 300ms);
}
