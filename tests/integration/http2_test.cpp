// HTTP/2 against a real nginx (the test server speaks HTTP/1.1 only): the curl fetcher
// negotiates h2 by ALPN with TLS verification on, multiplexes concurrent requests on one
// connection, decodes compressed h2 bodies, and falls back to HTTP/1.1 when told to.
#include "support/nginx_server.hpp"
#include "support/run_sync.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <weft/async/gather.hpp>
#include <weft/http/fetcher_registry.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/this_coro.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <set>

namespace asio = boost::asio;
namespace http = weft::http;
using namespace std::chrono_literals;

namespace
{

// 40 pages of distinct, compressible text.
void make_site(std::filesystem::path const& root)
{
    for (int i = 0; i < 40; ++i)
    {
        std::ofstream out(root / ("p" + std::to_string(i) + ".txt"));
        for (int line = 0; line < 200; ++line)
            out << "page " << i << " line " << line << "\n";
    }
}

std::string expected_body(int i)
{
    std::string s;
    for (int line = 0; line < 200; ++line)
        s += "page " + std::to_string(i) + " line " + std::to_string(line) + "\n";
    return s;
}

http::fetch_options verified(weft::test::nginx_server const& server)
{
    http::fetch_options o;
    o.ca_file = server.ca_file().string(); // verification stays on: the test CA is trusted
    o.timeouts.total = 20s;
    return o;
}

weft::task<std::vector<http::response>> fetch_all(std::string fetcher, http::fetch_options opts,
                                                  std::vector<std::string> urls)
{
    auto f = http::make_fetcher(fetcher, co_await asio::this_coro::executor, opts);
    co_return co_await weft::gather(
        urls,
        [&f](std::string url) -> weft::task<http::response>
        {
            auto [ec, res] = co_await f->async_fetch(http::request(url), nullptr, asio::as_tuple(asio::deferred));
            if (ec)
                throw std::runtime_error(url + ": " + ec.message() + " (" + res.error_detail + ")");
            co_return res;
        },
        {.concurrency = 40});
}

std::vector<std::string> page_urls(weft::test::nginx_server const& server)
{
    std::vector<std::string> urls;
    for (int i = 0; i < 40; ++i)
        urls.push_back(server.url("/p" + std::to_string(i) + ".txt"));
    return urls;
}

} // namespace

TEST_CASE("curl speaks HTTP/2 over verified TLS and multiplexes concurrent requests on one connection",
          "[http2][curl]")
{
    weft::test::temp_dir root;
    make_site(root.path());
    weft::test::nginx_server server(root.path());

    auto responses = weft::test::run_sync(fetch_all("curl", verified(server), page_urls(server)));
    REQUIRE(responses.size() == 40);
    for (int i = 0; i < 40; ++i)
    {
        INFO("page " << i);
        CHECK(responses[i].status == 200);
        CHECK(responses[i].http_version == "2");
        CHECK(responses[i].body == expected_body(i)); // gzip on the wire, decoded
        CHECK(responses[i].wire_bytes < responses[i].body.size());
    }
    std::set<std::string> connections;
    for (auto const& line : server.access_log())
    {
        CHECK(line.protocol == "HTTP/2.0");
        connections.insert(line.connection);
    }
    CHECK(connections.size() == 1); // 40 streams, one TCP+TLS connection
}

TEST_CASE("curl falls back to HTTP/1.1 when HTTP/2 is turned off, and Beast speaks HTTP/1.1 to an h2 server",
          "[http2][curl][beast]")
{
    weft::test::temp_dir root;
    make_site(root.path());
    weft::test::nginx_server server(root.path());
    auto urls = page_urls(server);
    urls.resize(4);

    auto opts = verified(server);
    opts.http2 = false;
    for (auto const& res : weft::test::run_sync(fetch_all("curl", opts, urls)))
        CHECK(res.http_version == "1.1");
    for (auto const& res : weft::test::run_sync(fetch_all("beast", verified(server), urls)))
    {
        CHECK(res.http_version == "1.1");
        CHECK(res.status == 200);
    }
    for (auto const& line : server.access_log())
        CHECK(line.protocol == "HTTP/1.1");
}

TEST_CASE("an HTTP/2 server whose certificate is not trusted is refused by default", "[http2][curl][tls]")
{
    weft::test::temp_dir root;
    make_site(root.path());
    weft::test::nginx_server server(root.path());
    http::fetch_options opts; // system CAs only
    opts.timeouts.total = 10s;
    auto urls = page_urls(server);
    urls.resize(1);
    CHECK_THROWS_WITH(weft::test::run_sync(fetch_all("curl", opts, urls)), Catch::Contains("/p0.txt"));
    CHECK(server.access_log().empty());
}

TEST_CASE("curl sends requests through an HTTP proxy when one is set", "[curl][proxy]")
{
    // The test server plays the proxy: a proxied request arrives with the absolute URL as target.
    weft::test::test_server proxy;
    proxy.add_handler("/page",
                      [](weft::test::received_request const&) { return weft::test::canned_response{200, {}, "via proxy"}; });
    http::fetch_options opts;
    opts.proxy = proxy.url("");
    auto responses = weft::test::run_sync(fetch_all("curl", opts, {"http://weft-origin.invalid/page"}));
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].body == "via proxy");
    CHECK(proxy.total_requests() == 1);
    CHECK(proxy.last_request("/page")->proxied_for == "http://weft-origin.invalid");
}
