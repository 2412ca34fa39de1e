#include <weft/fetch_curl/curl_fetcher.hpp>

#include "support/test_server.hpp"

#include <weft/http/fetcher_registry.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using weft::condition;
using weft::error_code;
using weft::http::curl_fetcher;
using weft::http::fetch_options;
using weft::http::request;
using weft::http::response;
using weft::test::test_server;

namespace
{

struct outcome
{
    error_code ec;
    response res;
};

// Runs `io` until `done()` holds; fails the test after `limit` instead of hanging.
void run_until(asio::io_context& io, std::function<bool()> const& done, std::chrono::seconds limit = 20s)
{
    auto const deadline = std::chrono::steady_clock::now() + limit;
    while (!done())
    {
        if (std::chrono::steady_clock::now() > deadline)
            FAIL("the loop did not get there within " << limit.count() << " s");
        if (io.stopped()) // ran out of work earlier
            io.restart();
        io.run_one_for(100ms);
    }
}

outcome fetch(request req, fetch_options const& opts = {}, weft::http::body_sink* sink = nullptr)
{
    asio::io_context io;
    curl_fetcher f(io.get_executor(), opts);
    std::optional<outcome> out;
    f.async_fetch(std::move(req), sink, [&](error_code ec, response res) { out = outcome{ec, std::move(res)}; });
    run_until(io, [&] { return out.has_value(); });
    CHECK(f.in_flight() == 0);
    return std::move(*out);
}

struct recording_sink : weft::http::body_sink
{
    int status_at_headers = 0;
    std::string body;
    bool data_before_headers = false;
    bool headers_seen = false;
    error_code fail_with;

    error_code on_headers(response const& head) override
    {
        headers_seen = true;
        status_at_headers = head.status;
        return {};
    }
    error_code on_data(std::string_view chunk) override
    {
        data_before_headers |= !headers_seen;
        body.append(chunk);
        return fail_with;
    }
};

} // namespace

TEST_CASE("curl_fetcher is registered as \"curl\"", "[fetch_curl]")
{
    asio::io_context io;
    auto f = weft::http::make_fetcher("curl", io.get_executor());
    CHECK(f->name() == "curl");
}

TEST_CASE("curl_fetcher fetches a body with status, headers, version and timings", "[fetch_curl]")
{
    test_server server;
    auto const out = fetch(request{server.url("/bytes?n=1000")});
    REQUIRE_FALSE(out.ec);
    CHECK(out.res.status == 200);
    CHECK(out.res.reason == "OK");
    CHECK(out.res.http_version == "1.1");
    CHECK(out.res.body == test_server::pattern_body(1000));
    CHECK(out.res.headers.get("Content-Length") == "1000");
    CHECK(out.res.url == server.url("/bytes?n=1000"));
    CHECK(out.res.final_url == server.url("/bytes?n=1000"));
    CHECK(out.res.wire_bytes == 1000);
    CHECK(out.res.timing.total > std::chrono::microseconds(0));
    CHECK(out.res.timing.first_byte <= out.res.timing.total);
    auto const sent = server.last_request_headers("/bytes");
    REQUIRE(sent);
    CHECK(sent->get("User-Agent") == fetch_options{}.user_agent);
}

TEST_CASE("curl_fetcher sends the method, headers and body", "[fetch_curl]")
{
    test_server server;
    auto req = request{server.url("/echo"), "PUT"}.header("X-Test", "yes").body("hello");
    auto const out = fetch(std::move(req));
    REQUIRE_FALSE(out.ec);
    auto const echo = nlohmann::json::parse(out.res.body);
    CHECK(echo["method"] == "PUT");
    CHECK(echo["body"] == "hello");
    auto const got = server.last_request("/echo");
    REQUIRE(got);
    CHECK(got->headers.get("X-Test") == "yes");
    CHECK_FALSE(got->headers.contains("Expect"));
    CHECK_FALSE(got->headers.contains("Content-Type"));

    auto const head = fetch(request{server.url("/bytes?n=10"), "HEAD"});
    REQUIRE_FALSE(head.ec);
    CHECK(head.res.status == 200);
    CHECK(head.res.body.empty());
}

TEST_CASE("curl_fetcher decodes gzip, deflate, br and zstd and counts wire bytes", "[fetch_curl]")
{
    test_server server;
    for (char const* enc : {"gzip", "deflate", "br", "zstd"})
    {
        INFO(enc);
        auto const out = fetch(request{server.url(std::string("/") + enc + "?n=20000")});
        REQUIRE_FALSE(out.ec);
        CHECK(out.res.body == test_server::pattern_body(20000));
        CHECK(out.res.wire_bytes < 20000);
        CHECK(out.res.headers.get("Content-Encoding") == enc);
    }
}

TEST_CASE("curl_fetcher follows redirects up to the limit", "[fetch_curl][redirect]")
{
    test_server server;
    auto const ok = fetch(request{server.url("/redirect/3")});
    REQUIRE_FALSE(ok.ec);
    CHECK(ok.res.status == 200);
    CHECK(ok.res.redirects == 3);
    CHECK(ok.res.final_url == server.url("/redirect/0"));

    auto const over = fetch(request{server.url("/redirect/3")}.max_redirects(2));
    CHECK(over.ec == weft::error::too_many_redirects);
    CHECK(over.ec == condition::policy);

    auto const ftp = fetch(request{server.url("/redirect-to?url=ftp://127.0.0.1/x")});
    CHECK(ftp.ec == weft::error::unsupported_scheme);

    auto const loop = fetch(request{server.url("/redirect-loop")});
    CHECK(loop.ec == weft::error::too_many_redirects);

    fetch_options no_follow;
    no_follow.follow_redirects = false;
    auto const raw = fetch(request{server.url("/redirect/1")}, no_follow);
    REQUIRE_FALSE(raw.ec);
    CHECK(raw.res.status == 302);
    CHECK(raw.res.redirects == 0);
}

TEST_CASE("curl_fetcher refuses bad URLs and schemes other than http(s)", "[fetch_curl]")
{
    CHECK(fetch(request{"not a url"}).ec == weft::error::bad_url);
    CHECK(fetch(request{"ftp://127.0.0.1/x"}).ec == weft::error::unsupported_scheme);
    CHECK(fetch(request{"file:///etc/passwd"}).ec == weft::error::unsupported_scheme);
    CHECK(fetch(request{"ftp://127.0.0.1/x"}).ec == condition::client_error);
}

TEST_CASE("curl_fetcher reports a refused connection as a network error", "[fetch_curl]")
{
    auto const out = fetch(request{"http://127.0.0.1:" + std::to_string(weft::test::unused_port()) + "/"});
    CHECK(out.ec == condition::network);
    CHECK_FALSE(out.res.error_detail.empty());
}

TEST_CASE("curl_fetcher enforces the total, per-request and idle timeouts", "[fetch_curl][timeout]")
{
    test_server server;
    auto const start = std::chrono::steady_clock::now();
    auto const total = fetch(request{server.url("/slow-headers?ms=3000")}.timeout(300ms));
    CHECK(total.ec == condition::timeout);
    CHECK(std::chrono::steady_clock::now() - start < 2s);

    fetch_options opts;
    opts.timeouts.idle = 300ms;
    auto const t0 = std::chrono::steady_clock::now();
    auto const idle = fetch(request{server.url("/stall?after=100&total=1100")}, opts);
    CHECK(idle.ec == condition::timeout);
    CHECK(std::chrono::steady_clock::now() - t0 < 2s);
    CHECK_THAT(idle.res.error_detail, Catch::Contains("idle"));

    // Slow but never quiet for 300 ms: no idle timeout.
    auto const slow = fetch(request{server.url("/slow-body?bytes=5&ms=100&chunks=5")}, opts);
    CHECK_FALSE(slow.ec);
    CHECK(slow.res.body.size() == 5);
}

TEST_CASE("curl_fetcher enforces the body, decoded body and header limits", "[fetch_curl][limit]")
{
    test_server server;
    fetch_options opts;
    opts.limits.max_body_size = 1000;
    CHECK(fetch(request{server.url("/bytes?n=100000")}, opts).ec == weft::error::body_too_large);
    CHECK(fetch(request{server.url("/bytes?n=100000&chunked=1")}, opts).ec == weft::error::body_too_large);
    CHECK(fetch(request{server.url("/big?bytes=100000&length=0")}, opts).ec == weft::error::body_too_large);
    auto const fits = fetch(request{server.url("/bytes?n=1000")}, opts);
    CHECK_FALSE(fits.ec);

    fetch_options bomb;
    bomb.limits.max_decompressed_size = 1 << 20;
    auto const b = fetch(request{server.url("/gzip-bomb?mb=16")}, bomb);
    CHECK(b.ec == weft::error::decompressed_too_large);
    CHECK(b.ec == condition::limit);

    auto const h = fetch(request{server.url("/huge-headers?kb=100")});
    CHECK(h.ec == weft::error::header_too_large);
    fetch_options big_headers;
    big_headers.limits.max_header_size = 1 << 20;
    CHECK_FALSE(fetch(request{server.url("/huge-headers?kb=100")}, big_headers).ec);
}

TEST_CASE("curl_fetcher streams to a body_sink, headers first, and a sink error aborts", "[fetch_curl][sink]")
{
    test_server server;
    recording_sink sink;
    auto const out = fetch(request{server.url("/bytes?n=50000&chunked=1")}, {}, &sink);
    REQUIRE_FALSE(out.ec);
    CHECK(sink.headers_seen);
    CHECK_FALSE(sink.data_before_headers);
    CHECK(sink.status_at_headers == 200);
    CHECK(sink.body == test_server::pattern_body(50000));
    CHECK(out.res.body.empty());

    recording_sink empty;
    CHECK_FALSE(fetch(request{server.url("/status/204")}, {}, &empty).ec);
    CHECK(empty.headers_seen);
    CHECK(empty.status_at_headers == 204);

    recording_sink failing;
    failing.fail_with = weft::error::filtered;
    CHECK(fetch(request{server.url("/bytes?n=50000")}, {}, &failing).ec == weft::error::filtered);
}

TEST_CASE("curl_fetcher ends malformed responses with an error, never a hang", "[fetch_curl]")
{
    test_server server;
    for (char const* path : {"/malformed-status", "/malformed-chunked", "/close-mid-body?n=100000", "/reset?after=10"})
    {
        INFO(path);
        auto const out = fetch(request{server.url(path)});
        CHECK(out.ec);
        CHECK_FALSE(out.res.error_detail.empty());
    }
    auto const header = fetch(request{server.url("/malformed-header")});
    CHECK(header.ec == condition::server_error);
    CHECK(fetch(request{server.url("/malformed-status")}).ec == condition::server_error);
    auto const mid = fetch(request{server.url("/close-mid-body?n=100000")});
    CHECK(mid.ec == condition::network);
}

TEST_CASE("curl_fetcher reuses a kept-alive connection", "[fetch_curl]")
{
    test_server server;
    asio::io_context io;
    curl_fetcher f(io.get_executor(), {});
    int done = 0;
    auto next = [&](error_code ec, response)
    {
        CHECK_FALSE(ec);
        ++done;
    };
    f.async_fetch(request{server.url("/bytes?n=10")}, nullptr, next);
    run_until(io, [&] { return done == 1; });
    f.async_fetch(request{server.url("/bytes?n=10")}, nullptr, next);
    run_until(io, [&] { return done == 2; });
    CHECK(server.connections_accepted() == 1);
}

TEST_CASE("curl_fetcher verifies TLS, trusting ca_file", "[fetch_curl][tls]")
{
    test_server server{test_server::options{.tls = true}};
    auto const untrusted = fetch(request{server.url("/bytes?n=10")});
    CHECK(untrusted.ec == condition::tls);

    fetch_options opts;
    opts.ca_file = server.ca_file().string();
    auto const ok = fetch(request{server.url("/bytes?n=10")}, opts);
    REQUIRE_FALSE(ok.ec);
    CHECK(ok.res.body == test_server::pattern_body(10));
    CHECK(ok.res.timing.tls > std::chrono::microseconds(0));

    fetch_options insecure;
    insecure.verify_tls = false;
    CHECK_FALSE(fetch(request{server.url("/bytes?n=10")}, insecure).ec);
}

TEST_CASE("cancelling a curl transfer completes it with operation_aborted and closes its socket",
          "[fetch_curl][cancel]")
{
    test_server server;
    asio::io_context io;
    curl_fetcher f(io.get_executor(), {});
    asio::cancellation_signal signal;
    std::optional<error_code> result;
    f.async_fetch(request{server.url("/never")}, nullptr,
                  asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, response) { result = ec; }));
    run_until(io, [&] { return server.request_count("/never") == 1; });
    CHECK(f.open_sockets() == 1);
    signal.emit(asio::cancellation_type::terminal);
    run_until(io, [&] { return result.has_value(); });
    CHECK(*result == asio::error::operation_aborted);
    CHECK(*result == condition::cancelled);
    CHECK(f.in_flight() == 0);
    CHECK(f.open_sockets() == 0); // not returned to the pool half-read
    CHECK(server.wait_open_connections_at_most(0, 5s));

    // The fetcher still works, on a new connection.
    std::optional<error_code> again;
    f.async_fetch(request{server.url("/bytes?n=10")}, nullptr, [&](error_code ec, response) { again = ec; });
    run_until(io, [&] { return again.has_value(); });
    CHECK_FALSE(*again);
}

TEST_CASE("curl_fetcher runs 200 concurrent transfers on one loop", "[fetch_curl][load]")
{
    test_server server;
    asio::io_context io;
    fetch_options opts;
    opts.max_connections_per_host = 16;
    curl_fetcher f(io.get_executor(), opts);
    int ok = 0;
    int failed = 0;
    for (int i = 0; i < 200; ++i)
        f.async_fetch(request{server.url("/bytes?n=" + std::to_string(1000 + i))}, nullptr,
                      [&, i](error_code ec, response res)
                      {
                          if (!ec && res.body == test_server::pattern_body(1000 + i))
                              ++ok;
                          else
                              ++failed;
                      });
    CHECK(f.in_flight() == 200);
    run_until(
        io, [&] { return ok + failed == 200; }, 60s);
    CHECK(ok == 200);
    CHECK(server.connections_accepted() <= 16);
}

TEST_CASE("curl_fetcher::shutdown aborts every transfer in flight and stays usable", "[fetch_curl][cancel]")
{
    test_server server;
    asio::io_context io;
    curl_fetcher f(io.get_executor(), {});
    int aborted = 0;
    for (int i = 0; i < 5; ++i)
        f.async_fetch(request{server.url("/never")}, nullptr,
                      [&](error_code ec, response)
                      {
                          CHECK(ec == asio::error::operation_aborted);
                          ++aborted;
                      });
    run_until(io, [&] { return server.request_count("/never") == 5; });
    f.shutdown();
    CHECK(f.in_flight() == 0);
    run_until(io, [&] { return aborted == 5; });
    CHECK(f.open_sockets() == 0);
    CHECK(server.wait_open_connections_at_most(0, 5s));

    std::optional<error_code> again;
    f.async_fetch(request{server.url("/bytes?n=10")}, nullptr, [&](error_code ec, response) { again = ec; });
    run_until(io, [&] { return again.has_value(); });
    CHECK_FALSE(*again);
}

TEST_CASE("destroying a curl_fetcher with transfers in flight completes them with operation_aborted",
          "[fetch_curl][cancel]")
{
    test_server server;
    asio::io_context io;
    auto f = std::make_unique<curl_fetcher>(io.get_executor(), fetch_options{});
    int aborted = 0;
    for (int i = 0; i < 5; ++i)
        f->async_fetch(request{server.url(i % 2 ? "/never" : "/slow-body?bytes=100000&ms=50&chunks=1000")}, nullptr,
                       [&](error_code ec, response)
                       {
                           CHECK(ec == asio::error::operation_aborted);
                           ++aborted;
                       });
    run_until(io, [&] { return server.total_requests() == 5; });
    f.reset();
    run_until(io, [&] { return aborted == 5; });
    io.run_for(100ms); // the waits the fetcher cancelled complete harmlessly
    CHECK(server.wait_open_connections_at_most(0, 5s));
}

TEST_CASE("the curl fetcher goes through fetch_options::proxy, and a request's meta \"proxy\" overrides it",
          "[fetch_curl][proxy]")
{
    test_server proxy;
    test_server site;
    auto const proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
    fetch_options opts;
    opts.proxy = proxy_url;

    // A host name that resolves nowhere: only the proxy can answer for it.
    auto via = fetch(request("http://weft-proxy-test.invalid/html?title=via"), opts);
    REQUIRE_FALSE(via.ec);
    CHECK(via.res.status == 200);
    CHECK_THAT(via.res.body, Catch::Contains("<title>via</title>"));
    REQUIRE(proxy.last_request("/html"));
    CHECK(proxy.last_request("/html")->proxied_for == "http://weft-proxy-test.invalid");

    // Credentials in the proxy URL become Proxy-Authorization, for the proxy only.
    request with_login("http://weft-proxy-test.invalid/echo");
    with_login.meta()["proxy"] = "http://bob:s3cret@127.0.0.1:" + std::to_string(proxy.port());
    auto login = fetch(std::move(with_login));
    REQUIRE_FALSE(login.ec);
    CHECK(proxy.last_request("/echo")->headers.get("Proxy-Authorization") == "Basic Ym9iOnMzY3JldA==");

    // "" means a direct connection, whatever the fetcher's proxy.
    request direct(site.url("/html?title=direct"));
    direct.meta()["proxy"] = "";
    auto const proxied_before = proxy.total_requests();
    auto d = fetch(std::move(direct), opts);
    REQUIRE_FALSE(d.ec);
    CHECK(site.last_request("/html")->proxied_for.empty());
    CHECK(proxy.total_requests() == proxied_before);

    // A proxy nobody listens on fails the request as a network error, at once.
    request dead("http://weft-proxy-test.invalid/html");
    dead.meta()["proxy"] = "http://127.0.0.1:" + std::to_string(weft::test::unused_port());
    auto const start = std::chrono::steady_clock::now();
    auto failed = fetch(std::move(dead));
    CHECK(failed.ec == condition::network);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("curl_fetcher says which host sent a header line too large for curl, not 'out of memory'",
          "[fetch_curl][limits]")
{
    test_server server;
    auto const out = fetch(request{server.url("/huge-header-line?kb=1024")});
    CHECK(out.ec == weft::error::header_too_large);
    CHECK(out.ec == condition::limit);
    CHECK_THAT(out.res.error_detail, Catch::Contains("response header from 127.0.0.1:") &&
                                         Catch::Contains("exceeds 65536 bytes (max_header_size") &&
                                         !Catch::Contains("memory"));
}
