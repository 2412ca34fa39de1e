// The crawl_state contract where storage shows: the order of a frontier larger than its memory
// limit (the spill), and, for persistent backends, what a restart and a crash keep. Same cases
// for every backend of WEFT_STATE_BACKENDS (state_backends.hpp).
#include "unit/state/state_driver.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace weft::test;
using urls = std::vector<std::string>;
using flags = std::vector<bool>;

namespace
{

std::set<std::string> url_set(lease_batch const& b)
{
    auto const u = urls_of(b);
    return {u.begin(), u.end()};
}

/// The expected frontier of the spill case: requests in the order a state must lease them.
class expected_order
{
public:
    /// Queues `url` with `priority` and returns its request.
    new_request queue(std::string url, int priority)
    {
        entries_.push_back({priority, seq_++, url});
        priority_of_[url] = priority;
        return make_request(url, priority);
    }

    /// "" when `got` is `want`, else where they part (with priorities).
    std::string difference(urls const& got, urls const& want) const
    {
        for (std::size_t i = 0; i < std::max(got.size(), want.size()); ++i)
            if (i >= got.size() || i >= want.size() || got[i] != want[i])
                return "at " + std::to_string(i) + " of " + std::to_string(want.size()) + ": got " + describe(got, i) +
                       ", expected " + describe(want, i);
        return "";
    }

    /// The next `n` URLs a lease must return, taken out.
    urls take(std::size_t n)
    {
        std::stable_sort(entries_.begin(), entries_.end(), [](entry const& a, entry const& b) {
            return a.priority != b.priority ? a.priority > b.priority : a.seq < b.seq;
        });
        n = std::min(n, entries_.size());
        urls out;
        for (std::size_t i = 0; i < n; ++i)
            out.push_back(entries_[i].url);
        entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(n));
        return out;
    }

    bool empty() const { return entries_.empty(); }

private:
    struct entry
    {
        int priority;
        int seq;
        std::string url;
    };
    std::string describe(urls const& u, std::size_t i) const
    {
        if (i >= u.size())
            return "nothing";
        auto const p = priority_of_.find(u[i]);
        return p == priority_of_.end() ? u[i] + " (never added)" : u[i] + " (priority " + std::to_string(p->second) + ")";
    }

    std::vector<entry> entries_;
    std::map<std::string, int> priority_of_;
    int seq_ = 0;
};

/// Adds requests [from, to) over four hosts and five priority levels (+ `shift`), 100 a batch.
void add_range(sync_state& st, expected_order& order, int from, int to, int shift)
{
    std::vector<new_request> batch;
    for (int i = from; i < to; ++i)
    {
        auto url = "http://h" + std::to_string(i % 4) + ".test/" + std::to_string(i);
        batch.push_back(order.queue(std::move(url), (i * 7) % 5 - 2 + shift));
        if (batch.size() == 100 || i + 1 == to)
        {
            auto const added = st.add(std::move(batch));
            REQUIRE(std::count(added.begin(), added.end(), true) == static_cast<std::ptrdiff_t>(added.size()));
            batch.clear();
        }
    }
}

} // namespace

TEMPLATE_TEST_CASE("a crawl state keeps priority and FIFO order beyond its memory limit", "[state][conformance]",
                   WEFT_STATE_BACKENDS)
{
    TestType b;
    auto s = ordered_settings();
    s.frontier_memory_limit = 50;
    auto st = open_state(b, s);
    expected_order order;

    add_range(st, order, 0, 1200, 0);
    CHECK(st.add({make_request("http://h0.test/0"), make_request("http://h3.test/599")}) == flags{false, false});
    CHECK(st.counts().pending == 1200);
    for (int i = 0; i < 6; ++i)
    {
        CAPTURE(i);
        REQUIRE(order.difference(urls_of(st.lease(50)), order.take(50)) == "");
    }
    // Later requests, some above every priority so far, overtake what spilled.
    add_range(st, order, 1200, 2000, 1);
    for (int i = 0; !order.empty(); ++i)
    {
        CAPTURE(i);
        REQUIRE(order.difference(urls_of(st.lease(100)), order.take(100)) == "");
    }
    CHECK(st.lease(10).leases.empty());
    auto const c = st.counts();
    CHECK(c.pending == 0);
    CHECK(c.leased == 2000);
    CHECK(c.seen == 2000);
}

TEMPLATE_TEST_CASE("a persistent crawl state keeps flushed work across a restart", "[state][conformance]",
                   WEFT_STATE_BACKENDS)
{
    if constexpr (TestType::persistent)
    {
        TestType b;
        auto const s = ordered_settings();
        // Where leases outlive the process (a shared server), let them expire instead.
        auto const lease_for = TestType::leases_end_with_process ? std::chrono::milliseconds(10min) : 300ms;
        std::vector<new_request> all{make_request("http://a.test/1", 0), make_request("http://a.test/2", 1),
                                     make_request("http://b.test/1", 0), make_request("http://b.test/2", 0),
                                     make_request("http://c.test/1", 2), make_request("http://d.test/1", 3)};
        all[3].req.meta("kept", 7);
        lease_token last = 0;
        {
            auto st = open_state(b, s);
            CHECK(st.add(all) == flags(all.size(), true));
            auto got = st.lease(3, lease_for);
            REQUIRE(urls_of(got) == urls{"http://d.test/1", "http://c.test/1", "http://a.test/2"});
            last = got.leases[2].token;
            CHECK(st.complete(got.leases[1].token) == commit_result::accepted); // c.test/1 is done
            auto replacement = got.leases[0].req;
            replacement.attempts(1).priority(-1);
            CHECK(st.retry(got.leases[0].token, replacement, 300ms) == commit_result::accepted);
            // a.test/2 stays leased
            st.flush();
        }
        sync_state st(b, b.reopen(s));
        CHECK(st->resumed());
        b.sleep(700ms); // the retry's not-before time (and leases of a shared server) pass

        CHECK(st.add(all) == flags(all.size(), false)); // the seen-set holds, done ones included
        auto back = st.lease(10);
        CHECK(urls_of(back) ==
              urls{"http://a.test/2", "http://a.test/1", "http://b.test/1", "http://b.test/2", "http://d.test/1"});
        for (auto const& l : back.leases)
        {
            CHECK(l.token > last);
            if (l.req.url() == "http://b.test/2")
                CHECK((l.req.meta_if() && l.req.meta_if()->value("kept", 0) == 7));
            if (l.req.url() == "http://d.test/1")
            {
                CHECK(l.req.attempts() == 1);
                CHECK(l.req.priority() == -1);
            }
        }
        auto const c = st.counts();
        CHECK(c.done == 1);
        CHECK(c.seen == all.size());
        CHECK(c.leased == 5);
        CHECK(c.pending == 0);
    }
    else
        SUCCEED(TestType::name << " does not persist");
}

TEMPLATE_TEST_CASE("a persistent crawl state loses at most unflushed work in a crash, never half of it",
                   "[state][conformance]", WEFT_STATE_BACKENDS)
{
    if constexpr (TestType::persistent)
    {
        TestType b;
        auto const s = ordered_settings();
        lease_token last = 0;
        {
            auto st = open_state(b, s);
            st.add({make_request("http://a.test/1"), make_request("http://a.test/2")});
            st.flush();
            auto got = st.lease(1);
            REQUIRE(urls_of(got) == urls{"http://a.test/1"});
            last = got.leases[0].token;
            // Neither of these is flushed.
            CHECK(st.add({make_request("http://b.test/1"), make_request("http://b.test/2"),
                          make_request("http://b.test/3")}) == flags{true, true, true});
            completion c;
            c.discovered = {make_request("http://c.test/1"), make_request("http://c.test/2")};
            CHECK(st.complete(last, c) == commit_result::accepted);
            st.reset(); // destroyed without async_flush: a crash
        }
        sync_state st(b, b.reopen(s));
        auto back = st.lease(100);
        for (auto const& l : back.leases)
            CHECK(l.token > last); // above every token handed out before, flushed or not
        auto const u = url_set(back);
        CHECK(u.count("http://a.test/2") == 1);

        bool const batch_kept = u.count("http://b.test/1") == 1;
        CHECK(u.count("http://b.test/2") == u.count("http://b.test/1"));
        CHECK(u.count("http://b.test/3") == u.count("http://b.test/1"));
        CHECK(st.add({make_request("http://b.test/1"), make_request("http://b.test/2"),
                      make_request("http://b.test/3")}) == flags(3, !batch_kept));

        // The completion is whole or absent: done with its discoveries, or pending without them.
        bool const completion_kept = u.count("http://c.test/1") == 1;
        CHECK(u.count("http://c.test/2") == u.count("http://c.test/1"));
        CHECK(u.count("http://a.test/1") == (completion_kept ? 0u : 1u));
        CHECK(st.add({make_request("http://c.test/1"), make_request("http://c.test/2")}) ==
              flags(2, !completion_kept));
    }
    else
        SUCCEED(TestType::name << " does not persist");
}
