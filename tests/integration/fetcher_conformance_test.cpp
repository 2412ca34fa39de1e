// The conformance suite every registered fetcher must pass (curl, beast, ...), against the loopback
// test server. Each test case runs once per fetcher; WEFT_TEST_FETCHERS=curl,beast narrows the set.
// Every case ends within run_sync's limit: a hang is a failure, never a stuck suite.
#include <weft/http/fetcher_registry.hpp>

#include "support/compress.hpp"
#include "support/run_sync.hpp"
#include "support/test_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <sstream>

namespace
{

namespace asio = boost::asio;
namespace http = weft::http;
using namespace std::chrono_literals;
using weft::error_code;
using weft::test::test_server;
using clock_type = std::chrono::steady_clock;

std::vector<std::string> fetchers_under_test()
{
    // The suite is for HTTP-level fetchers; the renderer (a browser) has its own suite in unit/chromium.
    auto names = http::fetcher_names();
    std::erase(names, "chromium");
    if (char const* only = std::getenv("WEFT_TEST_FETCHERS"); only && *only)
    {
        std::vector<std::string> kept;
        std::stringstream list(only);
        for (std::string n; std::getline(list, n, ',');)
            if (std::find(names.begin(), names.end(), n) != names.end())
                kept.push_back(n);
        names = kept;
    }
    return names;
}

// Runs the rest of the test case once per fetcher; fails (not passes vacuously) when none is linked.
#define FOR_EACH_FETCHER(name)                                                                                         \
    auto const all_fetchers = fetchers_under_test();                                                                   \
    REQUIRE_FALSE(all_fetchers.empty());                                                                               \
    auto const name = GENERATE_COPY(from_range(all_fetchers));                                                         \
    CAPTURE(name)

// Bounded but generous defaults, so that a fetcher ignoring a signal still ends before run_sync's limit.
http::fetch_options test_options()
{
    http::fetch_options o;
    o.timeouts.connect = 5s;
    o.timeouts.total = 15s;
    o.timeouts.idle = 10s;
    return o;
}

struct outcome
{
    error_code ec;
    http::response res;
    clock_type::duration elapsed{};
};

std::string describe(outcome const& o)
{
    std::ostringstream s;
    s << "ec: " << o.ec.message() << " [" << o.ec.category().name() << ":" << o.ec.value() << "]"
      << ", error_detail: \"" << o.res.error_detail << "\", status: " << o.res.status
      << ", elapsed: " << weft::describe_duration(o.elapsed);
    return s.str();
}

weft::task<outcome> fetch_task(std::string name, http::fetch_options opts, http::request req, http::body_sink* sink)
{
    auto f = http::make_fetcher(name, co_await asio::this_coro::executor, opts);
    auto const start = clock_type::now();
    auto [ec, res] = co_await f->async_fetch(std::move(req), sink, asio::as_tuple(asio::deferred));
    outcome out;
    out.ec = ec;
    out.res = std::move(res);
    out.elapsed = clock_type::now() - start;
    co_return out;
}

outcome fetch(std::string const& name, http::request req, http::fetch_options const& opts = test_options(),
              http::body_sink* sink = nullptr)
{
    return weft::test::run_sync(fetch_task(name, opts, std::move(req), sink), std::chrono::seconds(20));
}

outcome fetch(std::string const& name, std::string url, http::fetch_options const& opts = test_options())
{
    http::request req(std::move(url));
    return fetch(name, std::move(req), opts);
}

std::string path_of(std::string const& url)
{
    auto const scheme = url.find("://");
    auto const slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    return slash == std::string::npos ? url : url.substr(slash);
}

// What every failed fetch owes its user: an error, the URL in the description, no hang.
void check_failure(outcome const& o, std::string const& url)
{
    INFO(describe(o));
    REQUIRE(o.ec);
    http::request const req(url);
    auto const text = http::describe_failure(req, o.ec, o.res);
    INFO("describe_failure: " << text);
    CHECK(text.find(url) != std::string::npos);
    CHECK(o.res.url == url);
    CHECK(o.elapsed < 5s);
}

bool accepts_encoding(test_server const& server, std::string_view path, std::string_view coding)
{
    auto h = server.last_request_headers(path);
    if (!h)
        return false;
    auto const ae = std::string(h->get("Accept-Encoding").value_or(""));
    return ae.find(coding) != std::string::npos;
}

} // namespace

TEST_CASE("a fetcher GETs a page and reports everything a response carries", "[fetcher][conformance]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto const url = server.url("/headers?X-Weft-Test=yes");
    auto o = fetch(name, url);
    INFO(describe(o));
    REQUIRE_FALSE(o.ec);
    CHECK(o.res.status == 200);
    CHECK(o.res.ok());
    CHECK(o.res.reason == "OK");
    CHECK(o.res.headers.get("X-Weft-Test") == "yes");
    CHECK(o.res.media_type() == "text/plain");
    CHECK(o.res.body == "ok");
    CHECK(o.res.url == url);
    CHECK(o.res.final_url == url);
    CHECK(o.res.http_version == "1.1");
    CHECK(o.res.redirects == 0);
    CHECK(o.res.wire_bytes == 2);
    CHECK(o.res.timing.connect.count() > 0);
    CHECK(o.res.timing.first_byte.count() > 0);
    CHECK(o.res.timing.total >= o.res.timing.first_byte);
    CHECK(o.res.timing.tls.count() == 0);
    CHECK(server.request_count("/headers") == 1);

    auto big = fetch(name, server.url("/bytes?n=300000"));
    INFO(describe(big));
    REQUIRE_FALSE(big.ec);
    CHECK(big.res.body == test_server::pattern_body(300000));
    auto chunked = fetch(name, server.url("/bytes?n=300000&chunked=1"));
    INFO(describe(chunked));
    REQUIRE_FALSE(chunked.ec);
    CHECK(chunked.res.body == test_server::pattern_body(300000));
    auto until_close = fetch(name, server.url("/big?bytes=300000&length=0"));
    INFO(describe(until_close));
    REQUIRE_FALSE(until_close.ec);
    CHECK(until_close.res.body == test_server::pattern_body(300000));
}

TEST_CASE("a fetcher POSTs a body with custom headers", "[fetcher][conformance]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto opts = test_options();
    opts.user_agent = "weft-conformance/1";
    http::request req(server.url("/echo?x=1"), "POST");
    req.header("X-Custom", "custom value").header("Content-Type", "application/json").body(R"({"k":"v"})");
    auto o = fetch(name, req, opts);
    INFO(describe(o));
    REQUIRE_FALSE(o.ec);
    REQUIRE(o.res.status == 200);
    auto j = nlohmann::json::parse(o.res.body);
    CHECK(j["method"] == "POST");
    CHECK(j["body"] == R"({"k":"v"})");
    CHECK(j["query"]["x"] == "1");
    CHECK(j["headers"]["x-custom"] == "custom value");
    CHECK(j["headers"]["content-type"] == "application/json");
    CHECK(j["headers"]["content-length"] == "9");
    CHECK(j["headers"]["user-agent"] == "weft-conformance/1");

    // A body larger than curl's Expect: 100-continue threshold, and another method.
    http::request put(server.url("/echo"), "PUT");
    put.body(test_server::pattern_body(200000));
    auto p = fetch(name, put);
    INFO(describe(p));
    REQUIRE_FALSE(p.ec);
    auto pj = nlohmann::json::parse(p.res.body);
    CHECK(pj["method"] == "PUT");
    CHECK(pj["body"] == test_server::pattern_body(200000));
}

TEST_CASE("a fetcher returns 4xx and 5xx as responses and not as errors", "[fetcher][conformance]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    for (int status : {404, 500, 503})
    {
        auto o = fetch(name, server.url("/status/" + std::to_string(status)));
        INFO(describe(o));
        CHECK_FALSE(o.ec);
        CHECK(o.res.status == status);
        CHECK(o.res.body == "status " + std::to_string(status));
        CHECK_FALSE(o.res.ok());
    }
    auto empty = fetch(name, server.url("/status/204"));
    INFO(describe(empty));
    CHECK_FALSE(empty.ec);
    CHECK(empty.res.status == 204);
    CHECK(empty.res.body.empty());
}

TEST_CASE("a fetcher follows absolute and relative redirect chains", "[fetcher][conformance][redirect]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto o = fetch(name, server.url("/redirect/3"));
    INFO(describe(o));
    REQUIRE_FALSE(o.ec);
    CHECK(o.res.status == 200);
    CHECK(o.res.body == "redirect done");
    CHECK(o.res.redirects == 3);
    CHECK(o.res.url == server.url("/redirect/3"));
    CHECK(o.res.final_url == server.url("/redirect/0"));
    CHECK(server.request_count("/redirect/1") == 1);

    auto rel = fetch(name, server.url("/redirect-relative/2"));
    INFO(describe(rel));
    REQUIRE_FALSE(rel.ec);
    CHECK(rel.res.final_url == server.url("/redirect-relative/0"));
    CHECK(rel.res.redirects == 2);

    auto abs = fetch(name, server.url("/redirect-to?status=301&url=") + server.url("/status/201"));
    INFO(describe(abs));
    REQUIRE_FALSE(abs.ec);
    CHECK(abs.res.status == 201);
    CHECK(abs.res.final_url == server.url("/status/201"));
    CHECK(abs.res.redirects == 1);

    auto opts = test_options();
    opts.follow_redirects = false;
    auto unfollowed = fetch(name, server.url("/redirect/3"), opts);
    INFO(describe(unfollowed));
    REQUIRE_FALSE(unfollowed.ec);
    CHECK(unfollowed.res.status == 302);
    CHECK(unfollowed.res.headers.get("Location") == "/redirect/2");
    CHECK(unfollowed.res.redirects == 0);
}

TEST_CASE("a fetcher stops at the redirect limit with too_many_redirects", "[fetcher][conformance][redirect]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto opts = test_options();
    opts.limits.max_redirects = 2;
    auto const url = server.url("/redirect/5");
    auto o = fetch(name, url, opts);
    INFO(path_of(url) << " -> " << describe(o));
    check_failure(o, url);
    CHECK(o.ec == weft::error::too_many_redirects);
    CHECK(o.ec == weft::condition::policy);
    // Two redirects followed (5 -> 4 -> 3); the third (3 -> 2) is refused, not requested.
    CHECK(server.request_count("/redirect/3") == 1);
    CHECK(server.request_count("/redirect/2") == 0);

    // The request's own limit overrides the fetcher's.
    http::request req(url);
    req.max_redirects(1);
    auto per_request = fetch(name, req);
    INFO(path_of(url) << " -> " << describe(per_request));
    check_failure(per_request, url);
    CHECK(per_request.ec == weft::error::too_many_redirects);
}

TEST_CASE("a fetcher ends a redirect loop with a policy error", "[fetcher][conformance][redirect]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto const url = server.url("/redirect-loop");
    auto o = fetch(name, url);
    INFO(path_of(url) << " -> " << describe(o));
    check_failure(o, url);
    CHECK((o.ec == weft::error::too_many_redirects || o.ec == weft::error::redirect_loop));
    CHECK(o.ec == weft::condition::policy);
    CHECK(server.request_count("/redirect-loop") <= 11);
}

TEST_CASE("a fetcher times out on slow headers after its total timeout", "[fetcher][conformance][timeout]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto const url = server.url("/slow-headers?ms=10000");
    auto opts = test_options();
    opts.timeouts.total = 400ms;
    auto o = fetch(name, url, opts);
    INFO(path_of(url) << " -> " << describe(o));
    check_failure(o, url);
    CHECK(o.ec == weft::condition::timeout);
    CHECK(o.elapsed >= 300ms);
    CHECK(o.elapsed < 3s);

    // The request's own timeout overrides the fetcher's.
    http::request req(url);
    req.timeout(400ms);
    auto per_request = fetch(name, req);
    INFO(path_of(url) << " -> " << describe(per_request));
    check_failure(per_request, url);
    CHECK(per_request.ec == weft::condition::timeout);
    CHECK(per_request.elapsed < 3s);
}

TEST_CASE("a fetcher times out on a body that stalls", "[fetcher][conformance][timeout]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto const url = server.url("/stall?after=1000");
    SECTION("idle timeout")
    {
        auto opts = test_options();
        opts.timeouts.idle = 400ms;
        auto o = fetch(name, url, opts);
        INFO(path_of(url) << " -> " << describe(o));
        check_failure(o, url);
        CHECK(o.ec == weft::condition::timeout);
        CHECK(o.elapsed < 3s);
    }
    SECTION("total timeout")
    {
        auto opts = test_options();
        opts.timeouts.total = 500ms;
        auto o = fetch(name, url, opts);
        INFO(path_of(url) << " -> " << describe(o));
        check_failure(o, url);
        CHECK(o.ec == weft::condition::timeout);
        CHECK(o.elapsed < 3s);
    }
    SECTION("a slow but steady body is not idle")
    {
        auto opts = test_options();
        opts.timeouts.idle = 500ms;
        auto o = fetch(name, server.url("/slow-body?bytes=6&ms=150"), opts);
        INFO(describe(o));
        CHECK_FALSE(o.ec);
        CHECK(o.res.body == test_server::pattern_body(6));
    }
}

TEST_CASE("a fetcher reports a refused connection as a network error", "[fetcher][conformance][network]")
{
    FOR_EACH_FETCHER(name);
    auto const url = "http://127.0.0.1:" + std::to_string(weft::test::unused_port()) + "/";
    auto o = fetch(name, url);
    INFO(path_of(url) << " -> " << describe(o));
    check_failure(o, url);
    CHECK(o.ec == weft::condition::network);
}

TEST_CASE("a fetcher reports a reset connection as a network error", "[fetcher][conformance][network]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    for (auto path : {"/reset", "/reset?after=200"})
    {
        auto const url = server.url(path);
        auto o = fetch(name, url);
        INFO(path_of(url) << " -> " << describe(o));
        check_failure(o, url);
        CHECK(o.ec == weft::condition::network);
    }
}

TEST_CASE("a fetcher reports a body cut short as a network error", "[fetcher][conformance][network]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto const url = server.url("/close-mid-body?n=10000");
    auto o = fetch(name, url);
    INFO(path_of(url) << " -> " << describe(o));
    check_failure(o, url);
    CHECK(o.ec == weft::condition::network);
}

// A malformed response must fail; the cause is the server (condition::server_error, weft's
// error::bad_response), but a fetcher may only see a connection that ended in the middle of
// nowhere (condition::network): both are accepted, and the message says which it was.
TEST_CASE("a fetcher fails on a malformed status line or header or chunk", "[fetcher][conformance][malformed]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    for (auto path : {"/malformed-status", "/malformed-header", "/malformed-chunked"})
    {
        auto const url = server.url(path);
        auto o = fetch(name, url);
        INFO(path_of(url) << " -> " << describe(o));
        check_failure(o, url);
        CHECK((o.ec == weft::condition::server_error || o.ec == weft::condition::network));
    }
}

// HTTP/0.9 (a body with no status line, the end marked by the close) is refused, as curl refuses it
// by default since 7.66: a crawler cannot tell it from a broken server, it carries no status, no
// type, no encoding, and accepting it would let any TCP service on port 80 pass for a web page.
TEST_CASE("a fetcher refuses an HTTP/0.9 reply (no status line) with bad_response", "[fetcher][conformance][malformed]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto const url = server.url("/http09?body=" + std::string(200, 'x'));
    auto o = fetch(name, url);
    INFO(path_of(url) << " -> " << describe(o));
    check_failure(o, url);
    CHECK(o.ec == weft::error::bad_response);
    CHECK(o.ec == weft::condition::server_error);
    CHECK(o.res.error_detail.find("HTTP/0.9") != std::string::npos); // the message names what came
}

// Headers arriving a few bytes at a time are read whole while they come within the timeout; the
// timeout bounds the whole transfer, so a server trickling one byte at a time cannot hold a slot.
TEST_CASE("a fetcher reads trickled headers within the timeout and times out on slower ones",
          "[fetcher][conformance][timeout]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto const ok_url = server.url("/trickle-headers?step=7&ms=15");
    auto o = fetch(name, ok_url);
    INFO(path_of(ok_url) << " -> " << describe(o));
    REQUIRE_FALSE(o.ec);
    CHECK(o.res.status == 200);
    CHECK(o.res.headers.get("X-Trickled") == "yes");
    CHECK(o.res.body == "trickled");

    // About 100 bytes of head at one byte per 100 ms: 10 s, against a 700 ms timeout.
    auto const slow_url = server.url("/trickle-headers?step=1&ms=100");
    auto opts = test_options();
    opts.timeouts.total = 700ms;
    auto slow = fetch(name, slow_url, opts);
    INFO(path_of(slow_url) << " -> " << describe(slow));
    check_failure(slow, slow_url);
    CHECK(slow.ec == weft::condition::timeout);
    CHECK(slow.elapsed < 4s);
}

TEST_CASE("a fetcher refuses headers over max_header_size", "[fetcher][conformance][limit]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto opts = test_options();
    opts.limits.max_header_size = 16 * 1024;
    auto const url = server.url("/huge-headers?kb=64");
    auto o = fetch(name, url, opts);
    INFO(path_of(url) << " -> " << describe(o));
    check_failure(o, url);
    CHECK(o.ec == weft::condition::limit);

    auto small = fetch(name, server.url("/huge-headers?kb=8"), opts);
    INFO(describe(small));
    CHECK_FALSE(small.ec);
}

TEST_CASE("a fetcher refuses a body over max_body_size", "[fetcher][conformance][limit]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto opts = test_options();
    opts.limits.max_body_size = 100000;
    for (auto path : {"/big?bytes=1000000", "/big?bytes=1000000&chunked=1", "/big?bytes=1000000&length=0"})
    {
        auto const url = server.url(path);
        auto o = fetch(name, url, opts);
        INFO(path_of(url) << " -> " << describe(o));
        check_failure(o, url);
        CHECK(o.ec == weft::error::body_too_large);
        CHECK(o.ec == weft::condition::limit);
    }
    auto fits = fetch(name, server.url("/bytes?n=100000"), opts);
    INFO(describe(fits));
    CHECK_FALSE(fits.ec);
}

TEST_CASE("a fetcher refuses a gzip bomb over max_decompressed_size", "[fetcher][conformance][limit]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto opts = test_options();
    opts.limits.max_decompressed_size = 1u << 20;
    auto const url = server.url("/gzip-bomb?mb=16");
    auto o = fetch(name, url, opts);
    INFO(path_of(url) << " -> " << describe(o));
    check_failure(o, url);
    CHECK(o.ec == weft::error::decompressed_too_large);
    CHECK(o.ec == weft::condition::limit);
}

TEST_CASE("a fetcher decodes the Content-Encodings it accepts", "[fetcher][conformance][encoding]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto const expected = test_server::pattern_body(50000);
    for (std::string coding : {"gzip", "deflate", "br", "zstd"})
    {
        CAPTURE(coding);
        auto const path = "/" + coding;
        auto o = fetch(name, server.url(path + "?n=50000"));
        // A fetcher declares what it decodes in Accept-Encoding; gzip and deflate are required.
        if (!accepts_encoding(server, path, coding))
        {
            REQUIRE(coding != "gzip");
            REQUIRE(coding != "deflate");
            WARN(name << " does not accept " << coding << ": skipped");
            continue;
        }
        INFO(describe(o));
        REQUIRE_FALSE(o.ec);
        CHECK(o.res.body == expected);
        CHECK(o.res.wire_bytes < expected.size());
    }

    auto opts = test_options();
    opts.decompress = false;
    auto raw = fetch(name, server.url("/gzip?n=50000"), opts);
    INFO(describe(raw));
    REQUIRE_FALSE(raw.ec);
    CHECK(raw.res.body == weft::test::gzip(expected));
    CHECK_FALSE(accepts_encoding(server, "/gzip", "gzip"));
}

TEST_CASE("a fetcher reuses one keep-alive connection for sequential requests", "[fetcher][conformance][pool]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto run = [](std::string name, test_server* server) -> weft::task<int>
    {
        auto f = http::make_fetcher(name, co_await asio::this_coro::executor, test_options());
        int ok = 0;
        for (int i = 0; i < 10; ++i)
        {
            http::request req(server->url("/bytes?n=1000&i=" + std::to_string(i)));
            auto [ec, res] = co_await f->async_fetch(std::move(req), nullptr, asio::as_tuple(asio::deferred));
            ok += !ec && res.body == test_server::pattern_body(1000);
        }
        co_return ok;
    };
    CHECK(weft::test::run_sync(run(name, &server), std::chrono::seconds(20)) == 10);
    CHECK(server.total_requests() == 10);
    CHECK(server.connections_accepted() == 1);
}

TEST_CASE("a fetcher runs 50 requests concurrently", "[fetcher][conformance][pool]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto run = [](std::string name, test_server* server) -> weft::task<int>
    {
        auto f = http::make_fetcher(name, co_await asio::this_coro::executor, test_options());
        using op_type = decltype(f->async_fetch(http::request{}, nullptr, asio::deferred));
        std::vector<op_type> ops;
        for (int i = 0; i < 50; ++i)
        {
            http::request req(server->url("/slow-body?bytes=2000&chunks=2&ms=20&i=" + std::to_string(i)));
            ops.push_back(f->async_fetch(std::move(req), nullptr, asio::deferred));
        }
        auto [order, ecs, responses] = co_await asio::experimental::make_parallel_group(std::move(ops))
                                           .async_wait(asio::experimental::wait_for_all(), asio::deferred);
        int ok = 0;
        for (std::size_t i = 0; i < ecs.size(); ++i)
        {
            INFO("request " << i << ": " << ecs[i].message() << " " << responses[i].error_detail);
            CHECK_FALSE(ecs[i]);
            ok += !ecs[i] && responses[i].body == test_server::pattern_body(2000);
        }
        co_return ok;
    };
    auto const start = clock_type::now();
    CHECK(weft::test::run_sync(run(name, &server), std::chrono::seconds(20)) == 50);
    CHECK(clock_type::now() - start < 10s);
    CHECK(server.request_count("/slow-body") == 50);
}

namespace
{

struct cancel_result
{
    error_code ec;
    std::string detail;
    bool fetch_finished_first = false;
    std::size_t open_during = 0;
    std::size_t open_after = 0;
    error_code next_ec;
    int next_status = 0;
};

// Cancels a fetch of `path` after 300 ms, either by racing it with a timer in a parallel_group or
// by emitting a cancellation signal; then checks that the server sees the connection closed while
// the fetcher is still alive, and that the fetcher is still usable.
weft::task<cancel_result> cancel_task(std::string name, test_server* server, std::string path, bool use_group)
{
    auto ex = co_await asio::this_coro::executor;
    auto f = http::make_fetcher(name, ex, test_options());
    asio::steady_timer timer(ex, 300ms);
    http::request req(server->url(path));
    asio::cancellation_signal signal;
    cancel_result out;
    if (use_group)
    {
        auto [order, ec, res, timer_ec] =
            co_await asio::experimental::make_parallel_group(f->async_fetch(std::move(req), nullptr, asio::deferred),
                                                             timer.async_wait(asio::deferred))
                .async_wait(asio::experimental::wait_for_one(), asio::deferred);
        out.fetch_finished_first = order[0] == 0;
        out.ec = ec;
        out.detail = res.error_detail;
    }
    else
    {
        // A plain callback carries the slot (bind_cancellation_slot cannot wrap deferred in Boost 1.81);
        // `done` is a timer used as an event the coroutine waits on.
        asio::steady_timer done(ex, asio::steady_timer::time_point::max());
        bool finished = false;
        timer.async_wait(
            [&](error_code ec)
            {
                if (!ec)
                    signal.emit(asio::cancellation_type::terminal);
            });
        f->async_fetch(std::move(req), nullptr,
                       asio::bind_cancellation_slot(signal.slot(),
                                                    [&](error_code ec, http::response res)
                                                    {
                                                        out.ec = ec;
                                                        out.detail = res.error_detail;
                                                        finished = true;
                                                        done.cancel();
                                                    }));
        while (!finished)
            co_await done.async_wait(asio::as_tuple(asio::deferred));
        timer.cancel();
    }
    out.open_during = server->open_connections();
    auto const deadline = clock_type::now() + 2s;
    while (server->open_connections() > 0 && clock_type::now() < deadline)
    {
        timer.expires_after(10ms);
        co_await timer.async_wait(asio::as_tuple(asio::deferred));
    }
    out.open_after = server->open_connections();

    http::request next(server->url("/status/200"));
    auto [ec, res] = co_await f->async_fetch(std::move(next), nullptr, asio::as_tuple(asio::deferred));
    out.next_ec = ec;
    out.next_status = res.status;
    co_return out;
}

} // namespace

TEST_CASE("a cancelled fetch completes with condition::cancelled and closes its connection",
          "[fetcher][conformance][cancel]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    for (auto path : {"/never", "/stall?after=1000", "/slow-body?bytes=10&ms=1000"})
    {
        for (bool use_group : {true, false})
        {
            CAPTURE(path, use_group);
            server.reset_counters();
            auto r = weft::test::run_sync(cancel_task(name, &server, path, use_group), std::chrono::seconds(20));
            INFO("ec: " << r.ec.message() << " [" << r.ec.category().name() << ":" << r.ec.value()
                        << "] detail: " << r.detail);
            CHECK_FALSE(r.fetch_finished_first);
            CHECK(r.ec == weft::condition::cancelled);
            CHECK(r.open_after == 0);
            INFO("next fetch: " << r.next_ec.message());
            CHECK_FALSE(r.next_ec);
            CHECK(r.next_status == 200);
        }
    }
}

TEST_CASE("a fetcher verifies TLS certificates and trusts ca_file", "[fetcher][conformance][tls]")
{
    FOR_EACH_FETCHER(name);
    test_server::options server_opts;
    server_opts.tls = true;
    test_server server(server_opts);
    auto const url = server.url("/bytes?n=5000");

    auto untrusted = fetch(name, url);
    INFO(path_of(url) << " -> " << describe(untrusted));
    check_failure(untrusted, url);
    CHECK(untrusted.ec == weft::condition::tls);

    auto opts = test_options();
    opts.ca_file = server.ca_file().string();
    auto trusted = fetch(name, url, opts);
    INFO(describe(trusted));
    REQUIRE_FALSE(trusted.ec);
    CHECK(trusted.res.status == 200);
    CHECK(trusted.res.body == test_server::pattern_body(5000));
    CHECK(trusted.res.timing.tls.count() > 0);

    auto unverified_opts = test_options();
    unverified_opts.verify_tls = false;
    auto unverified = fetch(name, url, unverified_opts);
    INFO(describe(unverified));
    CHECK_FALSE(unverified.ec);
}

namespace
{

class collecting_sink final : public http::body_sink
{
public:
    error_code on_headers(http::response const& head) override
    {
        ++headers_calls;
        data_before_headers = data_before_headers || !body.empty();
        status = head.status;
        return headers_error;
    }
    error_code on_data(std::string_view chunk) override
    {
        ++data_calls;
        body.append(chunk);
        return data_calls >= fail_at_call ? data_error : error_code{};
    }

    int headers_calls = 0;
    int data_calls = 0;
    bool data_before_headers = false;
    int status = 0;
    std::string body;
    error_code headers_error;
    error_code data_error;
    int fail_at_call = 1;
};

} // namespace

TEST_CASE("a fetcher streams a body to a body_sink", "[fetcher][conformance][sink]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    for (auto path : {"/bytes?n=300000&chunked=1", "/bytes?n=300000", "/gzip?n=300000"})
    {
        CAPTURE(path);
        collecting_sink sink;
        http::request req(server.url(path));
        auto o = fetch(name, req, test_options(), &sink);
        INFO(describe(o));
        REQUIRE_FALSE(o.ec);
        CHECK(o.res.status == 200);
        CHECK(o.res.body.empty());
        CHECK(sink.headers_calls == 1);
        CHECK_FALSE(sink.data_before_headers);
        CHECK(sink.status == 200);
        CHECK(sink.data_calls >= 1);
        CHECK(sink.body == test_server::pattern_body(300000));
    }
}

TEST_CASE("a body_sink's error aborts the transfer with that error", "[fetcher][conformance][sink]")
{
    FOR_EACH_FETCHER(name);
    test_server server;
    auto const url = server.url("/big?bytes=20000000");
    SECTION("from on_data")
    {
        collecting_sink sink;
        sink.data_error = weft::error::filtered;
        http::request req(url);
        auto o = fetch(name, req, test_options(), &sink);
        INFO(path_of(url) << " -> " << describe(o));
        check_failure(o, url);
        CHECK(o.ec == weft::error::filtered);
        CHECK(sink.data_calls == 1);
    }
    SECTION("from on_headers")
    {
        collecting_sink sink;
        sink.headers_error = weft::error::offsite;
        http::request req(url);
        auto o = fetch(name, req, test_options(), &sink);
        INFO(path_of(url) << " -> " << describe(o));
        check_failure(o, url);
        CHECK(o.ec == weft::error::offsite);
        CHECK(sink.data_calls == 0);
    }
    // The aborted connection is closed, not returned to a pool.
    CHECK(server.wait_open_connections_at_most(0, 2s));
}
