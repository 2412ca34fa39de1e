// Test that the header is self-contained.
#include <weft/fetch_beast/beast_fetcher.hpp>

#include "support/compress.hpp"
#include "support/run_sync.hpp"
#include "support/test_server.hpp"

#include <weft/http/fetcher_registry.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <sys/socket.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using weft::error_code;
using weft::task;
using weft::http::beast_fetcher;
using weft::http::fetch_options;
using weft::http::request;
using weft::http::response;
using weft::test::run_sync;
using weft::test::test_server;
namespace asio = boost::asio;

namespace
{

struct fetched
{
    error_code ec;
    response res;
};

task<fetched> fetch(weft::http::fetcher* f, request req, weft::http::body_sink* sink = nullptr)
{
    auto [ec, res] = co_await f->async_fetch(std::move(req), sink, asio::as_tuple(asio::use_awaitable));
    co_return fetched{ec, std::move(res)};
}

task<void> sleep_for(std::chrono::milliseconds d)
{
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

/// Starts every request at once and waits for all of them.
task<std::vector<fetched>> fetch_all(weft::http::fetcher* f, std::vector<request> reqs)
{
    auto ex = co_await asio::this_coro::executor;
    std::vector<fetched> out(reqs.size());
    std::size_t remaining = reqs.size();
    asio::steady_timer done(ex, std::chrono::steady_clock::time_point::max());
    for (std::size_t i = 0; i < reqs.size(); ++i)
        asio::co_spawn(ex, fetch(f, std::move(reqs[i])),
                       [&, i](std::exception_ptr e, fetched r)
                       {
                           if (e)
                               std::rethrow_exception(e);
                           out[i] = std::move(r);
                           if (--remaining == 0)
                               done.cancel();
                       });
    co_await done.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return out;
}

/// Records what a body_sink receives.
class recording_sink final : public weft::http::body_sink
{
public:
    error_code on_headers(response const& head) override
    {
        status = head.status;
        headers_before_data = data.empty();
        return {};
    }
    error_code on_data(std::string_view chunk) override
    {
        ++chunks;
        data.append(chunk);
        if (fail_after && data.size() >= fail_after)
            return make_error_code(weft::error::filtered);
        return {};
    }

    int status = 0;
    bool headers_before_data = false;
    int chunks = 0;
    std::string data;
    std::size_t fail_after = 0;
};

std::string raw_deflate(std::string_view data)
{
    z_stream z{};
    deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    std::string out(compressBound(data.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

} // namespace

TEST_CASE("beast_fetcher is registered as \"beast\"", "[fetch_beast]")
{
    asio::io_context io;
    auto f = weft::http::make_fetcher("beast", io.get_executor());
    CHECK(f->name() == "beast");
    CHECK(dynamic_cast<beast_fetcher*>(f.get()) != nullptr);
}

TEST_CASE("beast_fetcher reuses one kept-alive connection for sequential requests", "[fetch_beast][pool]")
{
    test_server server;
    auto const r = run_sync(
        [](std::string url) -> task<std::vector<fetched>>
        {
            beast_fetcher f(co_await asio::this_coro::executor, fetch_options{});
            std::vector<fetched> out;
            for (int i = 0; i < 3; ++i)
            {
                request req(url);
                out.push_back(co_await fetch(&f, std::move(req)));
                CHECK(f.idle_connections() == 1);
            }
            co_return out;
        }(server.url("/bytes?n=1000")));
    for (auto const& x : r)
    {
        REQUIRE_FALSE(x.ec);
        CHECK(x.res.status == 200);
        CHECK(x.res.http_version == "1.1");
        CHECK(x.res.body == test_server::pattern_body(1000));
        CHECK(x.res.wire_bytes == 1000);
    }
    CHECK(r[0].res.timing.connect > 0us);
    CHECK(r[1].res.timing.connect == 0us); // reused
    CHECK(server.connections_accepted() == 1);
}

TEST_CASE("beast_fetcher opens at most max_connections_per_host and queues the rest", "[fetch_beast][pool]")
{
    test_server server;
    auto const r = run_sync(
        [](std::string url) -> task<std::vector<fetched>>
        {
            fetch_options opts;
            opts.max_connections_per_host = 2;
            beast_fetcher f(co_await asio::this_coro::executor, opts);
            std::vector<request> reqs;
            for (int i = 0; i < 6; ++i)
                reqs.emplace_back(url);
            auto out = co_await fetch_all(&f, std::move(reqs));
            CHECK(f.open_connections() <= 2);
            co_return out;
        }(server.url("/slow-headers?ms=50")));
    for (auto const& x : r)
    {
        REQUIRE_FALSE(x.ec);
        CHECK(x.res.body == "slow");
    }
    CHECK(server.connections_accepted() == 2);
}

TEST_CASE("beast_fetcher's max_connections bounds connections across hosts", "[fetch_beast][pool]")
{
    test_server a;
    test_server b;
    auto const r = run_sync(
        [](std::string ua, std::string ub) -> task<std::vector<fetched>>
        {
            fetch_options opts;
            opts.max_connections = 1;
            beast_fetcher f(co_await asio::this_coro::executor, opts);
            std::vector<request> reqs;
            for (int i = 0; i < 4; ++i)
                reqs.emplace_back(i % 2 ? ua : ub);
            co_return co_await fetch_all(&f, std::move(reqs));
        }(a.url("/slow-headers?ms=20"), b.url("/slow-headers?ms=20")));
    for (auto const& x : r)
        REQUIRE_FALSE(x.ec);
    CHECK(a.connections_accepted() + b.connections_accepted() >= 2);
    CHECK(a.open_connections() + b.open_connections() <= 1);
}

TEST_CASE("beast_fetcher follows absolute and relative redirects", "[fetch_beast][redirect]")
{
    test_server server;
    auto const r = run_sync(
        [](std::string u1, std::string u2) -> task<std::vector<fetched>>
        {
            beast_fetcher f(co_await asio::this_coro::executor, fetch_options{});
            std::vector<fetched> out;
            out.push_back(co_await fetch(&f, request(u1)));
            out.push_back(co_await fetch(&f, request(u2)));
            co_return out;
        }(server.url("/redirect/3"), server.url("/redirect-relative/3")));
    for (auto const& x : r)
    {
        REQUIRE_FALSE(x.ec);
        CHECK(x.res.status == 200);
        CHECK(x.res.redirects == 3);
    }
    CHECK(r[0].res.final_url == server.url("/redirect/0"));
    CHECK(r[1].res.final_url == server.url("/redirect-relative/0"));
    CHECK(server.connections_accepted() == 1); // redirect bodies are drained, the connection reused
}

TEST_CASE("beast_fetcher reports redirect loops and too many redirects", "[fetch_beast][redirect]")
{
    test_server server;
    auto const r = run_sync(
        [](std::string loop, std::string chain) -> task<std::vector<fetched>>
        {
            beast_fetcher f(co_await asio::this_coro::executor, fetch_options{});
            std::vector<fetched> out;
            out.push_back(co_await fetch(&f, request(loop)));
            auto limited = request(chain).max_redirects(2);
            out.push_back(co_await fetch(&f, std::move(limited)));
            auto none = request(chain).max_redirects(0);
            out.push_back(co_await fetch(&f, std::move(none)));
            co_return out;
        }(server.url("/redirect-loop"), server.url("/redirect/5")));
    CHECK(r[0].ec == weft::error::redirect_loop);
    CHECK(r[1].ec == weft::error::too_many_redirects);
    CHECK(r[1].res.redirects == 2);
    CHECK(r[2].ec == weft::error::too_many_redirects);
    CHECK(r[0].ec == weft::condition::policy);
    CHECK_FALSE(r[0].res.error_detail.empty());
}

TEST_CASE("beast_fetcher turns POST into GET on 303 and keeps it on 307", "[fetch_beast][redirect]")
{
    test_server server;
    auto const r = run_sync(
        [](std::string see_other, std::string temporary) -> task<std::vector<fetched>>
        {
            beast_fetcher f(co_await asio::this_coro::executor, fetch_options{});
            std::vector<fetched> out;
            auto a = request(see_other, "POST").body("payload");
            out.push_back(co_await fetch(&f, std::move(a)));
            auto b = request(temporary, "POST").body("payload");
            out.push_back(co_await fetch(&f, std::move(b)));
            co_return out;
        }(server.url("/redirect-to?url=/echo&status=303"), server.url("/redirect-to?url=/echo&status=307")));
    REQUIRE_FALSE(r[0].ec);
    REQUIRE_FALSE(r[1].ec);
    auto const a = nlohmann::json::parse(r[0].res.body);
    auto const b = nlohmann::json::parse(r[1].res.body);
    CHECK(a["method"] == "GET");
    CHECK(a["body"] == "");
    CHECK(b["method"] == "POST");
    CHECK(b["body"] == "payload");
}

TEST_CASE("beast_fetcher refuses unsupported schemes and bad URLs", "[fetch_beast]")
{
    auto const r = run_sync(
        []() -> task<std::vector<fetched>>
        {
            beast_fetcher f(co_await asio::this_coro::executor, fetch_options{});
            std::vector<fetched> out;
            out.push_back(co_await fetch(&f, request("ftp://example.org/")));
            out.push_back(co_await fetch(&f, request("http://exa mple/")));
            co_return out;
        }());
    CHECK(r[0].ec == weft::error::unsupported_scheme);
    CHECK(r[1].ec == weft::error::bad_url);
}

TEST_CASE("beast_fetcher decodes gzip and deflate bodies", "[fetch_beast][encoding]")
{
    test_server server;
    std::string const expected = test_server::pattern_body(200000);
    server.add_handler("/raw-deflate",
                       [&](weft::test::received_request const&)
                       {
                           weft::test::canned_response c;
                           c.headers.add("Content-Encoding", "deflate");
                           c.body = raw_deflate(expected);
                           return c;
                       });
    auto const r = run_sync(
        [](std::string g, std::string d, std::string raw) -> task<std::vector<fetched>>
        {
            beast_fetcher f(co_await asio::this_coro::executor, fetch_options{});
            std::vector<fetched> out;
            out.push_back(co_await fetch(&f, request(g)));
            out.push_back(co_await fetch(&f, request(d)));
            out.push_back(co_await fetch(&f, request(raw)));
            co_return out;
        }(server.url("/gzip?n=200000"), server.url("/deflate?n=200000"), server.url("/raw-deflate")));
    for (auto const& x : r)
    {
        REQUIRE_FALSE(x.ec);
        CHECK(x.res.body.size() == expected.size());
        CHECK(x.res.body == expected);
        CHECK(x.res.wire_bytes < expected.size());
    }
    auto const sent = server.last_request_headers("/gzip");
    REQUIRE(sent);
    CHECK(sent->get("Accept-Encoding") == "gzip, deflate");
}

TEST_CASE("beast_fetcher decodes multi-member gzip and rejects truncated gzip", "[fetch_beast][encoding]")
{
    test_server server;
    std::string const a = test_server::pattern_body(30000);
    std::string const b(20000, 'b');
    server.add_handler("/two-members",
                       [&](weft::test::received_request const&)
                       {
                           weft::test::canned_response c;
                           c.headers.add("Content-Encoding", "gzip");
                           c.body = weft::test::gzip(a) + weft::test::gzip(b);
                           return c;
                       });
    server.add_handler("/truncated",
                       [&](weft::test::received_request const&)
                       {
                           weft::test::canned_response c;
                           c.headers.add("Content-Encoding", "gzip");
                           c.body = weft::test::gzip(a);
                           c.body.resize(c.body.size() / 2);
                           return c;
                       });
    auto const r = run_sync(
        [](std::string two, std::string cut) -> task<std::vector<fetched>>
        {
            beast_fetcher f(co_await asio::this_coro::executor, fetch_options{});
            std::vector<fetched> out;
            out.push_back(co_await fetch(&f, request(two)));
            out.push_back(co_await fetch(&f, request(cut)));
            co_return out;
        }(server.url("/two-members"), server.url("/truncated")));
    REQUIRE_FALSE(r[0].ec);
    CHECK(r[0].res.body == a + b);
    CHECK(r[1].ec == weft::error::bad_content_encoding);
}

TEST_CASE("beast_fetcher stops a gzip bomb at max_decompressed_size", "[fetch_beast][encoding][limit]")
{
    test_server server;
    recording_sink sink;
    auto const r = run_sync(
        [](std::string url, recording_sink* s) -> task<std::vector<fetched>>
        {
            fetch_options opts;
            opts.limits.max_decompressed_size = 1u << 20;
            beast_fetcher f(co_await asio::this_coro::executor, opts);
            std::vector<fetched> out;
            out.push_back(co_await fetch(&f, request(url)));
            out.push_back(co_await fetch(&f, request(url), s));
            co_return out;
        }(server.url("/gzip-bomb?mb=64"), &sink));
    CHECK(r[0].ec == weft::error::decompressed_too_large);
    CHECK(r[0].ec == weft::condition::limit);
    CHECK(r[0].res.body.size() <= (1u << 20));
    CHECK(r[1].ec == weft::error::decompressed_too_large);
    CHECK(sink.data.size() <= (1u << 20));
    CHECK(server.wait_open_connections_at_most(0, 2000ms));
}

TEST_CASE("beast_fetcher enforces max_body_size and max_header_size", "[fetch_beast][limit]")
{
    test_server server;
    auto const r = run_sync(
        [](std::string body, std::string chunked, std::string head) -> task<std::vector<fetched>>
        {
            fetch_options opts;
            opts.limits.max_body_size = 10000;
            opts.limits.max_header_size = 8 << 10;
            beast_fetcher f(co_await asio::this_coro::executor, opts);
            std::vector<fetched> out;
            out.push_back(co_await fetch(&f, request(body)));
            out.push_back(co_await fetch(&f, request(chunked)));
            out.push_back(co_await fetch(&f, request(head)));
            co_return out;
        }(server.url("/bytes?n=20000"), server.url("/bytes?n=20000&chunked=1"), server.url("/huge-headers?kb=16")));
    CHECK(r[0].ec == weft::error::body_too_large);
    CHECK(r[1].ec == weft::error::body_too_large);
    CHECK(r[2].ec == weft::error::header_too_large);
}

TEST_CASE("beast_fetcher streams a chunked body to a sink", "[fetch_beast][sink]")
{
    test_server server;
    recording_sink sink;
    auto const r = run_sync(
        [](std::string url, recording_sink* s) -> task<fetched>
        {
            beast_fetcher f(co_await asio::this_coro::executor, fetch_options{});
            co_return co_await fetch(&f, request(url), s);
        }(server.url("/bytes?n=300000&chunked=1"), &sink));
    REQUIRE_FALSE(r.ec);
    CHECK(r.res.body.empty());
    CHECK(sink.status == 200);
    CHECK(sink.headers_before_data);
    CHECK(sink.chunks > 1);
    CHECK(sink.data == test_server::pattern_body(300000));
}

TEST_CASE("beast_fetcher aborts the transfer with the sink's error", "[fetch_beast][sink]")
{
    test_server server;
    recording_sink sink;
    sink.fail_after = 1000;
    auto const r = run_sync(
        [](std::string url, recording_sink* s) -> task<fetched>
        {
            beast_fetcher f(co_await asio::this_coro::executor, fetch_options{});
            auto out = co_await fetch(&f, request(url), s);
            CHECK(f.open_connections() == 0);
            co_return out;
        }(server.url("/big?bytes=10000000"), &sink));
    CHECK(r.ec == weft::error::filtered);
    CHECK(sink.data.size() < 10000000);
}

TEST_CASE("beast_fetcher times out: total, idle, waiting for headers", "[fetch_beast][timeout]")
{
    test_server server;
    auto const r = run_sync(
        [](std::string never, std::string stall, std::string slow) -> task<std::vector<fetched>>
        {
            fetch_options opts;
            opts.timeouts.idle = 200ms;
            beast_fetcher f(co_await asio::this_coro::executor, opts);
            std::vector<fetched> out;
            auto total = request(never).timeout(150ms);
            out.push_back(co_await fetch(&f, std::move(total)));
            out.push_back(co_await fetch(&f, request(stall)));
            out.push_back(co_await fetch(&f, request(slow)));
            CHECK(f.open_connections() == 0);
            co_return out;
        }(server.url("/never"), server.url("/stall?after=100&total=1100"), server.url("/slow-headers?ms=2000")));
    for (auto const& x : r)
    {
        CHECK(x.ec == weft::condition::timeout);
        CHECK(x.res.timing.total < 1500ms);
        CHECK_FALSE(x.res.error_detail.empty());
    }
    CHECK(r[0].res.timing.total >= 150ms);
    CHECK(server.wait_open_connections_at_most(0, 2000ms));
}

TEST_CASE("beast_fetcher times out connecting to a listener that never accepts", "[fetch_beast][timeout]")
{
    // A listen backlog that is full makes the kernel drop further SYNs: connect hangs.
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    acceptor.listen(0);
    std::vector<std::unique_ptr<asio::ip::tcp::socket>> fillers;
    for (int i = 0; i < 4; ++i)
    {
        auto s = std::make_unique<asio::ip::tcp::socket>(io, asio::ip::tcp::v4());
        s->non_blocking(true);
        auto const ep = acceptor.local_endpoint();
        ::connect(s->native_handle(), ep.data(), static_cast<socklen_t>(ep.size())); // EINPROGRESS
        fillers.push_back(std::move(s));
    }
    auto const url = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/";
    auto const r = run_sync(
        [](std::string u) -> task<fetched>
        {
            fetch_options opts;
            opts.timeouts.connect = 200ms;
            beast_fetcher f(co_await asio::this_coro::executor, opts);
            auto out = co_await fetch(&f, request(u));
            CHECK(f.open_connections() == 0);
            co_return out;
        }(url));
    // Either the SYN was dropped (a connect timeout) or, if the kernel queued it, the request got
    // no answer until the total deadline; only the first says anything about connect timeouts.
    if (r.ec == weft::condition::timeout && r.res.error_detail.find("connect timeout") != std::string::npos)
        CHECK(r.res.timing.total < 1s);
    else
        WARN("the kernel accepted the connection: " << r.ec.message() << " / " << r.res.error_detail);
}

TEST_CASE("cancelling a fetch closes its socket and completes with operation_aborted", "[fetch_beast][cancel]")
{
    test_server server;
    auto const r = run_sync(
        [](std::string url) -> task<fetched>
        {
            auto ex = co_await asio::this_coro::executor;
            beast_fetcher f(ex, fetch_options{});
            asio::cancellation_signal signal;
            asio::steady_timer t(ex, 100ms);
            t.async_wait([&](error_code) { signal.emit(asio::cancellation_type::terminal); });
            auto [ec, res] = co_await f.async_fetch(
                request(url), nullptr,
                asio::bind_cancellation_slot(signal.slot(), asio::as_tuple(asio::use_awaitable)));
            CHECK(f.open_connections() == 0);
            CHECK(f.transfers_in_flight() == 0);
            co_return fetched{ec, std::move(res)};
        }(server.url("/never")));
    CHECK(r.ec == asio::error::operation_aborted);
    CHECK(r.ec == weft::condition::cancelled);
    CHECK(server.wait_open_connections_at_most(0, 2000ms));
}

TEST_CASE("beast_fetcher verifies TLS certificates", "[fetch_beast][tls]")
{
    test_server::options so;
    so.tls = true;
    test_server server(so);
    auto const r = run_sync(
        [](std::string url, std::string ca) -> task<std::vector<fetched>>
        {
            auto ex = co_await asio::this_coro::executor;
            std::vector<fetched> out;
            beast_fetcher untrusting(ex, fetch_options{});
            out.push_back(co_await fetch(&untrusting, request(url)));
            fetch_options opts;
            opts.ca_file = ca;
            beast_fetcher trusting(ex, opts);
            out.push_back(co_await fetch(&trusting, request(url)));
            out.push_back(co_await fetch(&trusting, request(url)));
            fetch_options lax;
            lax.verify_tls = false;
            beast_fetcher unverified(ex, lax);
            out.push_back(co_await fetch(&unverified, request(url)));
            co_return out;
        }(server.url("/bytes?n=100"), server.ca_file().string()));
    CHECK(r[0].ec == weft::condition::tls);
    CHECK_FALSE(r[0].res.error_detail.empty());
    REQUIRE_FALSE(r[1].ec);
    CHECK(r[1].res.body == test_server::pattern_body(100));
    CHECK(r[1].res.timing.tls > 0us);
    REQUIRE_FALSE(r[2].ec);
    CHECK(r[2].res.timing.tls == 0us); // the pooled TLS connection was reused
    REQUIRE_FALSE(r[3].ec);
}

TEST_CASE("beast_fetcher::shutdown aborts transfers in flight and stays usable", "[fetch_beast][cancel]")
{
    test_server server;
    auto const r = run_sync(
        [](std::string never, std::string ok) -> task<std::vector<fetched>>
        {
            auto ex = co_await asio::this_coro::executor;
            beast_fetcher f(ex, fetch_options{});
            asio::steady_timer t(ex, 100ms);
            t.async_wait([&](error_code) { f.shutdown(); });
            std::vector<request> reqs;
            for (int i = 0; i < 3; ++i)
                reqs.emplace_back(never);
            auto out = co_await fetch_all(&f, std::move(reqs));
            CHECK(f.open_connections() == 0);
            out.push_back(co_await fetch(&f, request(ok)));
            co_return out;
        }(server.url("/never"), server.url("/status/204")));
    for (int i = 0; i < 3; ++i)
        CHECK(r[i].ec == asio::error::operation_aborted);
    REQUIRE_FALSE(r[3].ec);
    CHECK(r[3].res.status == 204);
}

TEST_CASE("destroying a beast_fetcher with transfers in flight completes them safely", "[fetch_beast][cancel]")
{
    test_server server;
    auto const r = run_sync(
        [](std::string never) -> task<std::vector<fetched>>
        {
            auto ex = co_await asio::this_coro::executor;
            auto f = std::make_unique<beast_fetcher>(ex, fetch_options{});
            asio::steady_timer t(ex, 100ms);
            t.async_wait([&](error_code) { f.reset(); });
            std::vector<request> reqs;
            for (int i = 0; i < 3; ++i)
                reqs.emplace_back(never);
            co_return co_await fetch_all(f.get(), std::move(reqs));
        }(server.url("/never")));
    for (auto const& x : r)
        CHECK(x.ec == asio::error::operation_aborted);
    CHECK(server.wait_open_connections_at_most(0, 2000ms));
}

TEST_CASE("beast_fetcher retries an idempotent request once when a pooled connection was closed", "[fetch_beast][pool]")
{
    // A server that answers the first request of each connection and closes the connection
    // when the second arrives: the client sees EOF on a pooled connection with no response byte.
    asio::io_context sio;
    asio::ip::tcp::acceptor acceptor(sio, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    std::atomic<int> accepted = 0;
    std::thread server(
        [&]
        {
            for (int n = 0; n < 2; ++n)
            {
                asio::ip::tcp::socket s(sio);
                acceptor.accept(s);
                ++accepted;
                auto read_request = [&]
                {
                    std::string buf;
                    char c;
                    error_code ec;
                    while (buf.find("\r\n\r\n") == std::string::npos && !ec)
                        if (s.read_some(asio::buffer(&c, 1), ec) == 1)
                            buf += c;
                    return !ec;
                };
                if (!read_request())
                    continue;
                asio::write(s, asio::buffer(std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")));
                read_request(); // the second request on this connection: close without answering
            }
        });
    auto const url = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/";
    auto const r = run_sync(
        [](std::string u) -> task<std::vector<fetched>>
        {
            beast_fetcher f(co_await asio::this_coro::executor, fetch_options{});
            std::vector<fetched> out;
            out.push_back(co_await fetch(&f, request(u)));
            out.push_back(co_await fetch(&f, request(u)));
            co_return out;
        }(url));
    server.join();
    REQUIRE_FALSE(r[0].ec);
    REQUIRE_FALSE(r[1].ec);
    CHECK(r[1].res.body == "ok");
    CHECK(accepted == 2);
}
