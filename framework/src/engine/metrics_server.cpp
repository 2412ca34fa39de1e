#include "engine/metrics_server.hpp"

#include <weft/async/task_group.hpp>
#include <weft/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <charconv>
#include <chrono>
#include <list>
#include <stdexcept>

namespace weft::engine::detail
{

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

namespace
{
constexpr auto idle_timeout = std::chrono::seconds(30);
constexpr char const* content_type = "text/plain; version=0.0.4; charset=utf-8";

[[noreturn]] void bad_address(std::string_view text, char const* why)
{
    throw std::invalid_argument("metrics address '" + std::string(text) + "': " + why +
                                "; expected HOST:PORT such as 127.0.0.1:9100 (port 0: any free port)");
}
} // namespace

listen_address parse_listen_address(std::string_view text)
{
    auto const colon = text.rfind(':');
    if (colon == std::string_view::npos)
        bad_address(text, "no port");
    auto host = text.substr(0, colon);
    auto const port_text = text.substr(colon + 1);
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || p != port_text.data() + port_text.size() || port > 65535)
        bad_address(text, "the port is not a number from 0 to 65535");
    if (host.starts_with('[') && host.ends_with(']'))
        host = host.substr(1, host.size() - 2);
    else if (host.find(':') != std::string_view::npos)
        bad_address(text, "write an IPv6 address in brackets ([::1]:9100)");
    listen_address out{std::string(host), static_cast<std::uint16_t>(port)};
    if (out.host == "localhost")
        out.host = "127.0.0.1";
    if (!out.host.empty())
    {
        error_code aec;
        asio::ip::make_address(out.host, aec);
        if (aec)
            bad_address(text, "HOST must be an IP address, localhost, or empty (every interface)");
    }
    return out;
}

struct metrics_server::impl
{
    impl(executor ex, renderer r) : acceptor(ex), render(std::move(r)), sessions(ex) {}

    tcp::acceptor acceptor;
    renderer render;
    task_group sessions;
    std::list<beast::tcp_stream*> open; // closed by close()
    bool closed = false;
};

namespace
{

task<bhttp::response<bhttp::string_body>> answer(std::shared_ptr<metrics_server::impl> self,
                                                 bhttp::request<bhttp::string_body> req)
{
    bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
    res.set(bhttp::field::server, "weft");
    res.keep_alive(req.keep_alive());
    auto const target = std::string_view(req.target());
    auto const path = target.substr(0, target.find('?'));
    if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head)
    {
        res.result(bhttp::status::method_not_allowed);
        res.set(bhttp::field::allow, "GET, HEAD");
        res.body() = "only GET /metrics is served\n";
    }
    else if (path != "/metrics")
    {
        res.result(bhttp::status::not_found);
        res.body() = "not found; the metrics are at /metrics\n";
    }
    else
    {
        try
        {
            res.body() = co_await self->render();
            res.set(bhttp::field::content_type, content_type);
        }
        catch (std::exception const& e)
        {
            res.result(bhttp::status::internal_server_error);
            res.body() = std::string("cannot read the crawl's metrics: ") + e.what() + "\n";
        }
    }
    if (res.result() != bhttp::status::ok)
        res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
    res.prepare_payload();
    if (req.method() == bhttp::verb::head)
        res.body().clear(); // Content-Length stays that of the GET
    co_return res;
}

// One connection: requests answered in turn until the client closes or idles.
task<void> session(std::shared_ptr<metrics_server::impl> self, tcp::socket socket)
{
    beast::tcp_stream stream(std::move(socket));
    self->open.push_front(&stream);
    auto const mine = self->open.begin();
    beast::flat_buffer buffer;
    while (!self->closed)
    {
        bhttp::request<bhttp::string_body> req;
        stream.expires_after(idle_timeout);
        auto [ec, n] = co_await bhttp::async_read(stream, buffer, req, asio::as_tuple(asio::deferred));
        if (ec || self->closed)
            break;
        auto res = co_await answer(self, std::move(req));
        stream.expires_after(idle_timeout);
        bool const keep = res.keep_alive();
        auto [wec, w] = co_await bhttp::async_write(stream, res, asio::as_tuple(asio::deferred));
        if (wec || !keep)
            break;
    }
    self->open.erase(mine);
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

} // namespace

metrics_server::metrics_server(executor ex, listen_address const& where, renderer render)
    : impl_(std::make_shared<impl>(ex, std::move(render)))
{
    error_code ec;
    auto const address = where.host.empty() ? asio::ip::address(asio::ip::address_v4::any())
                                            : asio::ip::make_address(where.host, ec);
    tcp::endpoint const ep(address, where.port);
    auto const what = "cannot serve metrics on " + (where.host.empty() ? std::string("*") : where.host) + ":" +
                      std::to_string(where.port) + " (--metrics)";
    auto& a = impl_->acceptor;
    if (!ec)
        a.open(ep.protocol(), ec);
    if (!ec)
        a.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        a.bind(ep, ec);
    if (!ec)
        a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) // without the source location Asio attaches: the message is for a user
        throw_error(error_code(ec.value(), ec.category()), what);
}

metrics_server::~metrics_server()
{
    close();
}

tcp::endpoint metrics_server::local_endpoint() const
{
    return impl_->acceptor.local_endpoint();
}

std::string metrics_server::url() const
{
    auto ep = local_endpoint();
    auto host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    return "http://" + host + ":" + std::to_string(ep.port()) + "/metrics";
}

task<void> metrics_server::async_run()
{
    auto self = impl_;
    while (!self->closed)
    {
        auto [ec, socket] = co_await self->acceptor.async_accept(asio::as_tuple(asio::deferred));
        if (self->closed)
            break;
        if (ec) // out of descriptors, a connection reset before accept: keep serving, a little later
        {
            asio::steady_timer pause(self->acceptor.get_executor(), std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::as_tuple(asio::deferred));
            continue;
        }
        self->sessions.spawn(session(self, std::move(socket)));
    }
    co_await self->sessions.shutdown(std::chrono::seconds(1));
}

void metrics_server::close()
{
    auto& i = *impl_;
    if (i.closed)
        return;
    i.closed = true;
    error_code ignored;
    i.acceptor.close(ignored);
    for (auto* s : i.open)
        s->socket().close(ignored);
    i.sessions.cancel();
}

} // namespace weft::engine::detail
