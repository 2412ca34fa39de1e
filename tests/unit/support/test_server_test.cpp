#include "support/test_server.hpp"

#include "support/compress.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <thread>

namespace
{

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using weft::test::test_server;

// A blocking keep-alive client: one connection, one request at a time.
class client
{
public:
    explicit client(test_server const& server)
    {
        socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
    }

    bhttp::response<bhttp::string_body> get(std::string target, std::string method = "GET", std::string body = {})
    {
        bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
        req.set(bhttp::field::host, "127.0.0.1");
        req.set("X-Test", "yes");
        req.body() = std::move(body);
        req.prepare_payload();
        bhttp::write(socket_, req);
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(1u << 30);
        parser.header_limit(1u << 20);
        bhttp::read(socket_, buffer_, parser);
        return parser.release();
    }

    /// Sends a GET and returns everything the server sends until it closes (or the error).
    std::string raw(std::string target, boost::system::error_code& ec)
    {
        std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        asio::write(socket_, asio::buffer(req));
        std::string out;
        asio::read(socket_, asio::dynamic_buffer(out), ec);
        return out;
    }

    tcp::socket& socket() { return socket_; }

private:
    asio::io_context io_;
    tcp::socket socket_{io_};
    beast::flat_buffer buffer_;
};

} // namespace

TEST_CASE("test_server answers /status and counts requests per path", "[support][test_server]")
{
    test_server server;
    client c(server);
    auto res = c.get("/status/418");
    CHECK(res.result_int() == 418);
    CHECK(res.body() == "status 418");
    CHECK(c.get("/status/204").body().empty());
    CHECK(server.request_count("/status/418") == 1);
    CHECK(server.total_requests() == 2);
    CHECK(server.url("/x") == "http://127.0.0.1:" + std::to_string(server.port()) + "/x");
}

TEST_CASE("test_server keeps a connection alive across requests", "[support][test_server]")
{
    test_server server;
    client c(server);
    for (int i = 0; i < 5; ++i)
        CHECK(c.get("/bytes?n=10").body() == test_server::pattern_body(10));
    CHECK(server.connections_accepted() == 1);
    CHECK(server.open_connections() == 1);
}

TEST_CASE("test_server echoes method, headers, query and body as JSON", "[support][test_server]")
{
    test_server server;
    client c(server);
    auto res = c.get("/echo?a=1&b=x%20y", "POST", "hello");
    auto j = nlohmann::json::parse(res.body());
    CHECK(j["method"] == "POST");
    CHECK(j["body"] == "hello");
    CHECK(j["query"]["b"] == "x y");
    CHECK(j["headers"]["x-test"] == "yes");
    auto h = server.last_request_headers("/echo");
    REQUIRE(h);
    CHECK(h->get("X-Test") == "yes");
    CHECK(server.last_request("/echo")->body == "hello");
}

TEST_CASE("test_server sets response headers from /headers' query", "[support][test_server]")
{
    test_server server;
    client c(server);
    auto res = c.get("/headers?X-One=1&Content-Type=text/html");
    CHECK(res["X-One"] == "1");
    CHECK(res[bhttp::field::content_type] == "text/html");
}

TEST_CASE("test_server redirects through chains, relative Locations and loops", "[support][test_server]")
{
    test_server server;
    client c(server);
    auto r = c.get("/redirect/2");
    CHECK(r.result_int() == 302);
    CHECK(r[bhttp::field::location] == "/redirect/1");
    CHECK(c.get("/redirect/0").body() == "redirect done");
    CHECK(c.get("/redirect-relative/3")[bhttp::field::location] == "./2");
    CHECK(c.get("/redirect-loop")[bhttp::field::location] == "/redirect-loop");
    CHECK(c.get("/redirect-to?url=http%3A%2F%2Fexample.test%2F")[bhttp::field::location] == "http://example.test/");
}

TEST_CASE("test_server sends exact, chunked and close-delimited bodies", "[support][test_server]")
{
    test_server server;
    client c(server);
    CHECK(c.get("/bytes?n=100000").body() == test_server::pattern_body(100000));
    auto chunked = c.get("/bytes?n=100000&chunked=1");
    CHECK(chunked.chunked());
    CHECK(chunked.body() == test_server::pattern_body(100000));
    auto unbounded = c.get("/big?bytes=5000&length=0");
    CHECK(unbounded.body() == test_server::pattern_body(5000));
    CHECK(!unbounded.keep_alive());
}

TEST_CASE("test_server compresses with gzip and deflate, and serves a gzip bomb", "[support][test_server]")
{
    test_server server;
    client c(server);
    auto g = c.get("/gzip?n=5000");
    CHECK(g[bhttp::field::content_encoding] == "gzip");
    CHECK(weft::test::inflate(g.body()) == test_server::pattern_body(5000));
    auto d = c.get("/deflate?n=5000");
    CHECK(d[bhttp::field::content_encoding] == "deflate");
    CHECK(weft::test::inflate(d.body()) == test_server::pattern_body(5000));
    CHECK(c.get("/br?n=5000")[bhttp::field::content_encoding] == "br");
    CHECK(c.get("/zstd?n=5000")[bhttp::field::content_encoding] == "zstd");
    auto bomb = c.get("/gzip-bomb?mb=4");
    CHECK(bomb.body().size() < 64 * 1024);
    CHECK(weft::test::inflate(bomb.body()).size() == 4u << 20);
}

TEST_CASE("test_server sends huge headers and an HTML page", "[support][test_server]")
{
    test_server server;
    client c(server);
    auto res = c.get("/huge-headers?kb=100");
    CHECK(res.base()["X-Filler-99"].size() == 1000);
    CHECK(res.body() == "ok");
    auto html = c.get("/html?title=Hi&links=2");
    CHECK(html[bhttp::field::content_type] == "text/html; charset=utf-8");
    CHECK(html.body().find("<title>Hi</title>") != std::string::npos);
    CHECK(html.body().find("href=\"/html?page=1\"") != std::string::npos);
}

TEST_CASE("test_server serves static files by extension and 404s the rest", "[support][test_server]")
{
    weft::test::temp_dir dir;
    std::ofstream(dir / "index.html") << "<p>home</p>";
    std::filesystem::create_directory(dir / "sub");
    std::ofstream(dir / "sub" / "data.json") << "{}";
    test_server::options opts;
    opts.root = dir.path();
    test_server server(opts);
    client c(server);
    auto home = c.get("/");
    CHECK(home.body() == "<p>home</p>");
    CHECK(home[bhttp::field::content_type] == "text/html; charset=utf-8");
    CHECK(c.get("/sub/data.json")[bhttp::field::content_type] == "application/json");
    CHECK(c.get("/missing").result_int() == 404);
    CHECK(c.get("/../etc/passwd").result_int() == 404);
}

TEST_CASE("test_server runs custom handlers before built-in routes", "[support][test_server]")
{
    test_server server;
    server.add_handler("/status/200",
                       [](weft::test::received_request const& r)
                       {
                           weft::test::canned_response res;
                           res.status = 201;
                           res.body = "custom " + r.param("q");
                           return res;
                       });
    client c(server);
    auto res = c.get("/status/200?q=x");
    CHECK(res.result_int() == 201);
    CHECK(res.body() == "custom x");
}

TEST_CASE("test_server injects malformed responses and early closes", "[support][test_server]")
{
    test_server server;
    boost::system::error_code ec;
    {
        client c(server);
        CHECK(c.raw("/malformed-status", ec).starts_with("HTTP/1.1 twohundred"));
    }
    {
        client c(server);
        CHECK(c.raw("/malformed-chunked", ec).find("zz\r\n") != std::string::npos);
    }
    {
        client c(server);
        auto out = c.raw("/close-mid-body?n=1000", ec);
        CHECK(ec == asio::error::eof);
        CHECK(out.ends_with(test_server::pattern_body(500)));
        CHECK(out.find("Content-Length: 1000") != std::string::npos);
    }
    {
        client c(server);
        c.raw("/reset", ec);
        CHECK(ec == asio::error::connection_reset);
    }
}

TEST_CASE("test_server notices a client that gives up on /never, /stall and /slow-headers", "[support][test_server]")
{
    test_server server;
    for (auto target : {"/never", "/stall?after=10", "/slow-headers?ms=30000", "/slow-body?bytes=5&ms=10000"})
    {
        {
            client c(server);
            std::string req = std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
            asio::write(c.socket(), asio::buffer(req));
            auto const deadline = std::chrono::steady_clock::now() + 2s;
            while (server.total_requests() == 0 && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(5ms);
            CHECK(server.open_connections() == 1);
        } // the client closes
        CAPTURE(target);
        CHECK(server.wait_open_connections_at_most(0, 2s));
        server.reset_counters();
    }
}

TEST_CASE("test_server survives clients that disconnect mid-response", "[support][test_server]")
{
    test_server server;
    for (int i = 0; i < 5; ++i)
    {
        client c(server);
        std::string req = "GET /big?bytes=20000000 HTTP/1.1\r\nHost: x\r\n\r\n";
        asio::write(c.socket(), asio::buffer(req));
        char buf[1000];
        c.socket().read_some(asio::buffer(buf));
    }
    CHECK(server.wait_open_connections_at_most(0, 2s));
    client c(server);
    CHECK(c.get("/status/200").result_int() == 200);
}

TEST_CASE("unused_port refuses connections", "[support][test_server]")
{
    asio::io_context io;
    tcp::socket s(io);
    boost::system::error_code ec;
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), weft::test::unused_port()), ec);
    CHECK(ec == asio::error::connection_refused);
}

TEST_CASE("test_server serves HTTPS with a certificate its ca_file verifies", "[support][test_server][tls]")
{
    test_server::options opts;
    opts.tls = true;
    test_server server(opts);
    CHECK(server.url("/") == "https://127.0.0.1:" + std::to_string(server.port()) + "/");
    REQUIRE(std::filesystem::exists(server.ca_file()));

    auto handshake = [&](bool trust)
    {
        asio::io_context io;
        asio::ssl::context ctx(asio::ssl::context::tls_client);
        if (trust)
            ctx.load_verify_file(server.ca_file().string());
        ctx.set_verify_mode(asio::ssl::verify_peer);
        asio::ssl::stream<tcp::socket> s(io, ctx);
        s.set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
        s.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
        boost::system::error_code ec;
        s.handshake(asio::ssl::stream_base::client, ec);
        if (!ec)
        {
            bhttp::request<bhttp::empty_body> req(bhttp::verb::get, "/status/200", 11);
            req.set(bhttp::field::host, "127.0.0.1");
            bhttp::write(s, req);
            beast::flat_buffer b;
            bhttp::response<bhttp::string_body> res;
            bhttp::read(s, b, res);
            CHECK(res.result_int() == 200);
        }
        return ec;
    };
    CHECK(handshake(false));
    CHECK_FALSE(handshake(true));
}
