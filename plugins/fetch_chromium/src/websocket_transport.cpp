#include "transport.hpp"

#include "cdp.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/url/parse.hpp>

namespace weft::chromium::detail
{
namespace
{

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
// Not asio::deferred: Beast 1.81's ranged async_connect needs the token's return_type.
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

[[noreturn]] void cannot_connect(std::string const& url, std::string const& cause)
{
    fail(error::connect_failed, "chromium: cannot connect to the DevTools endpoint " + url + ": " + cause);
}

struct endpoint_parts
{
    std::string host;      // to resolve: "127.0.0.1", "::1"
    std::string port;      // "9222"
    std::string host_port; // the Host header: "127.0.0.1:9222", "[::1]:9222"
    std::string target;    // "/devtools/browser/<id>"
};

endpoint_parts parse_endpoint(std::string const& url, std::string_view scheme)
{
    auto u = boost::urls::parse_uri(url);
    if (!u || u->scheme() != scheme || !u->has_authority() || u->host_address().empty())
        cannot_connect(url, "expected ws://host:port/devtools/browser/<id> or http://host:port");
    endpoint_parts e;
    e.host = u->host_address();
    e.port = u->has_port() ? std::string(u->port()) : "80";
    e.host_port = u->encoded_host_and_port();
    e.target = u->encoded_target().empty() ? "/" : std::string(u->encoded_target());
    return e;
}

std::string const timed_out = "no answer in time (connect_options::connect_timeout, or launch_timeout)";

task<beast::tcp_stream> connect_tcp(executor ex, std::string url, endpoint_parts e, clock::time_point deadline)
{
    tcp::resolver resolver(ex);
    auto [rec, results] = co_await resolver.async_resolve(e.host, e.port, use_tuple);
    if (rec)
        cannot_connect(url, "cannot resolve " + e.host + " (" + rec.message() + ")");
    beast::tcp_stream stream(ex);
    stream.expires_at(deadline);
    auto [ec, ep] = co_await stream.async_connect(results, use_tuple);
    if (ec == beast::error::timeout)
        cannot_connect(url, timed_out);
    if (ec)
        cannot_connect(url, ec.message() + " (is Chromium running with --remote-debugging-port=" + e.port + "?)");
    co_return stream;
}

class websocket_transport final : public transport
{
public:
    websocket_transport(beast::tcp_stream stream, std::string url, std::size_t max_message_size)
        : ws_(std::move(stream)), url_(std::move(url))
    {
        beast::get_lowest_layer(ws_).expires_never(); // the websocket's own timeouts from here on
        ws_.read_message_max(max_message_size);
        ws_.text(true);
        ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req)
                                                         { req.set(beast::http::field::user_agent, "weft"); }));
    }

    task<void> async_handshake(endpoint_parts e, clock::time_point deadline)
    {
        set_timeout(std::chrono::duration_cast<milliseconds>(deadline - clock::now()));
        websocket::response_type res;
        auto [ec] = co_await ws_.async_handshake(res, e.host_port, e.target, use_tuple);
        if (ec == beast::error::timeout)
            cannot_connect(url_, timed_out);
        if (ec == websocket::error::upgrade_declined)
            cannot_connect(url_,
                           "the WebSocket handshake was refused: HTTP " + std::to_string(res.result_int()) + " " +
                               res.body().substr(0, 200) +
                               " (for a browser, the URL is webSocketDebuggerUrl of http://host:port/json/version)");
        if (ec)
            cannot_connect(url_, "the WebSocket handshake failed: " + ec.message());
    }

    task<error_code> async_send(std::string message) override
    {
        auto [ec, n] = co_await ws_.async_write(asio::buffer(message), use_tuple);
        co_return ec;
    }

    task<received> async_receive() override
    {
        buffer_.consume(buffer_.size());
        auto [ec, n] = co_await ws_.async_read(buffer_, use_tuple);
        received r;
        if (ec)
        {
            r.ec = ec;
            r.why = "the DevTools WebSocket " + url_;
            if (ec == websocket::error::closed)
                r.why += " was closed by the browser (close code " + std::to_string(ws_.reason().code) + ")";
            else if (ec == websocket::error::message_too_big)
                r.why += " received a message larger than max_message_size (" + std::to_string(ws_.read_message_max()) +
                         " bytes)";
            else
                r.why += " closed (" + ec.message() + ")";
            co_return r;
        }
        auto const data = buffer_.cdata();
        r.message = std::string_view(static_cast<char const*>(data.data()), data.size());
        co_return r;
    }

    task<void> async_shutdown(milliseconds timeout) override
    {
        if (ws_.is_open())
        {
            set_timeout(timeout); // bounds the close handshake too
            co_await ws_.async_close(websocket::close_code::normal, use_tuple);
        }
        close();
    }

    void close() noexcept override { beast::get_lowest_layer(ws_).close(); }

private:
    void set_timeout(milliseconds handshake)
    {
        websocket::stream_base::timeout t;
        t.handshake_timeout = std::max(handshake, milliseconds(1));
        t.idle_timeout = websocket::stream_base::none(); // commands have their own deadlines
        t.keep_alive_pings = false;
        ws_.set_option(t);
    }

    websocket::stream<beast::tcp_stream> ws_;
    std::string url_;
    beast::flat_buffer buffer_;
};

} // namespace

task<std::unique_ptr<transport>> async_connect_websocket(executor ex, std::string url, clock::time_point deadline,
                                                         std::size_t max_message_size)
{
    auto e = parse_endpoint(url, "ws");
    auto stream = co_await connect_tcp(ex, url, e, deadline);
    auto t = std::make_unique<websocket_transport>(std::move(stream), url, max_message_size);
    co_await t->async_handshake(e, deadline);
    co_return t;
}

task<std::string> async_browser_websocket_url(executor ex, std::string http_url, clock::time_point deadline)
{
    namespace http = beast::http;
    auto e = parse_endpoint(http_url, "http");
    auto stream = co_await connect_tcp(ex, http_url, e, deadline);
    http::request<http::empty_body> req(http::verb::get, "/json/version", 11);
    req.set(http::field::host, e.host_port);
    req.set(http::field::user_agent, "weft");
    auto [wec, written] = co_await http::async_write(stream, req, use_tuple);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    error_code ec = wec;
    if (!ec)
        std::tie(ec, std::ignore) = co_await http::async_read(stream, buffer, res, use_tuple);
    if (ec == beast::error::timeout)
        cannot_connect(http_url, timed_out);
    if (ec)
        cannot_connect(http_url, "GET /json/version failed: " + ec.message());
    auto const body = json::parse(res.body(), nullptr, false);
    if (res.result() != http::status::ok || !body.is_object() || !body.contains("webSocketDebuggerUrl") ||
        !body["webSocketDebuggerUrl"].is_string())
        cannot_connect(http_url, "GET /json/version answered HTTP " + std::to_string(res.result_int()) +
                                     " without a webSocketDebuggerUrl (is this a Chromium DevTools port?)");
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return body["webSocketDebuggerUrl"].get<std::string>();
}

} // namespace weft::chromium::detail
