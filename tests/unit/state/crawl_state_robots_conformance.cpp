// The crawl_state contract for robots.txt (crawl_state::async_robots and async_store_robots;
// docs/ARCHITECTURE.md, "robots.txt"), the same cases for every backend of WEFT_STATE_BACKENDS:
// a host's readiness gating its leases, and the crawl's one shared copy of each origin's file.
// Times are tens of ms; that something has not happened yet is asserted only when the time
// actually taken leaves a margin.
#include "unit/state/state_driver.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace weft::test;
using clock_type = std::chrono::steady_clock;
using urls = std::vector<std::string>;

namespace
{

std::chrono::milliseconds since(clock_type::time_point t)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t);
}

/// ordered_settings() with robots.txt readiness on.
weft::engine::settings robots_settings()
{
    auto s = ordered_settings();
    s.obey_robots = true;
    return s;
}

weft::state::robots_file robots_file(std::string body, int status = 200)
{
    weft::state::robots_file f;
    f.status = status;
    f.body = std::move(body);
    return f;
}

/// The hosts of a batch's leases, in order.
std::vector<std::string> hosts_of(lease_batch const& b)
{
    std::vector<std::string> out;
    for (auto const& l : b.leases)
        out.push_back(l.host);
    return out;
}

} // namespace

TEMPLATE_TEST_CASE("with obey_robots a host's first lease holds its other requests until a robots.txt is stored",
                   "[state][conformance][robots]", WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, robots_settings());
    st.add({make_request("http://a.test/1"), make_request("http://a.test/2"), make_request("http://a.test/3"),
            make_request("http://b.test/1")});

    auto first = st.lease(10);
    CHECK(urls_of(first) == urls{"http://a.test/1", "http://b.test/1"}); // each host opened once
    CHECK(quiet_for(first, std::chrono::minutes(1))); // only a store or the lease's end unblocks
    CHECK(st.lease(10).leases.empty());

    st.store_robots("http://a.test", "a.test", robots_file("User-agent: *\nDisallow: /private/\n"), 1h);
    CHECK(urls_of(st.lease(10)) == urls{"http://a.test/2", "http://a.test/3"});

    // b.test is still opening; a copy of any origin of the host makes it ready.
    st.add({make_request("http://b.test/2")});
    CHECK(st.lease(10).leases.empty());
    st.store_robots("https://b.test:8443", "b.test", robots_file("", 404), 1h);
    CHECK(urls_of(st.lease(10)) == urls{"http://b.test/2"});
}

TEMPLATE_TEST_CASE("an opening lease that ends without a robots.txt stored lets the next lease open its host",
                   "[state][conformance][robots]", WEFT_STATE_BACKENDS)
{
    auto const how = GENERATE(as<std::string>{}, "completed", "retried", "released", "expired");
    INFO(how);
    TestType b;
    auto st = open_state(b, robots_settings());
    st.add({make_request("http://a.test/1"), make_request("http://a.test/2"), make_request("http://a.test/3")});
    auto const length = how == "expired" ? 50ms : std::chrono::milliseconds(10min);
    auto first = st.lease(10, length);
    REQUIRE(urls_of(first) == urls{"http://a.test/1"});
    auto const token = first.leases[0].token;

    if (how == "completed")
        CHECK(st.complete(token) == commit_result::accepted);
    else if (how == "retried")
        CHECK(st.retry(token, first.leases[0].req, 1h) == commit_result::accepted);
    else if (how == "released")
        st.release({token});
    else
        b.sleep(100ms);

    auto second = st.lease(10);
    CHECK(hosts_of(second) == std::vector<std::string>{"a.test"}); // one request opens it again
    CHECK(st.lease(10).leases.empty());
}

TEMPLATE_TEST_CASE("without obey_robots a crawl state leases a host's requests without waiting for robots.txt",
                   "[state][conformance][robots]", WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, ordered_settings());
    st.add({make_request("http://a.test/1"), make_request("http://a.test/2"), make_request("http://b.test/1")});
    CHECK(urls_of(st.lease(10)) == urls{"http://a.test/1", "http://a.test/2", "http://b.test/1"});
}

TEMPLATE_TEST_CASE("async_robots gives one worker the claim to fetch, the others wait, then all share the copy",
                   "[state][conformance][robots]", WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, robots_settings());
    auto const origin = std::string("http://a.test");

    auto const claimed = clock_type::now();
    auto first = st.robots(origin, 200ms);
    CHECK(first.fetch);
    CHECK_FALSE(first.file);
    auto second = st.robots(origin, 200ms);
    if (since(claimed) < 150ms)
    {
        CHECK_FALSE(second.fetch);
        CHECK_FALSE(second.file);
        CHECK(second.ask_again > 0ms);
        CHECK(second.ask_again <= 200ms);
    }
    CHECK(st.robots("http://a.test:8080", 200ms).fetch); // another origin of the host: its own copy

    auto const ttl = 100ms;
    st.store_robots(origin, "a.test", robots_file("User-agent: *\nDisallow: /x\n"), ttl);
    auto const stored = clock_type::now();
    for (int worker = 0; worker < 2; ++worker)
    {
        auto a = st.robots(origin, 200ms);
        if (since(stored) >= 80ms)
            break;
        CHECK_FALSE(a.fetch);
        REQUIRE(a.file);
        CHECK(a.file->status == 200);
        CHECK(a.file->body == "User-agent: *\nDisallow: /x\n");
        CHECK(a.fresh_for > 0ms);
        CHECK(a.fresh_for <= ttl);
    }

    b.sleep(150ms); // the copy is stale: the next caller refreshes it, the others wait again
    auto const reclaimed = clock_type::now();
    CHECK(st.robots(origin, 200ms).fetch);
    auto waiting = st.robots(origin, 200ms);
    if (since(reclaimed) < 150ms)
    {
        CHECK_FALSE(waiting.fetch);
        CHECK(waiting.ask_again > 0ms);
    }
}

TEMPLATE_TEST_CASE("an expired claim to fetch a robots.txt is given to the next caller",
                   "[state][conformance][robots]", WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, robots_settings());
    CHECK(st.robots("http://a.test", 30ms).fetch);
    b.sleep(80ms); // its worker died fetching it
    CHECK(st.robots("http://a.test", 30ms).fetch);
}

TEMPLATE_TEST_CASE("a host whose robots.txt went stale stays ready: refreshing it holds nothing",
                   "[state][conformance][robots]", WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, robots_settings());
    st.add({make_request("http://a.test/1")});
    REQUIRE(st.lease(10).leases.size() == 1);
    st.store_robots("http://a.test", "a.test", robots_file("", 404), 30ms);
    b.sleep(60ms);
    CHECK(st.robots("http://a.test", 1min).fetch);
    st.add({make_request("http://a.test/2"), make_request("http://a.test/3")});
    CHECK(urls_of(st.lease(10)) == urls{"http://a.test/2", "http://a.test/3"});
}

TEMPLATE_TEST_CASE("an unreachable robots.txt keeps its host's requests pending: the claim is given back, the host "
                   "opened again after its backoff",
                   "[state][conformance][robots]", WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, robots_settings());
    st.add({make_request("http://a.test/1"), make_request("http://a.test/2")});
    auto first = st.lease(10);
    REQUIRE(urls_of(first) == urls{"http://a.test/1"});
    auto const origin = std::string("http://a.test");
    REQUIRE(st.robots(origin, std::chrono::minutes(10)).fetch);

    // The fetch failed (a 503, a refused connection): what the robots middleware does.
    st.release_robots(origin);
    st.back_off("a.test", 150ms);
    auto const held = clock_type::now();
    CHECK(st.retry(first.leases[0].token, first.leases[0].req, 0ms) == commit_result::accepted);
    auto during = st.lease(10);
    if (since(held) < 100ms)
        CHECK(during.leases.empty()); // nothing of the host while its robots.txt is unknown
    CHECK_FALSE(st.finished());

    b.sleep(200ms);
    auto again = st.lease(10);
    REQUIRE(hosts_of(again) == std::vector<std::string>{"a.test"}); // one request opens it again
    CHECK(st.robots(origin, std::chrono::minutes(10)).fetch); // the claim was given back: no wait
    st.store_robots(origin, "a.test", robots_file("User-agent: *\nAllow: /\n"), 1h);
    CHECK(st.lease(10).leases.size() == 1);
}

TEMPLATE_TEST_CASE("releasing a claim on robots.txt leaves another worker's claim alone",
                   "[state][conformance][robots]", WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, robots_settings());
    CHECK(st.robots("http://a.test", std::chrono::minutes(10)).fetch);
    st.release_robots("http://a.test");
    CHECK(st.robots("http://a.test", std::chrono::minutes(10)).fetch);
    st.release_robots("http://b.test"); // nobody claimed it: nothing happens
    CHECK(st.robots("http://b.test", std::chrono::minutes(10)).fetch);
}

TEMPLATE_TEST_CASE("a deferred completion counts as failed and a job directory keeps its request for the next run",
                   "[state][conformance][robots]", WEFT_STATE_BACKENDS)
{
    TestType b;
    auto const s = ordered_settings();
    {
        auto st = open_state(b, s);
        st.add({make_request("http://a.test/1"), make_request("http://b.test/1")});
        auto got = st.lease(10, std::chrono::minutes(10));
        REQUIRE(got.leases.size() == 2);
        weft::state::completion deferred;
        deferred.state = weft::state::final_state::deferred;
        CHECK(st.complete(got.leases[0].token, std::move(deferred)) == commit_result::accepted);
        CHECK(st.complete(got.leases[1].token) == commit_result::accepted);
        CHECK(st.finished());
        auto const c = st.counts();
        CHECK(c.failed == 1);
        CHECK(c.done == 1);
        st.flush();
    }
    if constexpr (TestType::persistent)
    {
        sync_state st(b, b.reopen(s));
        auto back = st.lease(10);
        if (std::string(TestType::name) == "job")
            CHECK(urls_of(back) == urls{"http://a.test/1"}); // the deferred one, and only it
        else
            CHECK(back.leases.empty()); // a shared crawl has no next run: it stays failed
    }
}
