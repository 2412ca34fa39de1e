#include <weft/middleware/builtin.hpp>
#include <weft/middleware/middleware.hpp>

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

TEST_CASE("Retry-After is read as delta-seconds or an HTTP date", "[middleware][retry]")
{
    using weft::middleware::parse_retry_after;
    CHECK(parse_retry_after("3") == std::chrono::milliseconds(3000));
    CHECK(parse_retry_after(" 0 ") == std::chrono::milliseconds(0));
    CHECK_FALSE(parse_retry_after("soon"));
    CHECK_FALSE(parse_retry_after(""));
    auto now = std::chrono::system_clock::from_time_t(784111777); // Sun, 06 Nov 1994 08:49:37 GMT
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now) == std::chrono::milliseconds(10000));
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now) == std::chrono::milliseconds(0));
}

TEST_CASE("backoff doubles per attempt with jitter, honours Retry-After and the cap", "[middleware][retry]")
{
    std::minstd_rand rng(42);
    for (int i = 0; i < 50; ++i)
    {
        auto d1 = weft::middleware::backoff_delay(1, 100ms, 60s, std::nullopt, rng);
        auto d3 = weft::middleware::backoff_delay(3, 100ms, 60s, std::nullopt, rng);
        CHECK(d1 >= 50ms);
        CHECK(d1 <= 150ms);
        CHECK(d3 >= 200ms);
        CHECK(d3 <= 600ms);
    }
    CHECK(weft::middleware::backoff_delay(1, 100ms, 60s, 5s, rng) == 5s);
    CHECK(weft::middleware::backoff_delay(30, 100ms, 2s, std::nullopt, rng) == 2s);
    CHECK(weft::middleware::backoff_delay(1, 100ms, 2s, 100s, rng) == 2s);
}

TEST_CASE("connection failures and timeouts are retryable; policy and cancellation are not", "[middleware][retry]")
{
    using weft::middleware::is_retryable;
    CHECK(is_retryable(boost::asio::error::connection_refused));
    CHECK(is_retryable(weft::error::timed_out));
    CHECK(is_retryable(weft::error::connection_closed));
    CHECK_FALSE(is_retryable(boost::asio::error::operation_aborted));
    CHECK_FALSE(is_retryable(weft::error::robots_disallowed));
}

namespace
{
struct named final : weft::downloader_middleware
{
    named(std::string n, int p) : n_(std::move(n)), p_(p) {}
    std::string_view name() const noexcept override { return n_; }
    int priority() const noexcept override { return p_; }
    std::string n_;
    int p_;
};
} // namespace

TEST_CASE("the chain orders middlewares by priority and the defaults follow the settings", "[middleware][chain]")
{
    weft::middleware_chain chain;
    chain.add(std::make_unique<named>("c", 30));
    chain.add(std::make_unique<named>("a", 10));
    chain.add(std::make_unique<named>("b", 20));
    chain.add(std::make_unique<named>("b2", 20));
    std::vector<std::string> order;
    for (auto const& m : chain.list())
        order.emplace_back(m->name());
    CHECK(order == std::vector<std::string>{"a", "b", "b2", "c"});

    weft::engine::settings s;
    weft::middleware_chain defaults;
    weft::middleware::install_defaults(defaults, s);
    CHECK(defaults.find("robots"));
    CHECK(defaults.find("retry"));
    CHECK(defaults.find("redirect"));
    CHECK(defaults.find("cookies"));
    CHECK_FALSE(defaults.find("http_cache"));
    s.obey_robots = false;
    weft::middleware_chain no_robots;
    weft::middleware::install_defaults(no_robots, s);
    CHECK_FALSE(no_robots.find("robots"));
    CHECK(no_robots.list().front()->name() == "user_agent");
}

TEST_CASE("the built-ins keep Scrapy's priorities, whether installed by the settings or made alone",
          "[middleware][chain]")
{
    weft::test::temp_dir cache;
    weft::engine::settings s;
    s.obey_robots = true;
    s.cookies = true;
    s.http_cache_dir = cache.path();
    weft::middleware_chain chain;
    weft::middleware::install_defaults(chain, s);
    std::vector<std::pair<std::string, int>> got;
    for (auto const& m : chain.list())
        got.emplace_back(m->name(), m->priority());
    std::vector<std::pair<std::string, int>> const want = {
        {"robots", 100},   {"user_agent", 500}, {"retry", 550},     {"adaptive_render", 590},
        {"redirect", 600}, {"cookies", 700},    {"http_cache", 900}};
    CHECK(got == want);
    CHECK(weft::middleware::make_adaptive_render()->priority() == 590);

    CHECK(weft::middleware::make_robots()->priority() == 100);
    CHECK(weft::middleware::make_cookies()->name() == "cookies");
    CHECK(weft::middleware::make_http_cache(cache.path())->priority() == 900);
}

TEST_CASE("install_defaults leaves a middleware of the same name the user installed", "[middleware][chain]")
{
    weft::middleware_chain chain;
    chain.add(std::make_unique<named>("retry", 1));
    weft::middleware::install_defaults(chain, weft::engine::settings{});
    auto const* retry = chain.find("retry");
    REQUIRE(retry);
    CHECK(retry->priority() == 1);
    auto const retries =
        std::count_if(chain.list().begin(), chain.list().end(), [](auto const& m) { return m->name() == "retry"; });
    CHECK(retries == 1);
}
