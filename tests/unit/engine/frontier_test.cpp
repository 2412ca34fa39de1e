#include <weft/engine/frontier.hpp>
#include <weft/engine/scheduler.hpp>
#include <weft/state/memory_state.hpp>

#include "support/run_sync.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <deque>
#include <map>

using namespace std::chrono_literals;
using weft::engine::frontier;
using weft::engine::frontier_entry;

namespace
{

weft::state::fetch_outcome ok()
{
    weft::state::fetch_outcome o;
    o.fetched = true;
    o.latency = 1ms;
    o.status = 200;
    return o;
}

frontier_entry entry(std::string url, std::string host, int priority = 0)
{
    frontier_entry e;
    e.req = weft::request{std::move(url)};
    e.req.priority(priority);
    e.host = std::move(host);
    return e;
}

std::vector<std::string> drain_urls(frontier& f)
{
    std::vector<std::string> out;
    auto next = frontier::clock::time_point::max();
    while (auto e = f.pop(frontier::clock::now(), next))
    {
        out.push_back(e->req.url());
        f.done(e->host, ok(), frontier::clock::now());
    }
    return out;
}

struct memory_store final : weft::engine::frontier_store
{
    std::deque<frontier_entry> spilled_;
    void spill(frontier_entry const& e) override { spilled_.push_back(e); }
    std::vector<frontier_entry> unspill(std::size_t n) override
    {
        std::vector<frontier_entry> out;
        while (n-- && !spilled_.empty())
        {
            out.push_back(std::move(spilled_.front()));
            spilled_.pop_front();
        }
        return out;
    }
    std::vector<frontier_entry> unspill_host(std::string const& host, std::size_t n) override
    {
        std::vector<frontier_entry> out;
        for (auto it = spilled_.begin(); it != spilled_.end() && out.size() < n;)
            if (it->host == host)
            {
                out.push_back(std::move(*it));
                it = spilled_.erase(it);
            }
            else
                ++it;
        return out;
    }
    std::map<std::string, std::size_t> spilled_hosts() const override
    {
        std::map<std::string, std::size_t> out;
        for (auto const& e : spilled_)
            ++out[e.host];
        return out;
    }
    std::size_t spilled() const override { return spilled_.size(); }
    std::optional<int> top_spilled_priority() const override
    {
        std::optional<int> top;
        for (auto const& e : spilled_)
            if (!top || e.req.priority() > *top)
                top = e.req.priority();
        return top;
    }
};

} // namespace

TEST_CASE("the frontier releases higher priorities first, FIFO among equals", "[engine][frontier]")
{
    weft::engine::settings s;
    s.obey_robots = false; // the frontier alone: no robots.txt readiness
    frontier f(s);
    f.push(entry("a", "h"));
    f.push(entry("b", "h", 5));
    f.push(entry("c", "h"));
    f.push(entry("d", "h", 5));
    f.push(entry("e", "h", -1));
    CHECK(f.size() == 5);
    CHECK(drain_urls(f) == std::vector<std::string>{"b", "d", "a", "c", "e"});
    CHECK(f.empty());
}

TEST_CASE("a busy host does not hold back another host", "[engine][frontier]")
{
    weft::engine::settings s;
    s.obey_robots = false; // the frontier alone: no robots.txt readiness
    s.per_host = 1;
    frontier f(s);
    f.push(entry("a1", "a", 10));
    f.push(entry("a2", "a", 10));
    f.push(entry("b1", "b"));
    auto now = frontier::clock::now();
    auto next = frontier::clock::time_point::max();
    auto first = f.pop(now, next);
    REQUIRE(first);
    CHECK(first->req.url() == "a1");
    auto second = f.pop(now, next);
    REQUIRE(second);
    CHECK(second->req.url() == "b1"); // a is at its limit
    CHECK_FALSE(f.pop(now, next));
    CHECK(next == frontier::clock::time_point::max()); // only a completion unblocks
    f.done("a", ok(), frontier::clock::now());
    auto third = f.pop(now, next);
    REQUIRE(third);
    CHECK(third->req.url() == "a2");
}

TEST_CASE("the frontier honours a host's delay and reports when it passes", "[engine][frontier]")
{
    weft::engine::settings s;
    s.obey_robots = false; // the frontier alone: no robots.txt readiness
    s.delay = 200ms;
    s.randomize_delay = false;
    frontier f(s);
    f.push(entry("a1", "a"));
    f.push(entry("a2", "a"));
    auto now = frontier::clock::now();
    auto next = frontier::clock::time_point::max();
    REQUIRE(f.pop(now, next));
    f.done("a", ok(), frontier::clock::now());
    CHECK_FALSE(f.pop(now, next));
    CHECK(next == now + 200ms);
    CHECK(f.pop(now + 200ms, next));
}

TEST_CASE("delayed entries wait for their time", "[engine][frontier]")
{
    weft::engine::settings s;
    s.obey_robots = false; // the frontier alone: no robots.txt readiness
    frontier f(s);
    auto now = frontier::clock::now();
    f.push_at(entry("retry", "a"), now + 1s);
    CHECK(f.size() == 1);
    auto next = frontier::clock::time_point::max();
    CHECK_FALSE(f.pop(now, next));
    CHECK(next == now + 1s);
    auto e = f.pop(now + 1s, next);
    REQUIRE(e);
    CHECK(e->req.url() == "retry");
}

TEST_CASE("past its memory limit the frontier spills to the store and refills from it", "[engine][frontier]")
{
    weft::engine::settings s;
    s.obey_robots = false; // the frontier alone: no robots.txt readiness
    s.frontier_memory_limit = 4;
    memory_store store;
    frontier f(s, &store);
    for (int i = 0; i < 10; ++i)
        f.push(entry("u" + std::to_string(i), "h"));
    CHECK(f.in_memory() == 4);
    CHECK(store.spilled() == 6);
    CHECK(f.size() == 10);
    auto urls = drain_urls(f);
    CHECK(urls.size() == 10);
    std::sort(urls.begin(), urls.end());
    CHECK(std::unique(urls.begin(), urls.end()) == urls.end());
    CHECK(f.empty());
}

TEST_CASE("a host whose requests were all spilled is not starved by a stalled host's backlog", "[engine][frontier]")
{
    weft::engine::settings s;
    s.obey_robots = false; // the frontier alone: no robots.txt readiness
    s.frontier_memory_limit = 4;
    s.per_host = 1;
    memory_store store;
    frontier f(s, &store);
    for (int i = 0; i < 4; ++i)
        f.push(entry("slow" + std::to_string(i), "slow.test")); // fills the memory
    for (int i = 0; i < 3; ++i)
        f.push(entry("fast" + std::to_string(i), "fast.test")); // all spilled
    REQUIRE(store.spilled() == 3);

    auto now = frontier::clock::now();
    frontier::clock::time_point next;
    auto first = f.pop(now, next);
    REQUIRE(first);
    CHECK(first->host == "slow.test"); // and it never finishes: slow.test stays saturated
    std::vector<std::string> fast;
    while (auto e = f.pop(now, next))
    {
        CHECK(e->host == "fast.test");
        fast.push_back(e->req.url());
        f.done(e->host, ok(), frontier::clock::now());
    }
    CHECK(fast == std::vector<std::string>{"fast0", "fast1", "fast2"});
    CHECK(f.in_memory() == 3); // the slow host's backlog, still waiting
    CHECK(store.spilled() == 0);
}

TEST_CASE("with obey_robots a host's first start opens it: its other requests wait for its robots.txt",
          "[engine][frontier][robots]")
{
    weft::engine::settings s;
    s.obey_robots = true;
    frontier f(s);
    f.push(entry("a1", "a"));
    f.push(entry("a2", "a"));
    f.push(entry("a3", "a"));
    f.push(entry("b1", "b"));
    auto now = frontier::clock::now();
    auto next = frontier::clock::time_point::max();
    bool opened = false;
    auto first = f.pop(now, next, &opened);
    REQUIRE(first);
    CHECK(first->req.url() == "a1");
    CHECK(opened);
    auto second = f.pop(now, next, &opened);
    REQUIRE(second);
    CHECK(second->req.url() == "b1");
    CHECK(opened);
    CHECK_FALSE(f.pop(now, next));
    CHECK(next == frontier::clock::time_point::max()); // an opening host has no time to wait for

    f.slot("a").robots_stored();
    auto third = f.pop(now, next, &opened);
    REQUIRE(third);
    CHECK(third->req.url() == "a2");
    CHECK_FALSE(opened);
    f.slot("a").robots_abandoned(); // a late end of the opening request: a stays ready
    auto fourth = f.pop(now, next, &opened);
    REQUIRE(fourth);
    CHECK(fourth->req.url() == "a3");
    CHECK_FALSE(opened);

    f.push(entry("b2", "b"));
    f.push(entry("b3", "b"));
    CHECK_FALSE(f.pop(now, next));
    f.slot("b").robots_abandoned(); // b1 ended without a robots.txt: b2 opens b again
    auto fifth = f.pop(now, next, &opened);
    REQUIRE(fifth);
    CHECK(fifth->req.url() == "b2");
    CHECK(opened);
    CHECK_FALSE(f.pop(now, next));
}

TEST_CASE("also_allowed_hosts (--allow-host) add to the start hosts; allowed_hosts replace them",
          "[engine][scheduler]")
{
    using weft::engine::schedule_result;
    weft::engine::stats st;
    {
        weft::engine::settings s;
        s.also_allowed_hosts = {"cdn.test"};
        weft::engine::scheduler sch(s, st);
        CHECK(sch.admit(weft::request{"http://site.test/"}, true).result == schedule_result::queued);
        CHECK(sch.admit(weft::request{"http://site.test/a"}).result == schedule_result::queued);
        CHECK(sch.admit(weft::request{"http://img.cdn.test/b"}).result == schedule_result::queued);
        CHECK(sch.admit(weft::request{"http://other.test/c"}).result == schedule_result::offsite);
    }
    {
        weft::engine::settings s;
        s.allowed_hosts = {"cdn.test"};
        weft::engine::scheduler sch(s, st);
        sch.admit(weft::request{"http://start.test/"}, true);
        CHECK(sch.admit(weft::request{"http://start.test/a"}).result == schedule_result::offsite);
        CHECK(sch.admit(weft::request{"http://cdn.test/d"}).result == schedule_result::queued);
    }
}

TEST_CASE("the scheduler applies host, depth and URL rules; the crawl state de-duplicates what it admits",
          "[engine][scheduler]")
{
    weft::engine::settings s;
    s.max_depth = 2;
    s.deny.push_back("/private/");
    weft::engine::stats st;
    weft::engine::scheduler sch(s, st);
    auto state = weft::state::make_memory_state(s);
    using weft::engine::schedule_result;
    std::vector<weft::state::new_request> admitted;
    auto admit = [&](weft::request r, bool start = false)
    {
        auto a = sch.admit(std::move(r), start);
        if (a.request)
            admitted.push_back(std::move(*a.request));
        return a.result;
    };
    CHECK(admit(weft::request{"http://site.test/"}, true) == schedule_result::queued);
    CHECK(admit(weft::request{"http://site.test/#frag"}) == schedule_result::queued);
    CHECK(admit(weft::request{"HTTP://SITE.test:80/"}) == schedule_result::queued);
    CHECK(admit(weft::request{"http://site.test/"}.dont_filter(true)) == schedule_result::queued);
    CHECK(admit(weft::request{"http://sub.site.test/a"}) == schedule_result::queued);
    CHECK(admit(weft::request{"http://other.test/a"}) == schedule_result::offsite);
    CHECK(admit(weft::request{"http://site.test/deep"}.depth(3)) == schedule_result::too_deep);
    CHECK(admit(weft::request{"http://site.test/private/x"}) == schedule_result::denied);
    CHECK(admit(weft::request{"http://site.test/" + std::string(2100, 'x')}) == schedule_result::denied);
    CHECK(admit(weft::request{"mailto:a@b"}) == schedule_result::bad_url);
    CHECK(admit(weft::request{""}) == schedule_result::bad_url);
    CHECK(st.filtered_offsite == 1);
    CHECK(st.filtered_depth == 1);
    CHECK(st.filtered_rule == 2);
    CHECK(st.bad_urls == 2);
    REQUIRE(admitted.size() == 5);
    CHECK(admitted[0].host == "site.test");
    CHECK(admitted[1].fp == admitted[0].fp); // the fragment and the case of scheme and host are not identity
    CHECK(admitted[2].fp == admitted[0].fp);
    CHECK(admitted[4].host == "sub.site.test");
    auto fresh = weft::test::run_sync(state->async_add(std::move(admitted)));
    CHECK(fresh == std::vector<bool>{true, false, false, true, true}); // dont_filter goes through
}

TEST_CASE("settings accept their own and Scrapy's names and reject bad values", "[engine][settings]")
{
    weft::engine::settings s;
    s.set("CONCURRENT_REQUESTS", "32");
    s.set("per_host", "3");
    s.set("DOWNLOAD_DELAY", "0.25");
    s.set("ROBOTSTXT_OBEY", "false");
    s.set("DEPTH_LIMIT", "0");
    s.set("autothrottle", "on");
    s.set("my_key", "value");
    CHECK(s.concurrency == 32);
    CHECK(s.per_host == 3);
    CHECK(s.delay == 250ms);
    CHECK_FALSE(s.obey_robots);
    CHECK(s.max_depth == -1);
    CHECK(s.autothrottle.enabled);
    CHECK(s.extra["my_key"] == "value");
    CHECK_THROWS_WITH(s.set("concurrency", "many"), Catch::Contains("concurrency"));
    CHECK_THROWS_AS(s.set("obey_robots", "perhaps"), std::invalid_argument);
}

TEST_CASE("the proxy settings take proxy URLs libcurl speaks and never show a password", "[settings][proxy]")
{
    using list = std::vector<std::string>;
    weft::engine::settings s;
    s.set("proxy", "socks5h://127.0.0.1:1080");
    CHECK(s.proxies == list{"socks5h://127.0.0.1:1080"});
    s.set("HTTP_PROXY", "http://bob:s3cret@proxy.test:3128");
    CHECK(s.proxies == list{"http://bob:s3cret@proxy.test:3128"});
    CHECK(s.to_json()["proxies"] == nlohmann::json::array({"http://bob:***@proxy.test:3128"}));
    s.set("proxies", "http://a.test:3128,socks5://b.test:1080");
    CHECK(s.proxies == list{"http://a.test:3128", "socks5://b.test:1080"});
    CHECK_THROWS_WITH(s.set("proxy", "ftp://bob:s3cret@proxy.test"),
                      Catch::Contains("proxy") && Catch::Contains("socks5://") && !Catch::Contains("s3cret"));
    CHECK_THROWS_WITH(s.set("proxies", "http://a.test:3128,gopher://b.test"), Catch::Contains("gopher://b.test"));
    s.set("proxy", "");
    CHECK(s.proxies.empty());
}
