#include <weft/state/host_controller.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using weft::state::fetch_outcome;
using weft::state::host_controller;
using weft::state::host_policy;

namespace
{

// Every test passes time explicitly, from a fixed origin: nothing sleeps, nothing reads the clock.
host_controller::clock::time_point const t0 = host_controller::clock::time_point{} + std::chrono::hours(1);

fetch_outcome answered(int status, milliseconds latency = 10ms)
{
    fetch_outcome o;
    o.fetched = true;
    o.status = status;
    o.latency = latency;
    return o;
}

fetch_outcome throttled(int status, milliseconds retry_after)
{
    auto o = answered(status);
    o.retry_after = retry_after;
    return o;
}

host_policy plain(std::size_t per_host = 8)
{
    host_policy p;
    p.max_concurrency = per_host;
    p.randomize_delay = false;
    p.adaptive_concurrency = false;
    return p;
}

// One request started and finished at `now` with `o`.
void round_trip(host_controller& c, fetch_outcome const& o, host_controller::clock::time_point now)
{
    c.on_start(now);
    c.on_finish(o, now);
}

// How long starts are held at `now` (0 when they are not).
milliseconds held_for(host_controller const& c, host_controller::clock::time_point now)
{
    return c.snapshot(now).backoff_for.value_or(0ms);
}

// The gaps on_start sets, from `n` starts far enough apart that each starts from `now`.
std::vector<milliseconds> gaps(host_controller& c, int n)
{
    std::vector<milliseconds> out;
    for (int i = 0; i < n; ++i)
    {
        auto const now = t0 + std::chrono::hours(i);
        c.on_start(now);
        c.on_abandon();
        out.push_back(std::chrono::duration_cast<milliseconds>(c.ready_at() - now));
    }
    return out;
}

} // namespace

TEST_CASE("host_policy takes per_host, delay, autothrottle and backoff from the settings", "[state][host_controller]")
{
    weft::engine::settings s;
    s.per_host = 0;
    s.delay = 250ms;
    s.randomize_delay = false;
    s.autothrottle.enabled = true;
    s.autothrottle.max_delay = 7s;
    s.adaptive_concurrency = false;
    s.backoff_base = 300ms;
    s.retry_max_delay = 9s;
    auto const p = host_policy::from(s);
    CHECK(p.max_concurrency == 1);
    CHECK(p.delay == 250ms);
    CHECK_FALSE(p.randomize_delay);
    CHECK(p.autothrottle.enabled);
    CHECK(p.autothrottle.max_delay == 7s);
    CHECK_FALSE(p.adaptive_concurrency);
    CHECK(p.backoff_base == 300ms);
    CHECK(p.backoff_max == 9s);
    CHECK(p.robots_gate); // obey_robots by default
    s.obey_robots = false;
    CHECK_FALSE(host_policy::from(s).robots_gate);
}

TEST_CASE("adaptive_concurrency and backoff_base are set by name, BACKOFF_BASE in seconds", "[state][host_controller]")
{
    weft::engine::settings s;
    CHECK(s.adaptive_concurrency);
    CHECK(s.backoff_base == 1000ms);
    s.set("adaptive_concurrency", "false");
    CHECK_FALSE(s.adaptive_concurrency);
    s.set("ADAPTIVE_CONCURRENCY", "1");
    CHECK(s.adaptive_concurrency);
    s.set("backoff_base", "250");
    CHECK(s.backoff_base == 250ms);
    s.set("BACKOFF_BASE", "2.5");
    CHECK(s.backoff_base == 2500ms);
    CHECK_THROWS_WITH(s.set("adaptive_concurrency", "maybe"), Catch::Contains("adaptive_concurrency"));
    CHECK_THROWS_WITH(s.set("backoff_base", "-1"), Catch::Contains("backoff_base"));
    CHECK(s.extra.empty());
    auto const j = s.to_json();
    CHECK(j["adaptive_concurrency"] == true);
    CHECK(j["backoff_base_ms"] == 2500);
}

TEST_CASE("a host admits max_concurrency requests at once; a finish or an abandon frees one",
          "[state][host_controller]")
{
    host_controller c(plain(2));
    CHECK(c.limit() == 2);
    CHECK(c.can_start(t0));
    c.on_start(t0);
    c.on_start(t0);
    CHECK(c.saturated());
    CHECK_FALSE(c.can_start(t0));
    c.on_finish(answered(200), t0);
    CHECK(c.can_start(t0));
    c.on_abandon();
    CHECK(c.in_flight() == 0);
    c.on_abandon(); // never below zero
    CHECK(c.in_flight() == 0);

    auto p = plain(0);
    CHECK(host_controller(p).limit() == 1); // at least one
}

TEST_CASE("starts on a host are spaced by the delay, and the next start never moves back", "[state][host_controller]")
{
    auto p = plain();
    p.delay = 100ms;
    host_controller c(p);
    c.on_start(t0);
    CHECK(c.ready_at() == t0 + 100ms);
    CHECK_FALSE(c.can_start(t0 + 99ms));
    CHECK(c.can_start(t0 + 100ms));
    c.on_start(t0 - 50ms); // a start stamped earlier cannot pull the next one forward
    CHECK(c.ready_at() == t0 + 100ms);
    CHECK(c.delay() == 100ms);
}

TEST_CASE("a randomized delay spreads 0.5-1.5x, like Scrapy's RANDOMIZE_DOWNLOAD_DELAY", "[state][host_controller]")
{
    auto p = plain();
    p.delay = 1000ms;
    p.randomize_delay = true;
    host_controller c(p, 42);
    auto const g = gaps(c, 300);
    auto const [lo, hi] = std::minmax_element(g.begin(), g.end());
    CHECK(*lo >= 500ms);
    CHECK(*hi <= 1500ms);
    CHECK(*lo < 700ms); // it does spread, both ways
    CHECK(*hi > 1300ms);
}

TEST_CASE("the jitter is the same for the same seed", "[state][host_controller]")
{
    auto p = plain();
    p.delay = 1000ms;
    p.randomize_delay = true;
    host_controller a(p, 7);
    host_controller b(p, 7);
    host_controller other(p, 8);
    auto const ga = gaps(a, 20);
    CHECK(ga == gaps(b, 20));
    CHECK(ga != gaps(other, 20));
}

TEST_CASE("a Crawl-delay is a floor on the gap after jitter: two starts are never closer", "[state][host_controller]")
{
    auto p = plain();
    p.randomize_delay = true;
    host_controller c(p, 3);
    c.set_min_delay(2000ms, t0);
    CHECK(c.delay() == 2000ms);
    auto const g = gaps(c, 300);
    auto const [lo, hi] = std::minmax_element(g.begin(), g.end());
    // Jitter of the delay gives [1000, 3000]; the floor lifts the lower half to the Crawl-delay.
    CHECK(*lo == 2000ms);
    CHECK(*hi <= 3000ms);
    CHECK(*hi > 2600ms); // jitter still lengthens some gaps

    c.set_min_delay(500ms, t0); // a lower floor never lowers the delay
    CHECK(c.delay() == 2000ms);
}

TEST_CASE("a Crawl-delay learnt while the robots.txt fetcher is in flight holds the next start",
          "[state][host_controller][robots]")
{
    host_controller c(plain());
    c.on_start(t0); // the host's first request: it fetches robots.txt before it reaches the host
    c.set_min_delay(2000ms, t0 + 300ms);
    CHECK_FALSE(c.can_start(t0 + 2299ms));
    CHECK(c.can_start(t0 + 2300ms));
    c.set_min_delay(2000ms, t0 + 5000ms); // the same floor again (another worker): no new hold
    CHECK(c.can_start(t0 + 2300ms));
}

TEST_CASE("robots.txt readiness: the first start opens a gated host, a stored robots.txt makes it ready",
          "[state][host_controller][robots]")
{
    auto p = plain();
    host_controller free(p);
    CHECK(free.robots() == host_controller::robots_readiness::ready);
    CHECK_FALSE(free.on_start(t0));

    p.robots_gate = true;
    host_controller c(p);
    CHECK(c.robots() == host_controller::robots_readiness::unknown);
    CHECK(c.can_start(t0));
    CHECK(c.on_start(t0));
    CHECK(c.blocked());
    CHECK_FALSE(c.saturated());
    CHECK_FALSE(c.can_start(t0 + 1h));
    c.robots_abandoned();
    CHECK(c.robots() == host_controller::robots_readiness::unknown);
    CHECK(c.on_start(t0));
    c.robots_stored();
    CHECK(c.can_start(t0));
    CHECK_FALSE(c.on_start(t0));
    c.robots_abandoned(); // too late: a stored robots.txt stays
    CHECK(c.robots() == host_controller::robots_readiness::ready);
}

TEST_CASE("a Crawl-delay below a randomized delay leaves its jitter alone above the floor", "[state][host_controller]")
{
    auto p = plain();
    p.delay = 1000ms;
    p.randomize_delay = true;
    host_controller c(p, 5);
    c.set_min_delay(800ms, t0);
    CHECK(c.delay() == 1000ms);
    auto const g = gaps(c, 300);
    auto const [lo, hi] = std::minmax_element(g.begin(), g.end());
    CHECK(*lo == 800ms);
    CHECK(*hi <= 1500ms);
    CHECK(*hi > 1300ms);
}

TEST_CASE("autothrottle follows Scrapy's rule and a failure never lowers the delay", "[state][host_controller]")
{
    auto p = plain();
    p.autothrottle.enabled = true;
    p.autothrottle.start_delay = 5000ms;
    p.autothrottle.max_delay = 60000ms;
    p.autothrottle.target_concurrency = 1.0;
    p.backoff_max = 0ms; // only the delay is under test
    host_controller c(p);
    CHECK(c.delay() == 5000ms);
    round_trip(c, answered(200, 100ms), t0);
    CHECK(c.delay() == 2550ms); // max(100, (5000 + 100) / 2)
    round_trip(c, answered(200, 100ms), t0);
    CHECK(c.delay() == 1325ms);
    round_trip(c, answered(503, 10ms), t0);
    CHECK(c.delay() == 1325ms);
    round_trip(c, answered(0, 10ms), t0); // a timeout either
    CHECK(c.delay() == 1325ms);
    round_trip(c, answered(500, 4000ms), t0); // but a slow failure raises it
    CHECK(c.delay() == 4000ms);
    fetch_outcome cached = answered(200, 0ms);
    cached.fetched = false; // the host saw nothing: no feedback
    round_trip(c, cached, t0);
    CHECK(c.delay() == 4000ms);
    round_trip(c, answered(200, 100000ms), t0);
    CHECK(c.delay() == 60000ms); // clamped to max_delay
}

TEST_CASE("with autothrottle, a Crawl-delay is the lowest the delay goes", "[state][host_controller]")
{
    auto p = plain();
    p.autothrottle.enabled = true;
    p.autothrottle.start_delay = 5000ms;
    host_controller c(p);
    c.set_min_delay(2000ms, t0);
    for (int i = 0; i < 40; ++i)
        round_trip(c, answered(200, 10ms), t0 + std::chrono::minutes(i));
    CHECK(c.delay() == 2000ms);
    c.on_start(t0 + std::chrono::hours(1));
    CHECK(c.ready_at() == t0 + std::chrono::hours(1) + 2000ms);
    round_trip(c, answered(200, 6000ms), t0 + std::chrono::hours(2));
    CHECK(c.delay() == 6000ms); // a slow host still raises it above the floor
}

TEST_CASE("a 429 with Retry-After holds every start on the host, capped by backoff_max", "[state][host_controller]")
{
    auto p = plain(4);
    p.backoff_max = 60s;
    host_controller c(p);
    c.on_start(t0);
    c.on_start(t0);
    c.on_finish(throttled(429, 30s), t0);
    CHECK(c.backoffs() == 1);
    CHECK_FALSE(c.saturated());
    CHECK_FALSE(c.can_start(t0 + 29s)); // not only that request: any request to the host
    CHECK(c.can_start(t0 + 30s));
    CHECK(c.ready_at() == t0 + 30s);
    CHECK(held_for(c, t0 + 10s) == 20s);
    CHECK_FALSE(c.snapshot(t0 + 30s).backoff_for);

    c.on_finish(throttled(503, std::chrono::hours(1)), t0 + 40s); // capped
    CHECK(c.ready_at() == t0 + 100s);
    CHECK(c.backoffs() == 2);
}

TEST_CASE("a 429 without Retry-After backs off 1, 2, 4 ... up to the cap, and a good response starts over",
          "[state][host_controller]")
{
    auto p = plain();
    p.backoff_base = 1s;
    p.backoff_max = 10s;
    host_controller c(p);
    auto now = t0;
    std::vector<milliseconds> holds;
    for (int i = 0; i < 6; ++i)
    {
        round_trip(c, answered(i % 2 ? 503 : 429), now);
        holds.push_back(held_for(c, now));
        now = c.ready_at(); // the next one comes once the hold passed
    }
    CHECK(holds == std::vector<milliseconds>{1s, 2s, 4s, 8s, 10s, 10s});
    CHECK(c.backoffs() == 6);

    round_trip(c, answered(404), now); // neither good nor a throttle: the step stays
    round_trip(c, answered(429), now);
    CHECK(held_for(c, now) == 10s);
    now = c.ready_at();
    round_trip(c, answered(301), now); // a good response (3xx too) starts over
    round_trip(c, answered(429), now);
    CHECK(held_for(c, now) == 1s);
}

TEST_CASE("Retry-After holds without moving the doubling step; a later 2xx resets it", "[state][host_controller]")
{
    auto p = plain();
    p.backoff_base = 1s;
    host_controller c(p);
    round_trip(c, answered(429), t0);
    CHECK(held_for(c, t0) == 1s);
    round_trip(c, answered(429), t0 + 1s);
    CHECK(held_for(c, t0 + 1s) == 2s);
    round_trip(c, throttled(429, 5s), t0 + 3s);
    CHECK(held_for(c, t0 + 3s) == 5s);
    round_trip(c, answered(429), t0 + 8s);
    CHECK(held_for(c, t0 + 8s) == 4s); // the step went on from 2 s
    round_trip(c, answered(200), t0 + 12s);
    round_trip(c, answered(429), t0 + 12s);
    CHECK(held_for(c, t0 + 12s) == 1s);
}

TEST_CASE("a hold never shortens an earlier, longer one; back_off holds and counts", "[state][host_controller]")
{
    auto p = plain();
    p.backoff_max = 60s;
    host_controller c(p);
    c.back_off(30s, t0);
    CHECK(c.backoffs() == 1);
    CHECK(c.ready_at() == t0 + 30s);
    round_trip(c, throttled(429, 1s), t0 + 1s);
    CHECK(c.ready_at() == t0 + 30s);
    c.back_off(5s, t0 + 2s);
    CHECK(c.ready_at() == t0 + 30s);
    c.back_off(std::chrono::hours(2), t0 + 10s); // capped by backoff_max
    CHECK(c.ready_at() == t0 + 70s);
    CHECK(c.backoffs() == 4);
    CHECK(c.in_flight() == 0);
}

TEST_CASE("a hold and the delay combine: the later of the two decides", "[state][host_controller]")
{
    auto p = plain();
    p.delay = 10s;
    host_controller c(p);
    c.on_start(t0);
    c.back_off(3s, t0);
    CHECK(c.ready_at() == t0 + 10s);
    c.back_off(20s, t0);
    CHECK(c.ready_at() == t0 + 20s);
}

TEST_CASE("an outcome that never reached the host frees its place and changes nothing else", "[state][host_controller]")
{
    auto p = plain();
    p.adaptive_concurrency = true;
    host_controller c(p);
    c.on_start(t0);
    fetch_outcome o = throttled(429, 30s);
    o.fetched = false;
    c.on_finish(o, t0);
    CHECK(c.in_flight() == 0);
    CHECK(c.backoffs() == 0);
    CHECK(c.limit() == 8);
    CHECK(c.can_start(t0));
}

TEST_CASE("AIMD halves the limit once per window on a burst of errors, never below 1", "[state][host_controller]")
{
    auto p = plain(8);
    p.adaptive_concurrency = true;
    p.backoff_max = 0ms; // the limit alone is under test
    host_controller c(p);
    for (int i = 0; i < 8; ++i) // eight requests in flight together all time out
        c.on_start(t0);
    for (int i = 0; i < 8; ++i)
        c.on_finish(answered(0), t0 + milliseconds(10 * i));
    CHECK(c.limit() == 4);
    round_trip(c, answered(500), t0 + 999ms);
    CHECK(c.limit() == 4);
    round_trip(c, answered(502), t0 + 1000ms); // the next window
    CHECK(c.limit() == 2);
    round_trip(c, answered(429), t0 + 2000ms);
    CHECK(c.limit() == 1);
    round_trip(c, answered(503), t0 + 3000ms);
    CHECK(c.limit() == 1);
    CHECK(c.snapshot(t0 + 3000ms).concurrency == 1);
}

TEST_CASE("AIMD's window is the smoothed latency when that is longer than a second", "[state][host_controller]")
{
    auto p = plain(8);
    p.adaptive_concurrency = true;
    host_controller c(p);
    round_trip(c, answered(200, 3000ms), t0); // a slow host from the start: 3 s is its normal
    CHECK(c.limit() == 8);
    round_trip(c, answered(500), t0 + 10s);
    CHECK(c.limit() == 4);
    round_trip(c, answered(500), t0 + 12s);
    CHECK(c.limit() == 4);
    round_trip(c, answered(500), t0 + 13s);
    CHECK(c.limit() == 2);
}

TEST_CASE("AIMD raises the limit by one after limit good responses in a row, up to per_host",
          "[state][host_controller]")
{
    auto p = plain(4);
    p.adaptive_concurrency = true;
    host_controller c(p);
    round_trip(c, answered(500), t0);
    round_trip(c, answered(500), t0 + 1s);
    CHECK(c.limit() == 1);
    auto now = t0 + 2s;
    auto good = [&](int n)
    {
        for (int i = 0; i < n; ++i)
            round_trip(c, answered(i % 2 ? 200 : 304), now += 10ms);
    };
    good(1);
    CHECK(c.limit() == 2);
    good(1);
    CHECK(c.limit() == 2);
    round_trip(c, answered(404), now); // a normal answer: neither counts nor breaks the row
    good(1);
    CHECK(c.limit() == 3);
    good(2);
    round_trip(c, answered(500), now += 10ms); // breaks the row and halves
    CHECK(c.limit() == 1);
    good(1 + 2 + 3);
    CHECK(c.limit() == 4);
    good(100);
    CHECK(c.limit() == 4); // never above per_host
}

TEST_CASE("with adaptive concurrency off, errors and throttling keep the limit", "[state][host_controller]")
{
    auto p = plain(6);
    host_controller c(p);
    for (int i = 0; i < 20; ++i)
    {
        round_trip(c, answered(i % 3 == 0 ? 0 : 429), t0 + std::chrono::minutes(i));
        round_trip(c, answered(200, 5000ms), t0 + std::chrono::minutes(i));
    }
    CHECK(c.limit() == 6);
    CHECK(c.backoffs() > 0); // backoff still applies
}

TEST_CASE("latency climbing on a slow host lowers the limit; a fast host's noise does not", "[state][host_controller]")
{
    auto p = plain(8);
    p.adaptive_concurrency = true;

    host_controller slow(p);
    auto now = t0;
    for (int i = 0; i < 20; ++i)
        round_trip(slow, answered(200, 200ms), now += 100ms);
    CHECK(slow.limit() == 8);
    round_trip(slow, answered(200, 2000ms), now += 100ms); // smoothed: 740 ms, not 4x yet
    CHECK(slow.limit() == 8);
    round_trip(slow, answered(200, 2000ms), now += 100ms); // smoothed: 1118 ms > 4 x 200 ms
    CHECK(slow.limit() == 4);
    for (int i = 0; i < 60; ++i) // while it stays slow: no raise, and down once per ~2 s window
        round_trip(slow, answered(200, 2000ms), now += 100ms);
    CHECK(slow.limit() == 1);

    host_controller fast(p);
    now = t0;
    for (int i = 0; i < 200; ++i) // 1 ms to 120 ms: 100x its best, but far below 500 ms
        round_trip(fast, answered(200, i % 10 == 9 ? 120ms : 1ms), now += 10ms);
    CHECK(fast.limit() == 8);

    host_controller steady(p);
    now = t0;
    for (int i = 0; i < 50; ++i) // slow from the start is not climbing
        round_trip(steady, answered(200, 900ms), now += 100ms);
    CHECK(steady.limit() == 8);
}

TEST_CASE("a snapshot reports in flight, limit, delay, backoffs and the hold left", "[state][host_controller]")
{
    auto p = plain(3);
    p.delay = 250ms;
    host_controller c(p);
    c.on_start(t0);
    auto s = c.snapshot(t0);
    CHECK(s.host.empty());
    CHECK(s.pending == 0);
    CHECK(s.in_flight == 1);
    CHECK(s.concurrency == 3);
    CHECK(s.delay == 250ms);
    CHECK(s.backoffs == 0);
    CHECK_FALSE(s.backoff_for);
    c.back_off(2s, t0);
    s = c.snapshot(t0 + 500ms);
    CHECK(s.backoffs == 1);
    REQUIRE(s.backoff_for);
    CHECK(*s.backoff_for == 1500ms);
    CHECK(c.snapshot(t0 + 2s - std::chrono::microseconds(100)).backoff_for == 1ms); // rounded up, not 0
    CHECK_FALSE(c.snapshot(t0 + 2s).backoff_for);
}
