#include <weft/engine/proxy_rotation.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace std::chrono_literals;
using weft::engine::proxy_rotation;

TEST_CASE("proxy_rotation takes the proxies in turn", "[engine][proxy]")
{
    proxy_rotation r({"http://a:1", "http://b:1", "http://c:1"});
    auto const now = proxy_rotation::clock::now();
    std::map<std::string, int> seen;
    for (int i = 0; i < 9; ++i)
        ++seen[r.next(now)];
    CHECK(seen == std::map<std::string, int>{{"http://a:1", 3}, {"http://b:1", 3}, {"http://c:1", 3}});
}

TEST_CASE("proxy_rotation skips an unreachable proxy while it backs off, longer after each failure",
          "[engine][proxy]")
{
    proxy_rotation r({"http://dead:1", "http://live:1"});
    auto now = proxy_rotation::clock::now();
    CHECK(r.report("http://dead:1", true, now) == 1s);
    for (int i = 0; i < 4; ++i)
        CHECK(r.next(now) == "http://live:1");
    // HTTP errors and timeouts, and a proxy that is not one of the crawl's, change nothing.
    CHECK(r.report("http://live:1", false, now) == 0s);
    CHECK(r.report("http://someone-elses:1", true, now) == 0s);

    now += 1s; // the back-off passed: it is tried again, fails again, and waits twice as long
    bool tried = false;
    for (int i = 0; i < 2; ++i)
        tried = tried || r.next(now) == "http://dead:1";
    CHECK(tried);
    CHECK(r.report("http://dead:1", true, now) == 2s);
    CHECK(r.report("http://dead:1", true, now) == 4s);
    for (int i = 0; i < 30; ++i)
        r.report("http://dead:1", true, now);
    CHECK(r.report("http://dead:1", true, now) == 5min); // capped

    // A success revives it at once.
    r.report("http://dead:1", false, now);
    bool back = false;
    for (int i = 0; i < 2; ++i)
        back = back || r.next(now) == "http://dead:1";
    CHECK(back);
}

TEST_CASE("proxy_rotation with every proxy backing off uses the one that comes back first", "[engine][proxy]")
{
    proxy_rotation r({"http://a:1", "http://b:1"});
    auto const now = proxy_rotation::clock::now();
    r.report("http://a:1", true, now);
    r.report("http://a:1", true, now); // a: 2 s
    r.report("http://b:1", true, now); // b: 1 s
    CHECK(r.next(now) == "http://b:1");
    CHECK(r.next(now) == "http://b:1");
}
