#include <weft/chromium/render_fetcher.hpp>

#include <weft/http/fetcher_registry.hpp>

#include "running_chromium.hpp"

#include <support/run_sync.hpp>
#include <support/temp_dir.hpp>
#include <support/test_server.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string>

namespace asio = boost::asio;
namespace http = weft::http;
using namespace std::chrono_literals;
using weft::task;
using weft::test::canned_response;
using weft::test::received_request;
using weft::test::run_sync;
using weft::test::running_chromium;
using weft::test::test_server;

namespace
{

void add_pages(test_server& s)
{
    s.add_handler("/app",
                  [](received_request const&)
                  {
                      canned_response r;
                      r.headers.set("Content-Type", "text/html; charset=utf-8");
                      r.headers.set("X-Served-By", "test");
                      r.body = R"(<!doctype html><html><head><title>app</title></head><body><div id="root"></div>
            <img src="/pic.png"><script>
            setTimeout(() => { document.getElementById('root').innerHTML = '<ul><li>a</li><li>b</li></ul>'; }, 200);
            </script></body></html>)";
                      return r;
                  });
    s.add_handler("/pic.png", [](received_request const&) { return canned_response{200, {}, "png"}; });
}

/// Sets an environment variable for one test and restores it (or its absence) after.
class scoped_env
{
public:
    scoped_env(char const* name, std::string const& value) : name_(name)
    {
        if (char const* old = std::getenv(name))
            old_ = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~scoped_env()
    {
        if (old_)
            ::setenv(name_, old_->c_str(), 1);
        else
            ::unsetenv(name_);
    }
    scoped_env(scoped_env const&) = delete;
    scoped_env& operator=(scoped_env const&) = delete;

private:
    char const* name_;
    std::optional<std::string> old_;
};

} // namespace

TEST_CASE("the chromium fetcher is registered and renders a script-built page, blocking and screenshotting as "
          "asked",
          "[chromium][fetcher]")
{
    test_server server;
    add_pages(server);
    auto url = server.url("/app");
    weft::test::temp_dir dir;
    auto png = (dir / "shot.png").string();
    run_sync(
        [](std::string url, std::string png) -> task<void>
        {
            auto f = http::make_fetcher("chromium", co_await asio::this_coro::executor);
            CHECK(f->name() == "chromium");
            auto req = http::request{url}.header("X-Hello", "there");
            req.meta()["wait_for"] = "#root li";
            req.meta()["block"] = {"image", "fonts"};
            req.meta()["screenshot"] = png;
            auto [ec, res] = co_await f->async_fetch(std::move(req), nullptr, asio::as_tuple(asio::deferred));
            REQUIRE_FALSE(ec);
            CHECK(res.status == 200);
            CHECK(res.url == url);
            CHECK(res.final_url == url);
            CHECK(res.headers.get("X-Served-By") == std::optional<std::string_view>("test"));
            CHECK_FALSE(res.headers.contains("Content-Length"));
            CHECK(res.body.find("<li>a</li><li>b</li>") != std::string::npos);
        }(url, png));
    CHECK(server.request_count("/pic.png") == 0);
    std::ifstream in(png, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(bytes.size() > 100);
    CHECK(bytes.substr(0, 8) == "\x89PNG\r\n\x1a\n");
    auto h = server.last_request_headers("/app");
    REQUIRE(h);
    CHECK(h->get("X-Hello") == std::optional<std::string_view>("there"));
}

TEST_CASE("the chromium fetcher reports a selector that never appears as a timeout", "[chromium][fetcher]")
{
    test_server server;
    add_pages(server);
    auto url = server.url("/app");
    run_sync(
        [](std::string url) -> task<void>
        {
            auto f = http::make_fetcher("chromium", co_await asio::this_coro::executor);
            auto req = http::request{url};
            req.meta()["wait_for"] = "#nothing";
            req.meta()["wait_for_timeout_ms"] = 300;
            auto [ec, res] = co_await f->async_fetch(std::move(req), nullptr, asio::as_tuple(asio::deferred));
            CHECK(ec == weft::error::selector_timeout);
            CHECK(ec == weft::condition::timeout);
            CHECK_THAT(res.error_detail, Catch::Contains("#nothing"));
            CHECK(res.url == url);
        }(url));
}

TEST_CASE("the chromium fetcher fails a refused connection with a network error", "[chromium][fetcher]")
{
    auto url = "http://127.0.0.1:" + std::to_string(weft::test::unused_port()) + "/";
    run_sync(
        [](std::string url) -> task<void>
        {
            auto f = http::make_fetcher("chromium", co_await asio::this_coro::executor);
            auto [ec, res] = co_await f->async_fetch(http::request{url}, nullptr, asio::as_tuple(asio::deferred));
            CHECK(ec == weft::condition::network);
            CHECK_THAT(res.error_detail, Catch::Contains("ERR_CONNECTION_REFUSED"));
            auto post = http::request{url, "POST"};
            auto [ec2, res2] = co_await f->async_fetch(std::move(post), nullptr, asio::as_tuple(asio::deferred));
            CHECK(ec2 == weft::chromium::error::unsupported);
        }(url));
}

TEST_CASE("the chromium fetcher renders in the running browser WEFT_CHROMIUM_ENDPOINT names instead of launching one",
          "[chromium][fetcher][connect]")
{
    running_chromium running; // started before WEFT_CHROMIUM points nowhere
    test_server server;
    add_pages(server);
    auto url = server.url("/app");
    auto const before = running.tabs();
    {
        scoped_env endpoint("WEFT_CHROMIUM_ENDPOINT", running.ws_endpoint());
        scoped_env no_launch("WEFT_CHROMIUM", "/nonexistent/chromium"); // a launch would fail
        run_sync(
            [](running_chromium* running, std::string url, std::size_t before) -> task<void>
            {
                {
                    auto f = http::make_fetcher("chromium", co_await asio::this_coro::executor);
                    auto req = http::request{url};
                    req.meta()["wait_for"] = "#root li";
                    auto [ec, res] = co_await f->async_fetch(std::move(req), nullptr, asio::as_tuple(asio::deferred));
                    REQUIRE_FALSE(ec);
                    CHECK(res.status == 200);
                    CHECK(res.body.find("<li>a</li><li>b</li>") != std::string::npos);
                    auto& pool = static_cast<weft::chromium::render_fetcher&>(*f).pool();
                    CHECK(pool.browser_pid() == -1);
                    REQUIRE(pool.current_browser());
                    CHECK(pool.current_browser()->endpoint() == running->ws_endpoint());
                    CHECK(running->tabs().size() == before + 1); // the fetcher's page
                }
                // The fetcher is gone: its tab closes (on this loop), the browser stays.
                co_await weft::test::tabs_become(running, [&](auto const& tabs) { return tabs.size() <= before; });
            }(&running, url, before.size()));
    }
    CHECK(running.alive());
    CHECK(running.tabs() == before);
}

TEST_CASE("the chromium fetcher fails at once with connect_failed when WEFT_CHROMIUM_ENDPOINT cannot be reached",
          "[chromium][fetcher][connect]")
{
    test_server server;
    auto url = server.url("/html?title=x");
    auto const endpoint = "ws://127.0.0.1:" + std::to_string(weft::test::unused_port()) + "/devtools/browser/x";
    scoped_env env("WEFT_CHROMIUM_ENDPOINT", endpoint);
    run_sync(
        [](std::string url, std::string endpoint) -> task<void>
        {
            auto f = http::make_fetcher("chromium", co_await asio::this_coro::executor);
            auto const start = std::chrono::steady_clock::now();
            auto [ec, res] = co_await f->async_fetch(http::request{url}, nullptr, asio::as_tuple(asio::deferred));
            CHECK(ec == weft::chromium::error::connect_failed);
            CHECK(ec == weft::condition::network);
            CHECK_THAT(res.error_detail, Catch::Contains(endpoint));
            CHECK(res.url == url);
            CHECK(std::chrono::steady_clock::now() - start < 2s);
        }(url, endpoint));
}

namespace
{

// Renders `url` with a chromium fetcher whose crawl proxy is `proxy`; the error and the response.
task<std::pair<weft::error_code, http::response>> render_via(std::string proxy, std::string url,
                                                             std::optional<std::string> meta_proxy = std::nullopt)
{
    http::fetch_options opts;
    opts.proxy = std::move(proxy);
    auto f = http::make_fetcher("chromium", co_await asio::this_coro::executor, opts);
    auto req = http::request{url};
    if (meta_proxy)
        req.meta()["proxy"] = *meta_proxy;
    auto [ec, res] = co_await f->async_fetch(std::move(req), nullptr, asio::as_tuple(asio::deferred));
    co_return std::pair{ec, std::move(res)};
}

} // namespace

TEST_CASE("the chromium fetcher renders through the crawl's proxy, launched or attached, and refuses to go around it",
          "[chromium][fetcher][proxy]")
{
    test_server proxy;
    auto const proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
    // A host name that resolves nowhere: only the proxy can answer for it.
    std::string const url = "http://weft-render.invalid/html?title=through";

    auto [ec, res] = run_sync(render_via(proxy_url, url));
    REQUIRE_FALSE(ec);
    CHECK(res.status == 200);
    CHECK_THAT(res.body, Catch::Contains("<title>through</title>"));
    REQUIRE(proxy.last_request("/html"));
    CHECK(proxy.last_request("/html")->proxied_for == "http://weft-render.invalid");

    // Loopback addresses go through the proxy too, as with libcurl (Chromium's default skips them).
    test_server site;
    auto const loopback = site.url("/html?title=loop");
    auto const site_host = "http://127.0.0.1:" + std::to_string(site.port());
    auto [lec, lres] = run_sync(render_via(proxy_url, loopback));
    REQUIRE_FALSE(lec);
    CHECK(proxy.last_request("/html")->proxied_for == site_host);

    {
        running_chromium running; // attached: the pool's context carries the proxy
        scoped_env endpoint("WEFT_CHROMIUM_ENDPOINT", running.ws_endpoint());
        auto const before = proxy.request_count("/html");
        auto [aec, ares] = run_sync(render_via(proxy_url, url));
        REQUIRE_FALSE(aec);
        CHECK_THAT(ares.body, Catch::Contains("<title>through</title>"));
        auto [alec, alres] = run_sync(render_via(proxy_url, loopback));
        REQUIRE_FALSE(alec);
        CHECK(proxy.request_count("/html") == before + 2);
        CHECK(proxy.last_request("/html")->proxied_for == site_host);
    }
    CHECK(site.total_requests() == 0);

    // Another proxy for one request, or credentials Chromium cannot send (to a SOCKS proxy):
    // refused, not bypassed.
    auto const before = proxy.total_requests();
    auto [other, other_res] = run_sync(render_via(proxy_url, url, std::string()));
    CHECK(other == weft::chromium::error::unsupported);
    CHECK_THAT(other_res.error_detail, Catch::Contains("crawl's proxy only"));
    auto [socks, socks_res] =
        run_sync(render_via("socks5://bob:s3cret@127.0.0.1:" + std::to_string(proxy.port()), url));
    CHECK(socks == weft::chromium::error::unsupported);
    CHECK_THAT(socks_res.error_detail, Catch::Contains("credentials") && !Catch::Contains("s3cret"));
    CHECK(proxy.total_requests() == before);
}

TEST_CASE("the chromium fetcher renders through an HTTP proxy that wants credentials, answering its 407",
          "[chromium][fetcher][proxy][auth]")
{
    test_server locked; // a forward proxy asking for bob's password
    locked.add_handler("/html",
                       [](weft::test::received_request const& req)
                       {
                           if (req.headers.get("Proxy-Authorization") !=
                               std::optional<std::string_view>("Basic Ym9iOnMzY3JldA=="))
                           {
                               weft::test::canned_response r;
                               r.status = 407;
                               r.headers.set("Proxy-Authenticate", "Basic realm=\"proxy\"");
                               return r;
                           }
                           return weft::test::html_response("<!doctype html><title>" + req.proxied_for + "</title>");
                       });
    auto const port = std::to_string(locked.port());
    std::string const url = "http://weft-render.invalid/html";
    auto [ec, res] = run_sync(render_via("http://bob:s3cret@127.0.0.1:" + port, url));
    REQUIRE_FALSE(ec);
    CHECK(res.status == 200);
    CHECK_THAT(res.body, Catch::Contains("<title>http://weft-render.invalid</title>"));
    // Percent-encoded user info is decoded before it is sent; a wrong password fails the render.
    auto [wrong, wrong_res] = run_sync(render_via("http://bob:s3cre%74x@127.0.0.1:" + port, url));
    CHECK(wrong);
    CHECK_THAT(wrong_res.error_detail, Catch::Contains("rejected the credentials of user \"bob\"") &&
                                           !Catch::Contains("s3cre"));
}
