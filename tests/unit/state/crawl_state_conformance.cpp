// The crawl_state contract (weft/state/crawl_state.hpp), the same cases for every backend of
// WEFT_STATE_BACKENDS (state_backends.hpp). Timing cases use delays of 300 ms or more and never
// assert that something happens before a deadline unless the time actually taken was measured
// to leave a margin; order properties are asserted exactly.
#include "unit/state/state_driver.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <vector>

using namespace weft::test;
using weft::state::final_state;
using clock_type = std::chrono::steady_clock;
using urls = std::vector<std::string>;
using flags = std::vector<bool>;

namespace
{

std::chrono::milliseconds since(clock_type::time_point t)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t);
}

/// A completion that discovered `found`.
completion discovering(std::vector<std::string> const& found, final_state fs = final_state::done)
{
    completion c;
    c.state = fs;
    c.outcome = ok_outcome();
    for (auto const& u : found)
        c.discovered.push_back(make_request(u));
    return c;
}

void check_tokens_increase(lease_batch const& b, lease_token& last)
{
    for (auto const& l : b.leases)
    {
        CHECK(l.token != 0);
        CHECK(l.token > last);
        last = std::max(last, l.token);
    }
}

} // namespace

TEMPLATE_TEST_CASE("a crawl state queues new fingerprints once and dont_filter ones again", "[state][conformance]",
                   WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, ordered_settings());
    CHECK(st->name() == TestType::name);
    CHECK_FALSE(st->resumed());
    CHECK(st.finished());

    std::vector<new_request> first{make_request("http://a.test/1"), make_request("http://a.test/2"),
                                   make_request("http://a.test/1"), make_request("http://b.test/1")};
    CHECK(st.add(first) == flags{true, true, false, true});
    // De-duplication is by the fingerprint given, not by URL.
    auto const fp2 = make_request("http://a.test/2").fp;
    CHECK(st.add({make_request("http://a.test/other", fp2), make_request("http://c.test/1")}) == flags{false, true});
    CHECK_FALSE(st.finished());
    auto c = st.counts();
    CHECK(c.pending == 4);
    CHECK(c.seen == 4);

    // Idempotent: the same batch again adds nothing.
    CHECK(st.add(first) == flags{false, false, false, false});
    CHECK(st.counts().pending == 4);

    // dont_filter queues a seen fingerprint again.
    auto again = make_request("http://a.test/1");
    again.req.dont_filter(true);
    CHECK(st.add({again}) == flags{true});
    c = st.counts();
    CHECK(c.pending == 5);
    CHECK(c.seen == 4);

    auto got = st.lease(10);
    CHECK(urls_of(got) == urls{"http://a.test/1", "http://a.test/2", "http://b.test/1", "http://c.test/1",
                               "http://a.test/1"});
    for (auto const& l : got.leases)
        CHECK(l.host == host_of(l.req.url()));
    // A completed fingerprint stays seen.
    for (auto const& l : got.leases)
        CHECK(st.complete(l.token) == commit_result::accepted);
    CHECK(st.add({make_request("http://b.test/1")}) == flags{false});
    CHECK(st.finished());
}

TEMPLATE_TEST_CASE("a crawl state leases by priority, FIFO among equals, with increasing tokens",
                   "[state][conformance]", WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, ordered_settings());
    st.add({make_request("http://a.test/1", 0), make_request("http://b.test/1", 5), make_request("http://a.test/2", 0),
            make_request("http://c.test/1", 5), make_request("http://b.test/2", -3)});
    CHECK(st.lease(0).leases.empty());

    lease_token last = 0;
    auto const duration = std::chrono::milliseconds(10min);
    auto first = st.lease(3, duration);
    CHECK(urls_of(first) == urls{"http://b.test/1", "http://c.test/1", "http://a.test/1"});
    check_tokens_increase(first, last);
    for (auto const& l : first.leases)
    {
        CHECK(l.expires_in > 0ms);
        CHECK(l.expires_in <= duration);
        CHECK(l.req.priority() == (l.host == "a.test" ? 0 : 5));
    }
    auto second = st.lease(10);
    CHECK(urls_of(second) == urls{"http://a.test/2", "http://b.test/2"});
    check_tokens_increase(second, last);
    auto none = st.lease(10);
    CHECK(none.leases.empty());
    CHECK(quiet_for(none, 5min)); // nothing pending: only an add (or an expiry) can help
    auto const c = st.counts();
    CHECK(c.pending == 0);
    CHECK(c.leased == 5);
}

TEMPLATE_TEST_CASE("a crawl state keeps FIFO across hosts within each host's concurrency", "[state][conformance]",
                   WEFT_STATE_BACKENDS)
{
    TestType b;
    auto s = ordered_settings();
    s.per_host = 2;
    auto st = open_state(b, s);
    st.add({make_request("http://a.test/1"), make_request("http://a.test/2"), make_request("http://a.test/3"),
            make_request("http://b.test/1"), make_request("http://c.test/1")});

    auto got = st.lease(10);
    // The third of a.test waits for a completion; the other hosts are not held up by it.
    CHECK(urls_of(got) == urls{"http://a.test/1", "http://a.test/2", "http://b.test/1", "http://c.test/1"});
    REQUIRE(got.leases.size() == 4);
    CHECK(quiet_for(got, 5min)); // only a completion (or an expiry) can unblock a.test/3
    auto again = st.lease(10);
    CHECK(again.leases.empty());
    CHECK(quiet_for(again, 5min));

    auto const busiest = st.busiest(1);
    REQUIRE(busiest.size() == 1);
    CHECK(busiest[0].host == "a.test");
    CHECK(busiest[0].in_flight == 2);
    CHECK(busiest[0].pending == 1);

    // Another host's completion does not free a.test.
    CHECK(st.complete(got.leases[2].token, discovering({})) == commit_result::accepted);
    CHECK(st.lease(10).leases.empty());
    CHECK(st.complete(got.leases[0].token, discovering({})) == commit_result::accepted);
    CHECK(urls_of(st.lease(10)) == urls{"http://a.test/3"});
}

TEMPLATE_TEST_CASE("a crawl state frees a host's place once, when its lease's fetch is over", "[state][conformance]",
                   WEFT_STATE_BACKENDS)
{
    TestType b;
    auto s = ordered_settings();
    s.per_host = 1;
    auto st = open_state(b, s);
    st.add({make_request("http://a.test/1"), make_request("http://a.test/2"), make_request("http://a.test/3")});
    auto first = st.lease(10);
    REQUIRE(urls_of(first) == urls{"http://a.test/1"});

    st.fetched(first.leases[0].token, ok_outcome());
    auto second = st.lease(10); // a.test/1's callback still runs; its place is free
    REQUIRE(urls_of(second) == urls{"http://a.test/2"});
    CHECK(st.counts().leased == 2);
    CHECK(st.complete(first.leases[0].token) == commit_result::accepted);
    CHECK(st.lease(10).leases.empty()); // the completion does not free a.test's place again
    st.fetched(first.leases[0].token, ok_outcome()); // stale: ignored
    CHECK(st.lease(10).leases.empty());
    st.fetched(second.leases[0].token, ok_outcome());
    CHECK(urls_of(st.lease(10)) == urls{"http://a.test/3"});
}

TEMPLATE_TEST_CASE("a crawl state holds a host's next start for its delay and says when to ask again",
                   "[state][conformance]", WEFT_STATE_BACKENDS)
{
    TestType b;
    auto s = ordered_settings();
    s.delay = 500ms;
    auto st = open_state(b, s);
    st.add({make_request("http://a.test/1"), make_request("http://a.test/2"), make_request("http://b.test/1")});

    auto const start = clock_type::now();
    auto first = st.lease(10);
    // Within one call a.test/2 cannot be due: it starts 500 ms after a.test/1.
    CHECK(urls_of(first) == urls{"http://a.test/1", "http://b.test/1"});
    REQUIRE(first.next_in);
    CHECK(*first.next_in > 0ms);
    CHECK(*first.next_in <= 500ms);
    // A completion does not shorten the delay between starts.
    REQUIRE(first.leases.size() == 2);
    CHECK(st.complete(first.leases[0].token, discovering({})) == commit_result::accepted);
    auto early = st.lease(10);
    if (since(start) < 400ms)
    {
        CHECK(early.leases.empty());
        CHECK(early.next_in);
    }
    else
        WARN("the machine was too slow to check that a.test/2 waits for its delay");

    b.sleep(std::max(0ms, 750ms - since(start)));
    if (early.leases.empty())
        CHECK(urls_of(st.lease(10)) == urls{"http://a.test/2"});
}

TEMPLATE_TEST_CASE("a crawl state honours a Crawl-delay set with set_min_delay", "[state][conformance]",
                   WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, ordered_settings());
    st.set_min_delay("unknown.test", 1s); // a host with nothing queued yet is no error
    st.add({make_request("http://a.test/1"), make_request("http://a.test/2"), make_request("http://a.test/3"),
            make_request("http://b.test/1"), make_request("http://b.test/2")});
    st.set_min_delay("a.test", 500ms);

    auto const start = clock_type::now();
    auto first = st.lease(10);
    CHECK(urls_of(first) == urls{"http://a.test/1", "http://b.test/1", "http://b.test/2"});
    REQUIRE(first.next_in);
    CHECK(*first.next_in > 0ms);
    CHECK(*first.next_in <= 500ms);

    b.sleep(std::max(0ms, 750ms - since(start)));
    auto const second_start = clock_type::now();
    auto second = st.lease(10);
    CHECK(urls_of(second) == urls{"http://a.test/2"});
    if (since(second_start) < 400ms)
        CHECK(st.lease(10).leases.empty()); // a.test/3 waits its own 500 ms
}

TEMPLATE_TEST_CASE("a crawl state holds a backed-off host and no other", "[state][conformance]", WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, ordered_settings());
    st.add({make_request("http://a.test/1"), make_request("http://a.test/2"), make_request("http://b.test/1")});

    auto const start = clock_type::now();
    st.back_off("a.test", 500ms);
    auto first = st.lease(10);
    if (since(start) < 400ms)
    {
        CHECK(urls_of(first) == urls{"http://b.test/1"});
        REQUIRE(first.next_in);
        CHECK(*first.next_in > 0ms);
        CHECK(*first.next_in <= 500ms);
        auto const hosts = st.busiest(5);
        auto const a = std::find_if(hosts.begin(), hosts.end(), [](auto const& h) { return h.host == "a.test"; });
        REQUIRE(a != hosts.end());
        CHECK(a->pending == 2);
        CHECK(a->backoff_for);
    }
    else
        WARN("the machine was too slow to check that a.test is held by its backoff");

    b.sleep(std::max(0ms, 750ms - since(start)));
    auto rest = st.lease(10);
    std::set<std::string> all;
    for (auto const& u : urls_of(first))
        all.insert(u);
    for (auto const& u : urls_of(rest))
        all.insert(u);
    CHECK(all == std::set<std::string>{"http://a.test/1", "http://a.test/2", "http://b.test/1"});
}

TEMPLATE_TEST_CASE("a crawl state accepts a completion once, with its items and discovered requests",
                   "[state][conformance]", WEFT_STATE_BACKENDS)
{
    TestType b;
    recording_consumer rec; // outlives the state, which keeps a pointer to it
    auto st = open_state(b, ordered_settings());
    bool const takes_items = st->attach_item_consumer(&rec);
    st.add({make_request("http://a.test/1"), make_request("http://a.test/2"), make_request("http://a.test/3")});
    auto got = st.lease(3);
    REQUIRE(got.leases.size() == 3);

    // Discovered: one new, one already pending, one twice.
    auto c1 = discovering({"http://a.test/4", "http://a.test/2", "http://a.test/5", "http://a.test/5"});
    c1.items = {make_item("x1"), make_item("x2")};
    CHECK(st.complete(got.leases[0].token, c1) == commit_result::accepted);
    if (takes_items)
    {
        REQUIRE(rec.items.size() == 2);
        CHECK(rec.items[0].get<std::string>("v") == "x1");
        CHECK(rec.items[1].get<std::string>("v") == "x2");
    }
    auto c = st.counts();
    CHECK(c.done == 1);
    CHECK(c.leased == 2);
    CHECK(c.pending == 2);
    CHECK(c.seen == 5);

    // The same token again: stale, and nothing it carries is kept.
    auto c2 = discovering({"http://a.test/6"});
    c2.items = {make_item("late")};
    CHECK(st.complete(got.leases[0].token, c2) == commit_result::stale);
    CHECK(st.retry(got.leases[0].token, got.leases[0].req, 0ms) == commit_result::stale);
    CHECK(st.extend({got.leases[0].token}, 1min) == flags{false});
    CHECK(rec.items.size() == (takes_items ? 2u : 0u));
    c = st.counts();
    CHECK(c.done == 1);
    CHECK(c.stale == 3);
    CHECK(c.pending == 2);

    // A failure is counted as one; its errback's items are kept.
    auto failed = discovering({}, final_state::failed);
    failed.items = {make_item("from errback")};
    CHECK(st.complete(got.leases[1].token, failed) == commit_result::accepted);
    CHECK(st.complete(got.leases[2].token) == commit_result::accepted);
    c = st.counts();
    CHECK(c.done == 2);
    CHECK(c.failed == 1);
    CHECK(c.leased == 0);
    if (takes_items)
        CHECK(rec.items.size() == 3);

    CHECK(urls_of(st.lease(10)) == urls{"http://a.test/4", "http://a.test/5"});
    CHECK(st.add({make_request("http://a.test/6")}) == flags{true}); // the stale completion's discovery was dropped
}

TEMPLATE_TEST_CASE("a crawl state gives an expired lease out again and refuses its old token",
                   "[state][conformance]", WEFT_STATE_BACKENDS)
{
    TestType b;
    recording_consumer rec; // outlives the state, which keeps a pointer to it
    auto st = open_state(b, ordered_settings());
    st->attach_item_consumer(&rec);
    st.add({make_request("http://a.test/1")});

    auto first = st.lease(5, 100ms);
    REQUIRE(first.leases.size() == 1);
    auto const old = first.leases[0].token;
    b.sleep(300ms);
    auto second = st.lease(5);
    REQUIRE(urls_of(second) == urls{"http://a.test/1"});
    CHECK(second.leases[0].token > old);
    auto c = st.counts();
    CHECK(c.expired == 1);
    CHECK(c.leased == 1);

    auto late = discovering({"http://a.test/9"});
    late.items = {make_item("late")};
    CHECK(st.complete(old, late) == commit_result::stale);
    CHECK(rec.items.empty());
    CHECK(st.counts().stale == 1);
    CHECK(st.complete(second.leases[0].token) == commit_result::accepted);
    CHECK(st.add({make_request("http://a.test/9")}) == flags{true});
}

TEMPLATE_TEST_CASE("a crawl state keeps an extended lease past its first expiry", "[state][conformance]",
                   WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, ordered_settings());
    st.add({make_request("http://a.test/1"), make_request("http://a.test/2")});

    auto const start = clock_type::now();
    auto got = st.lease(2, 400ms);
    REQUIRE(got.leases.size() == 2);
    auto const kept = got.leases[0].token;
    auto const dropped = got.leases[1].token;
    auto const extended = st.extend({kept}, 10min);
    if (since(start) > 300ms)
    {
        WARN("the machine was too slow to extend a lease within its 400 ms");
        return;
    }
    CHECK(extended == flags{true});
    b.sleep(800ms);
    auto again = st.lease(10);
    CHECK(urls_of(again) == urls{"http://a.test/2"}); // expired; the extended one did not
    CHECK(st.complete(kept) == commit_result::accepted);
    CHECK(st.extend({dropped}, 10min) == flags{false});
    CHECK(st.complete(dropped) == commit_result::stale);
    CHECK(st.counts().expired == 1);
}

TEMPLATE_TEST_CASE("a crawl state holds a retry until its not-before time, then leases its replacement",
                   "[state][conformance]", WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, ordered_settings());
    st.add({make_request("http://a.test/1"), make_request("http://b.test/1")});
    auto first = st.lease(1);
    REQUIRE(urls_of(first) == urls{"http://a.test/1"});

    auto replacement = first.leases[0].req;
    replacement.attempts(replacement.attempts() + 1).priority(replacement.priority() - 1);
    auto const retried_at = clock_type::now();
    CHECK(st.retry(first.leases[0].token, replacement, 400ms, neutral_outcome()) == commit_result::accepted);
    auto early = st.lease(10);
    if (since(retried_at) < 300ms)
    {
        CHECK(urls_of(early) == urls{"http://b.test/1"});
        auto const c = st.counts();
        CHECK(c.delayed == 1);
        CHECK(c.leased == 1);
        CHECK(c.pending == 0);
    }
    else
        WARN("the machine was too slow to check that a retry waits for its not-before time");
    for (auto const& l : early.leases)
        CHECK(st.complete(l.token) == commit_result::accepted);
    if (early.leases.size() == 1)
        CHECK_FALSE(st.finished()); // the retry is still to come

    b.sleep(std::max(0ms, 800ms - since(retried_at)));
    auto later = st.lease(10);
    if (early.leases.size() == 1)
    {
        REQUIRE(urls_of(later) == urls{"http://a.test/1"});
        CHECK(later.leases[0].req.attempts() == 1);
        CHECK(later.leases[0].req.priority() == -1);
        CHECK(later.leases[0].token > first.leases[0].token);
        CHECK(st.counts().delayed == 0);
        CHECK_FALSE(st.finished());
        CHECK(st.complete(later.leases[0].token) == commit_result::accepted);
    }
    CHECK(st.retry(first.leases[0].token, replacement, 0ms) == commit_result::stale);
    CHECK(st.finished());
}

TEMPLATE_TEST_CASE("a crawl state queues a due retry by its new priority", "[state][conformance]", WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, ordered_settings());
    st.add({make_request("http://a.test/1")});
    auto first = st.lease(1);
    REQUIRE(first.leases.size() == 1);
    st.add({make_request("http://b.test/1")});
    auto replacement = first.leases[0].req;
    replacement.attempts(1).priority(-1);
    CHECK(st.retry(first.leases[0].token, replacement, 0ms) == commit_result::accepted);
    st.add({make_request("http://c.test/1")});
    CHECK(urls_of(st.lease(10)) == urls{"http://b.test/1", "http://c.test/1", "http://a.test/1"});
}

TEMPLATE_TEST_CASE("a crawl state takes released leases back at once and refuses their tokens",
                   "[state][conformance]", WEFT_STATE_BACKENDS)
{
    TestType b;
    auto s = ordered_settings();
    s.per_host = 1;
    auto st = open_state(b, s);
    st.add({make_request("http://a.test/1"), make_request("http://b.test/1"), make_request("http://c.test/1")});
    auto got = st.lease(2);
    REQUIRE(urls_of(got) == urls{"http://a.test/1", "http://b.test/1"});
    auto const released = got.leases[0].token;

    st.release({released});
    auto c = st.counts();
    CHECK(c.leased == 1);
    CHECK(c.pending == 2);
    CHECK(c.expired == 0);
    // a.test's place is free again at once (per_host 1).
    auto again = st.lease(10);
    auto const u = urls_of(again);
    CHECK(std::set<std::string>(u.begin(), u.end()) == std::set<std::string>{"http://a.test/1", "http://c.test/1"});
    for (auto const& l : again.leases)
    {
        CHECK(l.token > got.leases[1].token);
        if (l.req.url() == "http://a.test/1")
            CHECK(l.req.attempts() == 0); // no attempt counted
    }
    CHECK(st.complete(released) == commit_result::stale);
    CHECK(st.extend({released}, 1min) == flags{false});
    st.release({released}); // stale: nothing happens
    CHECK(st.counts().leased == 3);
}

TEMPLATE_TEST_CASE("a crawl state is finished only with nothing pending, leased or delayed", "[state][conformance]",
                   WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, ordered_settings());
    CHECK(st.finished());
    st.add({make_request("http://a.test/1")});
    CHECK_FALSE(st.finished());
    auto l = st.lease(1);
    REQUIRE(l.leases.size() == 1);
    CHECK_FALSE(st.finished());
    CHECK(st.retry(l.leases[0].token, l.leases[0].req, 10min) == commit_result::accepted);
    CHECK_FALSE(st.finished()); // delayed
    CHECK(st.counts().delayed == 1);
    CHECK(st.lease(1).leases.empty());

    st.add({make_request("http://b.test/1")});
    auto m = st.lease(1);
    REQUIRE(m.leases.size() == 1);
    CHECK(st.complete(m.leases[0].token) == commit_result::accepted);
    CHECK_FALSE(st.finished()); // a.test/1 is still delayed
    CHECK(st.complete(m.leases[0].token) == commit_result::stale);
    CHECK_FALSE(st.finished());
}

TEMPLATE_TEST_CASE("a crawl state lists its busiest hosts first", "[state][conformance]", WEFT_STATE_BACKENDS)
{
    TestType b;
    auto st = open_state(b, ordered_settings());
    st.add({make_request("http://a.test/1"), make_request("http://c.test/1"), make_request("http://a.test/2"),
            make_request("http://b.test/1"), make_request("http://a.test/3"), make_request("http://c.test/2"),
            make_request("http://a.test/4")});
    REQUIRE(urls_of(st.lease(1)) == urls{"http://a.test/1"});
    auto const hosts = st.busiest(2);
    REQUIRE(hosts.size() == 2);
    CHECK(hosts[0].host == "a.test");
    CHECK(hosts[0].pending == 3);
    CHECK(hosts[0].in_flight == 1);
    CHECK(hosts[0].concurrency >= 1);
    CHECK(hosts[1].host == "c.test");
    CHECK(hosts[1].pending == 2);
    CHECK(hosts[1].in_flight == 0);
}
