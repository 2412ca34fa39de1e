// The crawl's settings bound what a fetch may hold in memory, decoded bodies included.
#include "engine/fetcher_stack.hpp"
#include "support/run_sync.hpp"
#include "support/test_server.hpp"

#include <weft/engine/settings.hpp>
#include <weft/error.hpp>
#include <weft/http/fetcher.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <string>

namespace asio = boost::asio;
using weft::task;
using weft::test::run_sync;
using weft::test::test_server;

namespace
{

struct outcome
{
    weft::error_code ec;
    std::size_t body = 0;
};

task<outcome> fetch_with(std::string fetcher, std::string url, std::size_t max_body_size)
{
    weft::engine::settings s;
    s.fetcher = fetcher;
    s.max_body_size = max_body_size;
    auto f = weft::engine::detail::make_fetcher_stack(co_await asio::this_coro::executor, s, nullptr, {});
    weft::http::request req(url);
    auto [ec, res] = co_await f->async_fetch(std::move(req), nullptr, asio::as_tuple(asio::use_awaitable));
    co_return outcome{ec, res.body.size()};
}

} // namespace

TEST_CASE("max_body_size bounds the decompressed size of a crawl's fetches", "[fetch][limit][hostile]")
{
    CHECK(weft::engine::detail::fetch_options_for([] {
              weft::engine::settings s;
              s.max_body_size = 5u << 20;
              return s;
          }()).limits.max_decompressed_size == (5u << 20));
    test_server server;
    for (std::string fetcher : {"curl", "beast"})
    {
        CAPTURE(fetcher);
        // 16 MiB of zeros, 16 KiB on the wire: under max_body_size on the wire, far over it decoded.
        auto const r = run_sync(fetch_with(fetcher, server.url("/gzip-bomb?mb=16"), 1u << 20));
        CHECK(r.ec == weft::error::decompressed_too_large);
        CHECK(r.ec == weft::condition::limit);
        CHECK(r.body <= (1u << 20));
        // Within the limit the same body decodes.
        auto const ok = run_sync(fetch_with(fetcher, server.url("/gzip-bomb?mb=2"), 4u << 20));
        CHECK(!ok.ec);
        CHECK(ok.body == (2u << 20));
    }
}
