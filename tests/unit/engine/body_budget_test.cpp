// The crawl's in-flight body budget (settings::max_inflight_body_bytes): charges wait while the
// budget is full, go on when bytes are given back, and a body larger than the budget passes
// alone. Waits are observed by running the loop until it has nothing ready (io_context::poll),
// not by time.
#include "engine/body_budget.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>

using weft::engine::detail::body_budget;

namespace
{

// One async_acquire, run on `io`: `got` is set when it completes.
struct acquisition
{
    bool done = false;
    std::optional<body_budget::charge> got;
};

std::shared_ptr<acquisition> start_acquire(boost::asio::io_context& io, body_budget& b, std::uint64_t bytes)
{
    auto a = std::make_shared<acquisition>();
    auto run = [](body_budget* b, std::uint64_t bytes, std::shared_ptr<acquisition> a) -> weft::task<void>
    {
        a->got = co_await b->async_acquire(bytes);
        a->done = true;
    };
    boost::asio::co_spawn(io, run(&b, bytes, a), boost::asio::detached);
    io.poll();
    io.restart();
    return a;
}

void settle(boost::asio::io_context& io)
{
    io.poll();
    io.restart();
}

} // namespace

TEST_CASE("body_budget charges at once what fits and makes the rest wait until bytes are given back",
          "[engine][body_budget]")
{
    boost::asio::io_context io;
    body_budget b(100);
    auto first = start_acquire(io, b, 60);
    REQUIRE(first->done);
    REQUIRE(first->got);
    CHECK(b.used() == 60);

    auto second = start_acquire(io, b, 60); // 120 > 100: waits
    CHECK_FALSE(second->done);
    CHECK(b.waiting() == 1);

    first->got->release();
    settle(io);
    REQUIRE(second->done);
    REQUIRE(second->got);
    CHECK(second->got->bytes() == 60);
    CHECK(b.used() == 60);
    CHECK(b.peak() == 60); // never both at once
    second->got.reset(); // destroying a charge gives its bytes back
    CHECK(b.used() == 0);
}

TEST_CASE("body_budget lets a body larger than the whole budget through when nothing else is held, and alone",
          "[engine][body_budget]")
{
    boost::asio::io_context io;
    body_budget b(100);
    auto small = start_acquire(io, b, 10);
    auto huge = start_acquire(io, b, 500);
    CHECK_FALSE(huge->done); // something else is held
    auto behind = start_acquire(io, b, 1);
    CHECK_FALSE(behind->done); // in order: it does not overtake the large one

    small->got->release();
    settle(io);
    REQUIRE(huge->done);
    REQUIRE(huge->got);
    CHECK(b.used() == 500);
    CHECK_FALSE(behind->done); // the budget is full while the large one is held

    huge->got->release();
    settle(io);
    CHECK(behind->done);
    CHECK(b.peak() == 500);
}

TEST_CASE("body_budget's try_grow refuses bytes that do not fit unless the charge holds everything",
          "[engine][body_budget]")
{
    boost::asio::io_context io;
    body_budget b(100);
    auto one = start_acquire(io, b, 0);
    auto two = start_acquire(io, b, 0);
    REQUIRE(one->got);
    REQUIRE(two->got);
    CHECK(one->got->try_grow(70));
    CHECK_FALSE(two->got->try_grow(40)); // 110 > 100 and not alone: nothing charged
    CHECK(two->got->bytes() == 0);
    CHECK(two->got->try_grow(30));
    CHECK(b.used() == 100);

    two->got->release();
    CHECK(one->got->try_grow(1000)); // alone: a body larger than the budget goes on
    CHECK(b.used() == 1070);
    auto after = start_acquire(io, b, 0);
    CHECK_FALSE(after->done); // over the budget: nothing new starts
    one->got->release();
    settle(io);
    CHECK(after->done);
}

TEST_CASE("body_budget's waits end without a charge when the crawl stops", "[engine][body_budget]")
{
    boost::asio::io_context io;
    body_budget b(10);
    auto held = start_acquire(io, b, 10);
    auto waiting = start_acquire(io, b, 5);
    CHECK_FALSE(waiting->done);
    b.cancel_waiters();
    settle(io);
    CHECK(waiting->done);
    CHECK_FALSE(waiting->got);
    CHECK(b.used() == 10);
    CHECK(b.waiting() == 0);
}

TEST_CASE("body_budget with no limit never waits and still measures its peak", "[engine][body_budget]")
{
    boost::asio::io_context io;
    body_budget b(0);
    auto a = start_acquire(io, b, 1u << 30);
    auto c = start_acquire(io, b, 1u << 30);
    CHECK(a->done);
    CHECK(c->done);
    CHECK(b.peak() == 2ull << 30);
}
