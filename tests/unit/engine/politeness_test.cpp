#include <weft/engine/politeness.hpp>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using weft::engine::host_slot;

TEST_CASE("a host slot admits per_host requests at once and frees one per finish", "[engine][politeness]")
{
    weft::engine::settings s;
    s.per_host = 2;
    host_slot slot(s);
    auto t = host_slot::clock::now();
    CHECK(slot.can_start(t));
    slot.on_start(t);
    CHECK(slot.can_start(t));
    slot.on_start(t);
    CHECK_FALSE(slot.can_start(t));
    slot.on_finish(10ms, 200);
    CHECK(slot.can_start(t));
}

TEST_CASE("a host slot spaces request starts by the delay", "[engine][politeness]")
{
    weft::engine::settings s;
    s.delay = 100ms;
    s.randomize_delay = false;
    host_slot slot(s);
    auto t = host_slot::clock::now();
    slot.on_start(t);
    slot.on_finish(1ms, 200);
    CHECK_FALSE(slot.can_start(t + 50ms));
    CHECK(slot.can_start(t + 100ms));
    CHECK(slot.ready_at() == t + 100ms);
    slot.set_min_delay(300ms); // robots crawl-delay
    CHECK(slot.delay() == 300ms);
}

TEST_CASE("a randomized delay stays within half and one and a half times", "[engine][politeness]")
{
    weft::engine::settings s;
    s.delay = 100ms;
    s.per_host = 100;
    host_slot slot(s);
    auto t = host_slot::clock::now();
    for (int i = 0; i < 50; ++i)
    {
        auto start = t + std::chrono::seconds(i);
        slot.on_start(start);
        CHECK(slot.ready_at() >= start + 50ms);
        CHECK(slot.ready_at() <= start + 150ms);
    }
}

TEST_CASE("autothrottle follows Scrapy's algorithm", "[engine][politeness][autothrottle]")
{
    weft::engine::settings s;
    s.autothrottle.enabled = true;
    s.autothrottle.start_delay = 5000ms;
    s.autothrottle.max_delay = 60000ms;
    s.autothrottle.target_concurrency = 1.0;
    s.randomize_delay = false;
    host_slot slot(s);
    CHECK(slot.delay() == 5000ms);
    slot.on_start(host_slot::clock::now());
    slot.on_finish(100ms, 200);
    CHECK(slot.delay() == 2550ms); // max(100, (5000 + 100) / 2)
    slot.on_start(host_slot::clock::now());
    slot.on_finish(100ms, 200);
    CHECK(slot.delay() == 1325ms);
    slot.on_start(host_slot::clock::now());
    slot.on_finish(10ms, 503); // a failure never lowers the delay
    CHECK(slot.delay() == 1325ms);
    slot.on_start(host_slot::clock::now());
    slot.on_finish(100000ms, 200); // slow: up, clamped to max_delay
    CHECK(slot.delay() == 60000ms);
    for (int i = 0; i < 40; ++i)
    {
        slot.on_start(host_slot::clock::now());
        slot.on_finish(200ms, 200);
    }
    CHECK(slot.delay() >= 200ms);
    CHECK(slot.delay() < 210ms);
}
