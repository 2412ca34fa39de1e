// The robots middleware over a real crawl state, with a real fetcher against a local server: an
// origin's robots.txt is fetched once for the whole crawl, whichever worker process asks (two
// middlewares, two "processes", share one state here), and every worker obeys it.
#include <weft/middleware/builtin.hpp>

#include <weft/engine/fingerprint.hpp>
#include <weft/http/fetcher_registry.hpp>
#include <weft/state/memory_state.hpp>

#include "support/run_sync.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace
{

// One worker's view of the crawl: the shared state, its own fetcher and its own counters.
class worker_context final : public weft::crawl_context
{
public:
    worker_context(weft::engine::settings const& s, weft::state::crawl_state& st, std::unique_ptr<weft::http::fetcher> f)
        : settings_(s), state_(st), fetcher_(std::move(f))
    {
    }

    weft::engine::settings const& settings() const override { return settings_; }
    weft::spider& spider() override { throw std::logic_error("the robots middleware needs no spider"); }
    void count(std::string_view name, std::uint64_t n) override { counts[std::string(name)] += n; }
    void set_host_delay(std::string const&, std::chrono::milliseconds) override
    {
        throw std::logic_error("the robots middleware sets Crawl-delay with async_set_host_delay");
    }
    weft::task<void> async_set_host_delay(std::string host, std::chrono::milliseconds d) override
    {
        co_await state_.async_set_min_delay(std::move(host), d);
    }
    void back_off_host(std::string const&, std::chrono::milliseconds) override {}
    weft::task<weft::state::robots_answer> async_robots(std::string origin, std::chrono::milliseconds claim) override
    {
        co_return co_await state_.async_robots(std::move(origin), claim);
    }
    weft::task<void> async_store_robots(std::string origin, std::string host, weft::state::robots_file file,
                                        std::chrono::milliseconds ttl) override
    {
        co_await state_.async_store_robots(std::move(origin), std::move(host), std::move(file), ttl);
    }
    weft::task<void> async_release_robots(std::string origin) override
    {
        co_await state_.async_release_robots(std::move(origin));
    }
    void give_up(std::string why) override { given_up.push_back(std::move(why)); }
    weft::task<std::pair<weft::error_code, weft::http::response>> async_fetch_direct(weft::http::request req) override
    {
        auto [ec, res] = co_await fetcher_->async_fetch(std::move(req), nullptr,
                                                        boost::asio::as_tuple(boost::asio::use_awaitable));
        co_return std::pair{ec, std::move(res)};
    }

    std::map<std::string, std::uint64_t> counts;
    std::vector<std::string> given_up;

private:
    weft::engine::settings settings_;
    weft::state::crawl_state& state_;
    std::unique_ptr<weft::http::fetcher> fetcher_;
};

// Passes each of `urls` through `m`: "proceed" or the error's message.
weft::task<std::vector<std::string>> pass(weft::downloader_middleware& m, worker_context& ctx,
                                          std::vector<std::string> urls)
{
    std::vector<std::string> out;
    for (auto& u : urls)
    {
        weft::request req(u);
        auto d = co_await m.on_request(req, ctx);
        out.push_back(d.proceeds() ? "proceed" : d.error().message());
    }
    co_return out;
}

} // namespace

TEST_CASE("the robots middleware fetches an origin's robots.txt once for every worker of a crawl and obeys it",
          "[middleware][robots]")
{
    weft::test::test_server server;
    server.add_handler("/robots.txt",
                       [](weft::test::received_request const&)
                       {
                           weft::test::canned_response r;
                           r.body = "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.25\n";
                           return r;
                       });
    weft::engine::settings s;
    auto state = weft::state::make_memory_state(s);
    auto const host = std::string("127.0.0.1");
    std::vector<std::string> const urls{server.url("/a"), server.url("/private/b"), server.url("/c")};
    auto const allowed = "proceed";
    auto const disallowed = weft::error_code(weft::error::robots_disallowed).message();

    auto [first, second, counts] = weft::test::run_sync(
        [](weft::engine::settings s, weft::state::crawl_state& st, std::vector<std::string> urls)
            -> weft::task<std::tuple<std::vector<std::string>, std::vector<std::string>, std::uint64_t>>
        {
            using namespace boost::asio::experimental::awaitable_operators;
            auto ex = co_await boost::asio::this_coro::executor;
            worker_context one(s, st, weft::http::make_fetcher("beast", ex));
            worker_context two(s, st, weft::http::make_fetcher("beast", ex));
            auto m1 = weft::middleware::make_robots();
            auto m2 = weft::middleware::make_robots();
            // Both workers at once: one gets the claim and fetches, the other waits for the copy.
            auto [a, b] = co_await (pass(*m1, one, urls) && pass(*m2, two, urls));
            co_return std::tuple{a, b, one.counts["robots_fetches"] + two.counts["robots_fetches"]};
        }(s, *state, urls));

    CHECK(server.request_count("/robots.txt") == 1);
    CHECK(counts == 1); // robots_fetches: the fetches a worker made
    std::vector<std::string> const want{allowed, disallowed, allowed};
    CHECK(first == want);
    CHECK(second == want);

    // The Crawl-delay reached the state: of two requests of the host, one starts, the next no sooner than
    // 0.25 s later.
    std::vector<weft::state::new_request> more;
    for (auto const* path : {"/d", "/e"})
    {
        weft::request r(server.url(path));
        auto const fp = weft::engine::make_fingerprint(r.http());
        more.emplace_back(std::move(r), host, fp);
    }
    weft::test::run_sync(state->async_add(std::move(more)));
    auto const batch = weft::test::run_sync(state->async_lease(10, std::chrono::minutes(1)));
    CHECK(batch.leases.size() == 1);
    REQUIRE(batch.next_in);
    CHECK(*batch.next_in >= 250ms); // the Crawl-delay is a floor under the jittered delay
    CHECK(*batch.next_in <= 375ms);
}
