#include <weft/warc/http_exchange.hpp>
#include <weft/warc/reader.hpp>

#include <catch2/catch.hpp>

using namespace weft;

namespace
{

http::response gzip_response()
{
    http::response res;
    res.status = 200;
    res.reason = "OK";
    res.http_version = "1.1";
    res.headers.add("Content-Type", "text/html");
    res.headers.add("Content-Encoding", "gzip");
    res.headers.add("Content-Length", "31");
    res.headers.add("Set-Cookie", "a=1");
    res.headers.add("Set-Cookie", "b=2");
    res.url = res.final_url = "http://127.0.0.1:8080/page?x=1";
    res.wire_bytes = 31;
    res.timing.connect = std::chrono::microseconds(120);
    res.timing.total = std::chrono::microseconds(3456);
    return res;
}

} // namespace

TEST_CASE("an exchange becomes a request record and a response record linked by WARC-Concurrent-To", "[warc][exchange]")
{
    http::request req{"http://127.0.0.1:8080/page?x=1"};
    req.header("Accept", "text/html");
    auto const [rq, rs] =
        warc::exchange_records(req, gzip_response(), "<p>decoded</p>", "weft-test/1", std::chrono::system_clock::now());
    CHECK(rq.type() == "request");
    CHECK(rs.type() == "response");
    CHECK(rs.field("WARC-Concurrent-To") == rq.field("WARC-Record-ID"));
    CHECK(rq.field("WARC-Target-URI") == "http://127.0.0.1:8080/page?x=1");
    CHECK(rs.field("Content-Type") == "application/http;msgtype=response");
    CHECK(rq.block == "GET /page?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: weft-test/1\r\n"
                      "Accept: text/html\r\n\r\n");
    // The decoded body under headers that describe it: the wire's kept under X-Archive-Orig-.
    CHECK(rs.block == "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Archive-Orig-Content-Encoding: gzip\r\n"
                      "X-Archive-Orig-Content-Length: 31\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
                      "Content-Length: 14\r\n\r\n<p>decoded</p>");
    CHECK(rs.field("WARC-Payload-Digest") == warc::sha1_digest("<p>decoded</p>"));
    CHECK(rs.field("WARC-Block-Digest") == warc::sha1_digest(rs.block));
    CHECK(rq.field("WARC-Block-Digest") == warc::sha1_digest(rq.block));
}

TEST_CASE("a response record replays as the response the spider saw, headers in their order", "[warc][exchange]")
{
    http::request req{"http://127.0.0.1:8080/page?x=1"};
    auto const original = gzip_response();
    auto [rq, rs] = warc::exchange_records(req, original, "<p>decoded</p>", "ua", std::chrono::system_clock::now());
    auto const back = warc::response_from_record(rs);
    CHECK(back.status == 200);
    CHECK(back.reason == "OK");
    CHECK(back.headers == original.headers);
    CHECK(back.body == "<p>decoded</p>");
    CHECK(back.url == original.url);
    CHECK(back.final_url == original.final_url);
    CHECK(back.http_version == "1.1");
    CHECK(back.wire_bytes == 31);
    CHECK(back.timing.connect.count() == 120);
    CHECK(back.timing.total.count() == 3456); // the spider's elapsed time replays too
}

TEST_CASE("an HTTP/2 response is written with an HTTP/1.1 status line and WARC-Protocol h2", "[warc][exchange]")
{
    auto res = gzip_response();
    res.http_version = "2";
    res.reason.clear();
    auto [rq, rs] = warc::exchange_records(http::request{res.url}, res, "x", "ua", std::chrono::system_clock::now());
    CHECK(rs.block.starts_with("HTTP/1.1 200 \r\n"));
    CHECK(rs.field("WARC-Protocol") == "h2");
    CHECK(warc::response_from_record(rs).http_version == "2");
}

TEST_CASE("a response record of another tool is served as it is", "[warc][exchange]")
{
    warc::record r;
    r.fields.add("WARC-Type", "response");
    r.fields.add("WARC-Target-URI", "http://example.test/");
    r.block = "HTTP/1.0 404 Not Found\nContent-Length: 3\n\nno!";
    auto const res = warc::response_from_record(r);
    CHECK(res.status == 404);
    CHECK(res.headers.get("Content-Length") == "3");
    CHECK(res.body == "no!");
    r.block = "HTTP/1.1 abc\r\n\r\n";
    CHECK_THROWS_AS(warc::response_from_record(r), warc::format_error);
    r.block = "garbage";
    CHECK_THROWS_AS(warc::response_from_record(r), warc::format_error);
}

TEST_CASE("replayed requests are looked up by method, canonical URL and body", "[warc][exchange]")
{
    CHECK(warc::replay_key("GET", "http://Example.test:80/a?b=1#frag", "") ==
          warc::replay_key("GET", "http://example.test/a?b=1", ""));
    CHECK(warc::replay_key("GET", "http://example.test/a", "") !=
          warc::replay_key("HEAD", "http://example.test/a", ""));
    CHECK(warc::replay_key("POST", "http://example.test/a", "x=1") !=
          warc::replay_key("POST", "http://example.test/a", "x=2"));
}
