#include <weft/async/gather.hpp>

#include "support/run_sync.hpp"

#include <weft/async/sleep.hpp>
#include <weft/async/with_timeout.hpp>

#include <boost/asio/error.hpp>
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace
{

struct counters
{
    int in_flight = 0;
    int peak = 0;
    int started = 0;
    int aborted = 0;
    int finished = 0;
};

counters* g = nullptr;

weft::task<int> square_later(int x)
{
    ++g->started;
    g->peak = std::max(g->peak, ++g->in_flight);
    try
    {
        // later elements finish first, to show the results keep input order
        co_await weft::sleep(std::chrono::milliseconds(x == 3 ? 5 : 30 - 3 * x));
    }
    catch (...)
    {
        --g->in_flight;
        ++g->aborted;
        throw;
    }
    --g->in_flight;
    if (x == 3 && g->finished < 0)
        throw std::runtime_error("never");
    if (x == 100)
        throw std::runtime_error("bad " + std::to_string(x));
    ++g->finished;
    co_return x* x;
}

weft::task<int> fail_on_three(int x)
{
    ++g->started;
    if (x == 3)
    {
        co_await weft::sleep(5ms);
        throw std::runtime_error("three");
    }
    try
    {
        co_await weft::sleep(10s);
    }
    catch (...)
    {
        ++g->aborted;
        throw;
    }
    co_return x;
}

weft::task<void> touch(std::string s)
{
    co_await weft::sleep(1ms);
    g->finished += static_cast<int>(s.size());
}

} // namespace

TEST_CASE("gather returns results in input order with at most N in flight", "[async][gather]")
{
    counters c;
    g = &c;
    std::vector<int> in{1, 2, 3, 4, 5, 6, 7};
    auto out = weft::test::run_sync(weft::gather(in, square_later, {.concurrency = 3}));
    CHECK(out == std::vector<int>{1, 4, 9, 16, 25, 36, 49});
    CHECK(c.peak == 3);
    CHECK(c.in_flight == 0);
}

TEST_CASE("gather of task<void> and of an empty range", "[async][gather]")
{
    counters c;
    g = &c;
    std::vector<std::string> words{"ab", "cde"};
    weft::test::run_sync(weft::gather(std::move(words), touch, {.concurrency = 1}));
    CHECK(c.finished == 5);
    CHECK(weft::test::run_sync(weft::gather(std::vector<int>{}, square_later)).empty());
}

TEST_CASE("gather's first error cancels the rest and propagates after they finish", "[async][gather]")
{
    counters c;
    g = &c;
    std::vector<int> in{1, 2, 3, 4, 5, 6};
    auto t0 = clk::now();
    CHECK_THROWS_WITH(weft::test::run_sync(weft::gather(in, fail_on_three, {.concurrency = 4})), "three");
    CHECK(clk::now() - t0 < 2s);
    CHECK(c.started == 4); // 5 and 6 never started
    CHECK(c.aborted == 3); // 1, 2 and 4 were cancelled and finished before gather returned
}

TEST_CASE("gather_settled collects values and exceptions", "[async][gather]")
{
    counters c;
    g = &c;
    std::vector<int> in{1, 100, 2};
    auto out = weft::test::run_sync(weft::gather_settled(in, square_later, {.concurrency = 2}));
    REQUIRE(out.size() == 3);
    CHECK(out[0].value() == 1);
    CHECK_FALSE(out[1].has_value());
    CHECK_THROWS_WITH(out[1].rethrow_if_error(), "bad 100");
    CHECK(out[2].value() == 4);
}

TEST_CASE("cancelling gather cancels every call in flight", "[async][gather]")
{
    counters c;
    g = &c;
    std::vector<int> in{1, 2, 4, 5};
    auto t0 = clk::now();
    auto probe = [](std::vector<int> in) -> weft::task<void>
    { co_await weft::with_timeout(weft::gather(std::move(in), fail_on_three), 20ms, "gather"); };
    CHECK_THROWS_AS(weft::test::run_sync(probe(in)), weft::timeout_error);
    CHECK(clk::now() - t0 < 2s);
    CHECK(c.aborted == 4);
}

TEST_CASE("gather_options is trivially destructible", "[async][gather]")
{
    STATIC_REQUIRE(std::is_trivially_destructible_v<weft::gather_options>);
}
