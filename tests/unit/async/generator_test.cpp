#include <weft/async/generator.hpp>

#include "support/run_sync.hpp"

#include <weft/async/sleep.hpp>
#include <weft/async/with_timeout.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;
namespace asio = boost::asio;

namespace
{

struct trace
{
    int resumed_after_last_yield = 0;
    int destroyed = 0;
    bool aborted = false;
};

// Counts destructions, to prove the body's locals are destroyed on early exit.
struct guard
{
    explicit guard(trace* t) : t(t) {}
    guard(guard const&) = delete;
    ~guard() { ++t->destroyed; }
    trace* t;
};

weft::task<int> twice(int v)
{
    co_await weft::sleep(1ms);
    co_return 2 * v;
}

weft::generator<std::string> words(int n, trace* t)
{
    guard g(t);
    for (int i = 0; i < n; ++i)
    {
        asio::steady_timer timer(co_await asio::this_coro::executor, 1ms);
        co_await timer.async_wait(asio::deferred); // an Asio operation
        int const v = co_await twice(i);           // a weft::task
        co_yield std::string(40, char('a' + i)) + std::to_string(v);
    }
    ++t->resumed_after_last_yield;
}

weft::generator<int> throws_after_one()
{
    co_yield 1;
    co_await weft::sleep(1ms);
    throw std::runtime_error("parse failed");
}

weft::generator<int> slow(trace* t)
{
    guard g(t);
    co_yield 1;
    try
    {
        co_await weft::sleep(10s);
    }
    catch (boost::system::system_error const& e)
    {
        t->aborted = e.code() == asio::error::operation_aborted;
        throw;
    }
    ++t->resumed_after_last_yield;
    co_yield 2;
}

weft::task<std::vector<std::string>> collect(weft::generator<std::string> gen)
{
    std::vector<std::string> out;
    while (auto v = co_await gen.async_next())
        out.push_back(std::move(*v));
    co_return out;
}

weft::task<int> take_first(trace* t)
{
    auto gen = words(5, t);
    auto first = co_await gen.async_next();
    co_return first ? static_cast<int>(first->size()) : -1;
} // gen destroyed while suspended at co_yield

struct spider
{
    asio::any_io_executor ex;
    std::string prefix;
    asio::any_io_executor get_executor() const { return ex; }
    virtual ~spider() = default;
    virtual weft::generator<std::string> parse(std::string body)
    {
        co_await weft::sleep(1ms);
        co_yield prefix + body;
        co_yield prefix + body + body;
    }
};

struct sub_spider : spider
{
    weft::generator<std::string> parse(std::string body) override { co_yield "sub:" + body; }
};

weft::task<std::vector<std::string>> run_spider(std::string prefix)
{
    auto ex = co_await asio::this_coro::executor;
    sub_spider s;
    s.ex = ex;
    s.prefix = std::move(prefix);
    spider& base = s;
    auto out = co_await collect(base.parse("x"));
    auto more = co_await collect(s.spider::parse("y"));
    out.insert(out.end(), more.begin(), more.end());
    co_return out;
}

} // namespace

TEST_CASE("generator yields values while awaiting Asio operations and tasks", "[async][generator]")
{
    trace t;
    auto out = weft::test::run_sync(collect(words(3, &t)));
    REQUIRE(out.size() == 3);
    CHECK(out[0] == std::string(40, 'a') + "0");
    CHECK(out[2] == std::string(40, 'c') + "4");
    CHECK(t.resumed_after_last_yield == 1);
    CHECK(t.destroyed == 1);
}

TEST_CASE("generator is lazy and returns nullopt after the end, every time", "[async][generator]")
{
    trace t;
    auto probe = [](trace* t) -> weft::task<int>
    {
        auto gen = words(1, t);
        if (t->destroyed != 0 || gen.done())
            co_return -1;
        int n = 0;
        while (co_await gen.async_next())
            ++n;
        auto again = co_await gen.async_next();
        co_return again ? -2 : n;
    };
    CHECK(weft::test::run_sync(probe(&t)) == 1);
}

TEST_CASE("generator rethrows the body's exception at async_next", "[async][generator]")
{
    auto probe = []() -> weft::task<int>
    {
        auto gen = throws_after_one();
        auto one = co_await gen.async_next();
        if (!one || *one != 1)
            co_return -1;
        co_await gen.async_next();
        co_return 0;
    };
    CHECK_THROWS_WITH(weft::test::run_sync(probe()), "parse failed");
}

TEST_CASE("destroying a generator at a co_yield destroys its frame and runs nothing more", "[async][generator]")
{
    trace t;
    CHECK(weft::test::run_sync(take_first(&t)) == 41);
    CHECK(t.destroyed == 1);
    CHECK(t.resumed_after_last_yield == 0);
}

TEST_CASE("cancelling async_next cancels the operation the body awaits", "[async][generator]")
{
    trace t;
    auto probe = [](trace* t) -> weft::task<bool>
    {
        auto gen = slow(t);
        co_await gen.async_next();
        bool timed_out = false;
        try
        {
            co_await weft::with_timeout(gen.async_next(), 30ms, "next item");
        }
        catch (weft::timeout_error const&)
        {
            timed_out = true;
        }
        auto after = co_await gen.async_next(); // finished: the body unwound
        co_return timed_out && !after && gen.done();
    };
    auto t0 = clk::now();
    CHECK(weft::test::run_sync(probe(&t)));
    CHECK(clk::now() - t0 < 2s);
    CHECK(t.aborted);
    CHECK(t.resumed_after_last_yield == 0);
    CHECK(t.destroyed == 1);
}

TEST_CASE("generator as a virtual member runs on its object's executor", "[async][generator]")
{
    auto out = weft::test::run_sync(run_spider("p:"));
    CHECK(out == std::vector<std::string>{"sub:x", "p:y", "p:yy"});
}

TEST_CASE("a generator abandoned while its body awaits frees everything at shutdown", "[async][generator]")
{
    // The consumer is suspended in async_next while the body sleeps; the io_context is then
    // destroyed with both pending. Under ASan this proves nothing leaks and nothing runs.
    trace t;
    {
        asio::io_context io;
        auto consumer = [](trace* t) -> weft::task<void>
        {
            auto gen = slow(t);
            co_await gen.async_next();
            co_await gen.async_next();
        };
        asio::co_spawn(io, consumer(&t), [](std::exception_ptr) {});
        io.run_for(50ms);
    }
    CHECK(t.destroyed == 1);
    CHECK(t.resumed_after_last_yield == 0);
}

TEST_CASE("async_next works with a callback token", "[async][generator]")
{
    trace t;
    asio::io_context io;
    auto gen = std::make_unique<weft::generator<std::string>>(words(2, &t));
    std::vector<std::string> got;
    std::function<void(std::exception_ptr, std::optional<std::string>)> next;
    next = [&](std::exception_ptr e, std::optional<std::string> v)
    {
        if (e || !v)
            return;
        got.push_back(*v);
        gen->async_next(asio::bind_executor(io, next));
    };
    gen->async_next(asio::bind_executor(io, next));
    io.run();
    CHECK(got.size() == 2);
}
