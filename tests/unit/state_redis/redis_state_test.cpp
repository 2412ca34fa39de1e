// What the Redis crawl state adds to the conformance suite (tests/unit/state/): several workers
// (each its own connection) on one crawl, as processes on several machines would be.
#include "unit/state/state_driver.hpp"

#include <weft/error.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>
#include <string>

using namespace weft::test;
using weft::state::final_state;

namespace
{

using urls = std::vector<std::string>;

completion with_items(std::vector<std::string> const& values)
{
    completion c;
    c.outcome = ok_outcome();
    for (auto const& v : values)
        c.items.push_back(make_item(v));
    return c;
}

std::vector<new_request> requests(std::string const& host, int n)
{
    std::vector<new_request> out;
    for (int i = 0; i < n; ++i)
        out.push_back(make_request("http://" + host + "/" + std::to_string(i)));
    return out;
}

} // namespace

TEST_CASE("workers of one Redis crawl share each host's concurrency", "[redis][state]")
{
    redis_backend b;
    auto s = ordered_settings();
    s.per_host = 2;
    sync_state w1(b, b.open(s));
    sync_state w2(b, b.reopen(s));
    w1.add(requests("a.test", 6));
    auto first = w1.lease(10);
    CHECK(first.leases.size() == 2);
    CHECK(w2.lease(10).leases.empty()); // the host's two places are taken, whoever asks
    CHECK(w1.complete(first.leases[0].token) == commit_result::accepted);
    CHECK(w2.lease(10).leases.size() == 1);
    CHECK(w1.lease(10).leases.empty());
    auto const busiest = w2.busiest(1);
    REQUIRE(busiest.size() == 1);
    CHECK(busiest[0].in_flight == 2);
    CHECK(busiest[0].pending == 3);
}

TEST_CASE("seeding a Redis crawl from every worker queues each URL once", "[redis][state]")
{
    redis_backend b;
    sync_state w1(b, b.open(ordered_settings()));
    sync_state w2(b, b.reopen(ordered_settings()));
    CHECK(w1.add(requests("a.test", 3)) == std::vector<bool>{true, true, true});
    CHECK(w2.add(requests("a.test", 3)) == std::vector<bool>{false, false, false});
    CHECK(w2.counts().seen == 3);
    CHECK(w1.counts().pending == 3);
}

TEST_CASE("a Redis worker whose lease expired gets its completion refused; its items never appear",
          "[redis][state]")
{
    redis_backend b;
    sync_state w1(b, b.open(ordered_settings()));
    sync_state w2(b, b.reopen(ordered_settings()));
    w1.add({make_request("http://a.test/1")});
    auto late = w1.lease(1, 300ms);
    REQUIRE(late.leases.size() == 1);
    b.sleep(500ms); // w1 is paused past its lease
    auto taken = w2.lease(1);
    REQUIRE(urls_of(taken) == urls{"http://a.test/1"});
    CHECK(taken.leases[0].token > late.leases[0].token);
    CHECK(w1.complete(late.leases[0].token, with_items({"from the paused worker"})) == commit_result::stale);
    CHECK(w2.complete(taken.leases[0].token, with_items({"from the live worker"})) == commit_result::accepted);
    auto items = b.run(w2->async_read_items("", 10));
    REQUIRE(items.size() == 1);
    CHECK(items[0].value.get<std::string>("v") == "from the live worker");
    auto const c = w1.counts();
    CHECK(c.expired == 1);
    CHECK(c.stale == 1);
    CHECK(c.items == 1);
    CHECK(w2.finished());
}

TEST_CASE("a Redis crawl's items are read in commit order, from where a reader stopped", "[redis][state]")
{
    redis_backend b;
    sync_state st(b, b.open(ordered_settings()));
    st.add(requests("a.test", 3));
    auto got = st.lease(3);
    REQUIRE(got.leases.size() == 3);
    CHECK(st.complete(got.leases[1].token, with_items({"1a", "1b"})) == commit_result::accepted);
    CHECK(st.complete(got.leases[0].token, with_items({"0a"})) == commit_result::accepted);
    CHECK(st.complete(got.leases[2].token, with_items({})) == commit_result::accepted);
    auto head = b.run(st->async_read_items("", 2));
    REQUIRE(head.size() == 2);
    CHECK(head[0].value.get<std::string>("v") == "1a");
    CHECK(head[1].value.get<std::string>("v") == "1b");
    auto rest = b.run(st->async_read_items(head[1].id, 10));
    REQUIRE(rest.size() == 1);
    CHECK(rest[0].value.get<std::string>("v") == "0a");
    CHECK(b.run(st->async_read_items(rest[0].id, 10)).empty());
}

TEST_CASE("one Redis worker fetches a robots.txt, the others use its copy", "[redis][state]")
{
    redis_backend b;
    sync_state w1(b, b.open(ordered_settings()));
    sync_state w2(b, b.reopen(ordered_settings()));
    auto const origin = std::string("http://a.test");
    auto claim = b.run(w1->async_robots(origin, 2s));
    CHECK(claim.fetch);
    auto wait = b.run(w2->async_robots(origin, 2s));
    CHECK_FALSE(wait.fetch);
    CHECK_FALSE(wait.file);
    CHECK(wait.ask_again > 0ms);
    b.run(w1->async_store_robots(origin, "a.test", {200, "User-agent: *\nDisallow: /private\n"}, 10min));
    auto copy = b.run(w2->async_robots(origin, 2s));
    REQUIRE(copy.file);
    CHECK(copy.file->status == 200);
    CHECK(copy.file->body == "User-agent: *\nDisallow: /private\n");
    CHECK(copy.fresh_for > 9min);
    CHECK(copy.fresh_for <= 10min);
}

TEST_CASE("a Redis crawl lists its workers with the leases they hold", "[redis][state]")
{
    redis_backend b;
    sync_state w1(b, b.open(ordered_settings()));
    sync_state w2(b, b.reopen(ordered_settings()));
    w1.add(requests("a.test", 3));
    CHECK(w1.lease(2).leases.size() == 2);
    CHECK(w2.lease(2).leases.size() == 1);
    auto workers = b.run(w1->async_workers());
    REQUIRE(workers.size() == 2);
    std::multiset<std::uint64_t> held;
    for (auto const& w : workers)
    {
        CHECK_FALSE(w.id.empty());
        CHECK(w.seen_ago < 5s);
        held.insert(w.leased);
    }
    CHECK(held == std::multiset<std::uint64_t>{1, 2});
}

TEST_CASE("a Redis crawl id that could break the key layout is refused", "[redis][state]")
{
    redis_backend b;
    auto factory = weft::state::find_backend(redis_backend::server().url());
    for (auto const* id : {"", "a{b}", "has space"})
    {
        INFO("crawl id '" << id << "'");
        CHECK_THROWS_WITH(b.run(factory(b.get_executor(), {redis_backend::server().url(), id}, ordered_settings(),
                                        weft::state::request_codec::plain())),
                          Catch::Contains("--crawl-id"));
    }
}

TEST_CASE("a Redis out of memory stops the operation with an error that says so", "[redis][state]")
{
    redis_server small({.append_only = false, .password = {}, .maxmemory = "2mb"});
    state_loop loop;
    auto factory = weft::state::find_backend(small.url());
    auto st = loop.run(factory(loop.get_executor(), {small.url(), "oom"}, ordered_settings(),
                               weft::state::request_codec::plain()));
    std::string message;
    try
    {
        for (int round = 0; round < 200; ++round)
        {
            std::vector<new_request> batch;
            for (int i = 0; i < 500; ++i)
                batch.push_back(make_request("http://a.test/" + std::to_string(round) + "/" + std::to_string(i) +
                                             "/a-long-path-to-fill-the-memory-faster"));
            loop.run(st->async_add(std::move(batch)));
        }
    }
    catch (weft::system_error const& e)
    {
        message = e.what();
        CHECK(e.code() == weft::error::state_refused);
    }
    INFO(message);
    CHECK_THAT(message, Catch::Contains("memory"));
    CHECK_THAT(message, Catch::Contains(std::to_string(small.port())));
}
