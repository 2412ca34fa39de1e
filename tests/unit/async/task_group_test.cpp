#include <weft/async/task_group.hpp>

#include "support/run_sync.hpp"

#include <weft/async/sleep.hpp>

#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <stdexcept>

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;
namespace asio = boost::asio;

namespace
{

struct counts
{
    int done = 0;
    int aborted = 0;
};

weft::task<void> child(clk::duration d, counts* c)
{
    try
    {
        co_await weft::sleep(d);
    }
    catch (boost::system::system_error const& e)
    {
        if (e.code() == asio::error::operation_aborted)
            ++c->aborted;
        throw;
    }
    ++c->done;
}

weft::task<void> failing(clk::duration d, char const* msg)
{
    co_await weft::sleep(d);
    throw std::runtime_error(msg);
}

weft::task<void> detached_throw()
{
    throw std::runtime_error("lost");
    co_return;
}

} // namespace

TEST_CASE("task_group waits for its children and records the first error", "[async][task_group]")
{
    counts c;
    auto probe = [](counts* c) -> weft::task<std::size_t>
    {
        weft::task_group g(co_await asio::this_coro::executor);
        g.spawn(child(1ms, c));
        g.spawn(failing(5ms, "first"));
        g.spawn(failing(30ms, "second"));
        g.spawn(child(10ms, c));
        co_await g.async_wait();
        g.rethrow_if_error();
        co_return g.size();
    };
    CHECK_THROWS_WITH(weft::test::run_sync(probe(&c)), "first");
    CHECK(c.done == 2);
}

TEST_CASE("task_group cancel stops every child; cancellation is not an error", "[async][task_group]")
{
    counts c;
    auto probe = [](counts* c) -> weft::task<bool>
    {
        weft::task_group g(co_await asio::this_coro::executor);
        for (int i = 0; i < 3; ++i)
            g.spawn(child(10s, c));
        co_await weft::sleep(5ms);
        bool const ok = co_await g.shutdown(2s);
        co_return ok&& g.size() == 0 && !g.first_error();
    };
    auto t0 = clk::now();
    CHECK(weft::test::run_sync(probe(&c)));
    CHECK(clk::now() - t0 < 2s);
    CHECK(c.aborted == 3);
}

TEST_CASE("task_group wait_for gives up at the deadline", "[async][task_group]")
{
    counts c;
    auto probe = [](counts* c) -> weft::task<bool>
    {
        weft::task_group g(co_await asio::this_coro::executor);
        g.spawn(child(10s, c));
        bool const finished = co_await g.wait_for(20ms);
        g.cancel();
        co_await g.async_wait();
        co_return finished;
    };
    CHECK_FALSE(weft::test::run_sync(probe(&c)));
    CHECK(c.aborted == 1);
}

TEST_CASE("destroying a task_group cancels its children", "[async][task_group]")
{
    counts c;
    asio::io_context io;
    {
        weft::task_group g(io.get_executor());
        g.spawn(child(10s, &c));
        io.run_for(5ms);
    }
    auto t0 = clk::now();
    io.run();
    CHECK(clk::now() - t0 < 2s);
    CHECK(c.aborted == 1);
}

// Pins the reason task_group exists (docs/ARCHITECTURE.md, trap 5): detached swallows exceptions.
TEST_CASE("boost 1.81: co_spawn with detached swallows the exception", "[async][task_group][quirk]")
{
    asio::io_context io;
    asio::co_spawn(io, detached_throw(), asio::detached);
    CHECK_NOTHROW(io.run());
}
