#include <weft/async/race.hpp>

#include "support/run_sync.hpp"

#include <weft/async/sleep.hpp>

#include <boost/asio/error.hpp>
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace
{

struct probe
{
    bool started = false;
    bool aborted = false;
    bool ran_after = false;
};

weft::task<int> value_after(clk::duration d, int v, probe* p)
{
    p->started = true;
    try
    {
        co_await weft::sleep(d);
    }
    catch (boost::system::system_error const& e)
    {
        p->aborted = e.code() == boost::asio::error::operation_aborted;
        throw;
    }
    p->ran_after = true;
    co_return v;
}

weft::task<std::string> text_after(clk::duration d, std::string s)
{
    co_await weft::sleep(d);
    co_return s;
}

weft::task<void> fail_after(clk::duration d)
{
    co_await weft::sleep(d);
    throw std::runtime_error("boom");
}

} // namespace

TEST_CASE("race returns the first to complete and cancels the others", "[async][race]")
{
    probe slow;
    auto t0 = clk::now();
    auto r = weft::test::run_sync(weft::race(text_after(5ms, "fast"), value_after(10s, 1, &slow)));
    CHECK(clk::now() - t0 < 2s);
    REQUIRE(r.index() == 0);
    CHECK(std::get<0>(r) == "fast");
    CHECK(slow.started);
    CHECK(slow.aborted);
    CHECK_FALSE(slow.ran_after);
}

TEST_CASE("race maps void to monostate and keeps duplicate types apart", "[async][race]")
{
    probe a, b;
    auto r = weft::test::run_sync(weft::race(value_after(10s, 1, &a), value_after(1ms, 2, &b), weft::sleep(10s)));
    REQUIRE(r.index() == 1);
    CHECK(std::get<1>(r) == 2);
    CHECK(a.aborted);

    auto v = weft::test::run_sync(weft::race(weft::sleep(1ms), value_after(10s, 1, &a)));
    CHECK(v.index() == 0);
    CHECK(std::holds_alternative<std::monostate>(v));
}

TEST_CASE("race propagates the exception of a contender that fails first", "[async][race]")
{
    probe slow;
    auto t0 = clk::now();
    CHECK_THROWS_WITH(weft::test::run_sync(weft::race(fail_after(5ms), value_after(10s, 1, &slow))), "boom");
    CHECK(clk::now() - t0 < 2s);
    CHECK(slow.aborted);
    CHECK_FALSE(slow.ran_after);
}
