#include "support/test_server.hpp"

#include "support/compress.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_cert.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

namespace weft::test
{
namespace
{

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using namespace std::chrono_literals;

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view s, bool plus_is_space)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i)
    {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0)
        {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        }
        else if (plus_is_space && s[i] == '+')
            out += ' ';
        else
            out += s[i];
    }
    return out;
}

std::multimap<std::string, std::string> parse_query(std::string_view q)
{
    std::multimap<std::string, std::string> out;
    while (!q.empty())
    {
        auto const amp = q.find('&');
        auto const part = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
        if (part.empty())
            continue;
        auto const eq = part.find('=');
        out.emplace(percent_decode(part.substr(0, eq), true),
                    eq == std::string_view::npos ? std::string{} : percent_decode(part.substr(eq + 1), true));
    }
    return out;
}

std::size_t size_param(received_request const& req, std::string_view name, std::size_t fallback)
{
    auto const v = req.param(name);
    if (v.empty())
        return fallback;
    try
    {
        return static_cast<std::size_t>(std::stoull(v));
    }
    catch (std::exception const&)
    {
        return fallback;
    }
}

char pattern_byte(std::size_t i)
{
    static constexpr std::string_view alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    return alphabet[(i + i / alphabet.size()) % alphabet.size()];
}

std::string pattern_piece(std::size_t offset, std::size_t n)
{
    std::string out(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        out[i] = pattern_byte(offset + i);
    return out;
}

std::string_view content_type_for(std::filesystem::path const& p)
{
    static std::map<std::string, std::string_view, std::less<>> const types = {
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".txt", "text/plain; charset=utf-8"},
        {".css", "text/css"},
        {".js", "application/javascript"},
        {".json", "application/json"},
        {".xml", "application/xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".svg", "image/svg+xml"},
        {".pdf", "application/pdf"},
        {".gz", "application/gzip"},
    };
    auto it = types.find(p.extension().string());
    return it == types.end() ? std::string_view("application/octet-stream") : it->second;
}

// The head of a response; Content-Length is added unless `length` is empty.
std::string render_head(int status, http::headers const& h, std::optional<std::size_t> length, bool close)
{
    auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
    out += "Server: weft-test\r\n";
    for (auto const& [k, v] : h)
        out += k + ": " + v + "\r\n";
    if (length && !h.contains("Transfer-Encoding") && !h.contains("Content-Length"))
        out += "Content-Length: " + std::to_string(*length) + "\r\n";
    if (close)
        out += "Connection: close\r\n";
    out += "\r\n";
    return out;
}

// /cookie-page: each `set` parameter a Set-Cookie (any Domain, foreign ones included).
http::headers cookie_page_headers(received_request const& req)
{
    http::headers h;
    h.add("Content-Type", "text/html; charset=utf-8");
    auto [first, last] = req.query.equal_range("set");
    for (auto it = first; it != last; ++it)
        h.add("Set-Cookie", it->second);
    return h;
}

// /cookie-page: the Cookie header received in <p id="cookie">, a link for each `link` parameter.
std::string cookie_page_body(received_request const& req)
{
    auto const cookie = req.headers.get("Cookie");
    std::string body = "<!DOCTYPE html><html><body><p id=\"cookie\">" + std::string(cookie ? *cookie : "") + "</p>\n";
    auto [first, last] = req.query.equal_range("link");
    for (auto it = first; it != last; ++it)
        body += "<a href=\"" + it->second + "\">next</a>\n";
    return body + "</body></html>\n";
}

bool bodyless_status(int status)
{
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

} // namespace

std::string received_request::param(std::string_view name, std::string_view fallback) const
{
    auto it = query.find(std::string(name));
    return it == query.end() ? std::string(fallback) : it->second;
}

std::string test_server::pattern_body(std::size_t n)
{
    return pattern_piece(0, n);
}

struct test_server::impl
{
    options opts;

    mutable std::mutex mutex; // guards the members up to `io`
    std::map<std::string, std::size_t, std::less<>> counts;
    std::size_t site_in_flight = 0; // /site/ requests being answered now
    std::size_t site_max_in_flight = 0;
    std::map<std::string, received_request, std::less<>> last;
    std::size_t total = 0;
    std::size_t accepted = 0;
    std::size_t open = 0;
    std::set<int> fds; // open connections' sockets, touched only on the server thread
    std::map<std::string, handler, std::less<>> handlers;
    std::filesystem::path root;
    std::map<std::size_t, std::shared_ptr<std::string const>> bombs;

    std::unique_ptr<temp_dir> cert_dir;
    std::filesystem::path ca_file;
    std::optional<asio::ssl::context> ssl;

    // Declared after the state above so that its destruction (which destroys any coroutine
    // still suspended) happens while that state is alive; the acceptor goes first.
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    unsigned short port = 0;
    std::thread thread;

    explicit impl(options o) : opts(std::move(o)), root(opts.root) {}

    void record(received_request const& req)
    {
        std::lock_guard lock(mutex);
        ++counts[req.path];
        ++total;
        last[req.path] = req;
    }

    std::optional<handler> find_handler(std::string_view path) const
    {
        std::lock_guard lock(mutex);
        if (auto it = handlers.find(path); it != handlers.end())
            return it->second;
        return std::nullopt;
    }

    std::shared_ptr<std::string const> bomb(std::size_t mb)
    {
        std::lock_guard lock(mutex);
        auto& p = bombs[mb];
        if (!p)
            p = std::make_shared<std::string const>(gzip_zeros(mb << 20));
        return p;
    }

    awaitable<void> accept_loop();
    template <class Stream>
    awaitable<void> serve(Stream stream);
    template <class Stream>
    awaitable<void> session(Stream& stream);
    template <class Stream>
    awaitable<bool> respond(Stream& stream, received_request const& req, bool keep_alive);
    template <class Stream, class Simple>
    awaitable<bool> site_page(Stream& stream, received_request const& req, Simple& simple);
};

namespace
{

template <class Stream>
awaitable<void> write(Stream& stream, std::string_view data)
{
    co_await asio::async_write(stream, asio::buffer(data.data(), data.size()), use_awaitable);
}

// Waits for `d` (forever when empty) while watching the socket: returns true as soon as the peer
// closes or resets the connection, false when the time is up. Readability is polled with
// MSG_PEEK so no byte is consumed; once unread data is pending (a pipelined request, a TLS
// close_notify) the peer can no longer be watched and this just sleeps.
template <class Stream>
awaitable<bool> sleep_watching(Stream& stream, std::optional<std::chrono::milliseconds> d)
{
    namespace ex = asio::experimental;
    auto& sock = beast::get_lowest_layer(stream);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    if (d)
        timer.expires_after(*d);
    else
        timer.expires_at(asio::steady_timer::time_point::max());
    for (;;)
    {
        auto [order, timer_ec, wait_ec] =
            co_await ex::make_parallel_group(timer.async_wait(asio::deferred),
                                             sock.async_wait(tcp::socket::wait_read, asio::deferred))
                .async_wait(ex::wait_for_one(), use_awaitable);
        if (order[0] == 0)
            co_return false;
        if (wait_ec)
            co_return true;
        char c;
        auto const n = ::recv(sock.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            co_return true;
        if (n > 0)
        {
            co_await timer.async_wait(asio::as_tuple(use_awaitable));
            co_return false;
        }
    }
}

template <class Stream>
void close_now(Stream& stream, bool reset)
{
    auto& sock = beast::get_lowest_layer(stream);
    boost::system::error_code ec;
    if (reset)
        sock.set_option(asio::socket_base::linger(true, 0), ec);
    else
        sock.shutdown(tcp::socket::shutdown_send, ec);
    sock.close(ec);
}

// Writes pattern bytes [offset, offset + n) in pieces, so a large body is never built whole.
template <class Stream>
awaitable<void> write_pattern(Stream& stream, std::size_t offset, std::size_t n, bool chunked)
{
    constexpr std::size_t piece = 64 * 1024;
    for (std::size_t done = 0; done < n;)
    {
        auto const k = std::min(piece, n - done);
        auto data = pattern_piece(offset + done, k);
        if (chunked)
        {
            std::ostringstream size;
            size << std::hex << k << "\r\n";
            data = size.str() + data + "\r\n";
        }
        co_await write(stream, data);
        done += k;
    }
    if (chunked)
        co_await write(stream, "0\r\n\r\n");
}

} // namespace

awaitable<void> test_server::impl::accept_loop()
{
    for (;;)
    {
        auto [ec, sock] = co_await acceptor.async_accept(asio::as_tuple(use_awaitable));
        if (ec)
        {
            if (!acceptor.is_open() || ec == asio::error::operation_aborted)
                co_return;
            asio::steady_timer pause(acceptor.get_executor(), 10ms); // EMFILE and friends: no busy loop
            co_await pause.async_wait(asio::as_tuple(use_awaitable));
            continue;
        }
        boost::system::error_code ignored;
        sock.set_option(tcp::no_delay(true), ignored);
        {
            std::lock_guard lock(mutex);
            ++accepted;
            ++open;
            fds.insert(sock.native_handle());
        }
        auto done = [](std::exception_ptr) {}; // serve() handles its own errors
        if (ssl)
            asio::co_spawn(acceptor.get_executor(), serve(asio::ssl::stream<tcp::socket>(std::move(sock), *ssl)), done);
        else
            asio::co_spawn(acceptor.get_executor(), serve(std::move(sock)), done);
    }
}

template <class Stream>
awaitable<void> test_server::impl::serve(Stream stream)
{
    struct open_guard
    {
        impl& self;
        int fd;
        ~open_guard()
        {
            std::lock_guard lock(self.mutex);
            --self.open;
            self.fds.erase(fd);
        }
    } guard{*this, beast::get_lowest_layer(stream).native_handle()};

    try
    {
        if constexpr (!std::is_same_v<Stream, tcp::socket>)
            co_await stream.async_handshake(asio::ssl::stream_base::server, use_awaitable);
        co_await session(stream);
    }
    catch (std::exception const&)
    {
        // The client went away or sent garbage: drop the connection, keep serving others.
    }
    boost::system::error_code ec;
    beast::get_lowest_layer(stream).close(ec);
}

template <class Stream>
awaitable<void> test_server::impl::session(Stream& stream)
{
    beast::flat_buffer buffer;
    for (;;)
    {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(1u << 20);
        parser.body_limit(256u << 20);
        auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, asio::as_tuple(use_awaitable));
        if (ec)
            co_return; // end of stream, reset, garbage
        if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue"))
            co_await write(stream, "HTTP/1.1 100 Continue\r\n\r\n");
        if (!parser.is_done())
            co_await bhttp::async_read(stream, buffer, parser, use_awaitable);

        auto const& msg = parser.get();
        received_request req;
        req.method = std::string(msg.method_string());
        req.target = std::string(msg.target());
        if (req.target.starts_with("http://"))
        {
            auto const path_start = std::min(req.target.find('/', 7), req.target.size());
            req.proxied_for = req.target.substr(0, path_start);
            req.target = path_start < req.target.size() ? req.target.substr(path_start) : "/";
        }
        auto const q = req.target.find('?');
        req.path = percent_decode(std::string_view(req.target).substr(0, q), false);
        if (q != std::string::npos)
            req.query = parse_query(std::string_view(req.target).substr(q + 1));
        for (auto const& f : msg)
            req.headers.add(std::string(f.name_string()), std::string(f.value()));
        req.body = msg.body();
        record(req);

        bool const keep_alive = msg.keep_alive();
        if (!co_await respond(stream, req, keep_alive) || !keep_alive)
        {
            close_now(stream, false);
            co_return;
        }
    }
}

// /site/<i>?n=N&ms=M&fan=F: page i of a site of N pages, answered after M ms, linking to the
// F pages (i F + 1 ... i F + F) mod N and to page 0, with one item (<p class="item">).
// Counts the /site/ requests in flight, to check a crawler's concurrency on the host.
template <class Stream, class Simple>
awaitable<bool> test_server::impl::site_page(Stream& stream, received_request const& req, Simple& simple)
{
    auto const n = std::max<std::size_t>(1, size_param(req, "n", 100));
    auto const ms = size_param(req, "ms", 0);
    auto const fan = size_param(req, "fan", 3);
    auto const i = std::strtoull(req.path.c_str() + 6, nullptr, 10) % n;
    {
        std::lock_guard lock(mutex);
        site_max_in_flight = std::max(site_max_in_flight, ++site_in_flight);
    }
    struct leave
    {
        impl* self;
        ~leave()
        {
            std::lock_guard lock(self->mutex);
            --self->site_in_flight;
        }
    } on_exit{this};
    if (ms > 0 && co_await sleep_watching(stream, std::chrono::milliseconds(ms)))
        co_return false;
    auto const query = "?n=" + std::to_string(n) + "&ms=" + std::to_string(ms) + "&fan=" + std::to_string(fan);
    std::string body = "<!DOCTYPE html>\n<html><head><title>page " + std::to_string(i) + "</title></head><body>\n";
    body += "<p class=\"item\">item " + std::to_string(i) + "</p>\n<a href=\"/site/0" + query + "\">home</a>\n";
    for (std::size_t k = 1; k <= fan; ++k)
        body += "<a href=\"/site/" + std::to_string((i * fan + k) % n) + query + "\">next</a>\n";
    body += "</body></html>\n";
    http::headers h;
    h.add("Content-Type", "text/html; charset=utf-8");
    co_return co_await simple(200, std::move(h), body);
}

// Answers one request; returns whether the connection may serve another.
template <class Stream>
awaitable<bool> test_server::impl::respond(Stream& stream, received_request const& req, bool keep_alive)
{
    bool const head = req.method == "HEAD";
    auto const& path = req.path;

    auto simple = [&](int status, http::headers h, std::string_view body) -> awaitable<bool>
    {
        bool const no_body = head || bodyless_status(status);
        std::string out =
            render_head(status, h, bodyless_status(status) ? std::nullopt : std::optional(body.size()), !keep_alive);
        if (!no_body)
            out += body;
        co_await write(stream, out);
        co_return true;
    };
    auto text = [&](int status, std::string_view body) -> awaitable<bool>
    {
        http::headers h;
        h.add("Content-Type", "text/plain; charset=utf-8");
        co_return co_await simple(status, std::move(h), body);
    };
    auto starts_with = [&](std::string_view prefix) { return path.starts_with(prefix); };

    if (auto h = find_handler(path))
    {
        canned_response res;
        try
        {
            res = (*h)(req);
        }
        catch (std::exception const& e)
        {
            res = canned_response{};
            res.status = 500;
            res.body = std::string("handler threw: ") + e.what();
        }
        co_return co_await simple(res.status, std::move(res.headers), res.body);
    }

    if (starts_with("/status/"))
    {
        int status = 0;
        try
        {
            status = std::stoi(path.substr(8));
        }
        catch (std::exception const&)
        {
        }
        if (status < 100 || status > 999)
            co_return co_await text(400, "bad status");
        co_return co_await text(status, "status " + std::to_string(status));
    }
    if (path == "/echo")
    {
        nlohmann::json j;
        j["method"] = req.method;
        j["target"] = req.target;
        j["path"] = req.path;
        j["query"] = nlohmann::json::object();
        for (auto const& [k, v] : req.query)
            j["query"][k] = v;
        j["headers"] = nlohmann::json::object();
        for (auto const& [k, v] : req.headers)
        {
            std::string name = k;
            for (auto& c : name)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            auto& slot = j["headers"][name];
            slot = slot.is_null() ? v : slot.get<std::string>() + ", " + v;
        }
        j["body"] = req.body;
        http::headers h;
        h.add("Content-Type", "application/json");
        co_return co_await simple(200, std::move(h), j.dump());
    }
    if (path == "/headers")
    {
        http::headers h;
        for (auto const& [k, v] : req.query)
            h.add(k, v);
        if (!h.contains("Content-Type"))
            h.add("Content-Type", "text/plain; charset=utf-8");
        co_return co_await simple(200, std::move(h), "ok");
    }
    if (starts_with("/redirect/") || starts_with("/redirect-relative/"))
    {
        bool const relative = starts_with("/redirect-relative/");
        auto const n = std::atoi(path.substr(path.rfind('/') + 1).c_str());
        if (n <= 0)
            co_return co_await text(200, "redirect done");
        http::headers h;
        h.add("Location", relative ? "./" + std::to_string(n - 1) : "/redirect/" + std::to_string(n - 1));
        co_return co_await simple(302, std::move(h), "");
    }
    if (path == "/redirect-to")
    {
        http::headers h;
        h.add("Location", req.param("url", "/"));
        co_return co_await simple(static_cast<int>(size_param(req, "status", 302)), std::move(h), "");
    }
    if (path == "/redirect-loop")
    {
        http::headers h;
        h.add("Location", "/redirect-loop");
        co_return co_await simple(302, std::move(h), "");
    }
    if (path == "/slow-headers")
    {
        if (co_await sleep_watching(stream, std::chrono::milliseconds(size_param(req, "ms", 1000))))
            co_return false;
        co_return co_await text(200, "slow");
    }
    if (path == "/slow-body")
    {
        auto const bytes = size_param(req, "bytes", 10);
        auto const ms = std::chrono::milliseconds(size_param(req, "ms", 100));
        auto const chunks = std::max<std::size_t>(1, std::min(bytes, size_param(req, "chunks", bytes)));
        co_await write(stream, render_head(200, {}, bytes, !keep_alive));
        for (std::size_t i = 0, sent = 0; i < chunks; ++i)
        {
            auto const k = i + 1 == chunks ? bytes - sent : bytes / chunks;
            if (co_await sleep_watching(stream, ms))
                co_return false;
            co_await write(stream, pattern_piece(sent, k));
            sent += k;
        }
        co_return true;
    }
    if (path == "/stall")
    {
        auto const after = size_param(req, "after", 100);
        auto const total = std::max(after + 1, size_param(req, "total", after + 1000));
        co_await write(stream, render_head(200, {}, total, false) + pattern_piece(0, after));
        co_await sleep_watching(stream, std::nullopt);
        co_return false;
    }
    if (path == "/never")
    {
        co_await sleep_watching(stream, std::nullopt);
        co_return false;
    }
    if (path == "/reset")
    {
        auto const after = size_param(req, "after", 0);
        auto const whole = render_head(200, {}, 100000, false) + pattern_piece(0, 100000);
        if (after > 0)
            co_await write(stream, std::string_view(whole).substr(0, std::min(after, whole.size())));
        close_now(stream, true);
        co_return false;
    }
    if (path == "/close-mid-body")
    {
        auto const n = std::max<std::size_t>(2, size_param(req, "n", 1000));
        co_await write(stream, render_head(200, {}, n, false) + pattern_piece(0, n / 2));
        close_now(stream, false);
        co_return false;
    }
    if (path == "/malformed-status")
    {
        co_await write(stream, "HTTP/1.1 twohundred OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        co_return false;
    }
    if (path == "/http09")
    {
        // HTTP/0.9: the body and nothing else, the end marked by the close.
        co_await write(stream, req.param("body", "<html>no status line</html>"));
        co_return false;
    }
    if (path == "/trickle-headers")
    {
        // The head in pieces of `step` bytes, `ms` apart, then a short body (slowloris in reverse).
        auto const step = std::max<std::size_t>(1, size_param(req, "step", 1));
        auto const ms = std::chrono::milliseconds(size_param(req, "ms", 20));
        http::headers h;
        h.add("Content-Type", "text/plain; charset=utf-8");
        h.add("X-Trickled", "yes");
        auto const whole = render_head(200, h, 8, !keep_alive) + "trickled";
        std::string_view rest = whole;
        for (auto head_left = whole.size() - 8; head_left > 0;)
        {
            auto const n = std::min(step, head_left);
            co_await write(stream, rest.substr(0, n));
            rest.remove_prefix(n);
            head_left -= n;
            if (co_await sleep_watching(stream, ms))
                co_return false;
        }
        co_await write(stream, rest);
        co_return keep_alive;
    }
    if (path == "/cookie-page")
        co_return co_await simple(200, cookie_page_headers(req), cookie_page_body(req));
    if (path == "/malformed-header")
    {
        co_await write(stream, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nthis line has no colon\r\n"
                               "Connection: close\r\n\r\nok");
        co_return false;
    }
    if (path == "/malformed-chunked")
    {
        co_await write(stream, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                               "zz\r\nhello\r\n0\r\n\r\n");
        co_return false;
    }
    if (path == "/huge-headers")
    {
        auto const target = size_param(req, "kb", 100) * 1024;
        http::headers h;
        std::size_t size = 0;
        std::string const value(1000, 'x');
        for (int i = 0; size < target; ++i)
        {
            auto name = "X-Filler-" + std::to_string(i);
            size += name.size() + value.size() + 4;
            h.add(std::move(name), value);
        }
        co_return co_await simple(200, std::move(h), "ok");
    }
    if (path == "/huge-header-line")
    {
        // One header field of kb KiB: over curl's own limit for a line (100 KiB), which it reports
        // as "out of memory".
        auto const n = size_param(req, "kb", 1024) * 1024;
        auto const reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Huge: " + std::string(n, 'x') +
                           "\r\nConnection: close\r\n\r\nok";
        co_await write(stream, reply);
        co_return false;
    }
    if (path == "/bytes" || path == "/big")
    {
        auto const n = size_param(req, "n", size_param(req, "bytes", path == "/big" ? 16u << 20 : 1000));
        bool const chunked = req.param("chunked") == "1";
        bool const length = req.param("length", "1") != "0";
        http::headers h;
        h.add("Content-Type", "application/octet-stream");
        if (chunked)
            h.add("Transfer-Encoding", "chunked");
        bool const close = !keep_alive || (!chunked && !length);
        co_await write(stream, render_head(200, h, chunked || !length ? std::nullopt : std::optional(n), close));
        if (!head)
            co_await write_pattern(stream, 0, n, chunked);
        co_return !close;
    }
    if (path == "/gzip" || path == "/deflate" || path == "/br" || path == "/zstd")
    {
        auto const plain = pattern_piece(0, size_param(req, "n", 10000));
        http::headers h;
        h.add("Content-Type", "text/plain; charset=utf-8");
        std::string body;
        if (path == "/gzip")
            body = gzip(plain), h.add("Content-Encoding", "gzip");
        else if (path == "/deflate")
            body = deflate_zlib(plain), h.add("Content-Encoding", "deflate");
        else if (path == "/br")
            body = brotli(plain), h.add("Content-Encoding", "br");
        else
            body = zstd(plain), h.add("Content-Encoding", "zstd");
        h.add("Vary", "Accept-Encoding");
        co_return co_await simple(200, std::move(h), body);
    }
    if (path == "/gzip-bomb")
    {
        auto const body = bomb(size_param(req, "mb", 64));
        http::headers h;
        h.add("Content-Type", "application/octet-stream");
        h.add("Content-Encoding", "gzip");
        co_return co_await simple(200, std::move(h), *body);
    }
    if (starts_with("/site/"))
        co_return co_await site_page(stream, req, simple);
    if (path == "/html")
    {
        auto const title = req.param("title", "weft test page");
        auto const links = size_param(req, "links", 3);
        std::string body = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title +
                           "</title></head>\n<body><h1>" + title + "</h1>\n<ul>\n";
        for (std::size_t i = 0; i < links; ++i)
            body += "<li><a class=\"link\" href=\"/html?page=" + std::to_string(i) + "\">page " + std::to_string(i) +
                    "</a></li>\n";
        body += "</ul>\n<p class=\"page\">" + req.param("page", "index") + "</p>\n</body></html>\n";
        http::headers h;
        h.add("Content-Type", "text/html; charset=utf-8");
        co_return co_await simple(200, std::move(h), body);
    }

    std::filesystem::path dir;
    {
        std::lock_guard lock(mutex);
        dir = root;
    }
    if (!dir.empty() && path.find("..") == std::string::npos)
    {
        auto file = dir / std::filesystem::path(path).relative_path();
        std::error_code ec;
        if (std::filesystem::is_directory(file, ec))
            file /= "index.html";
        if (std::filesystem::is_regular_file(file, ec))
        {
            std::ifstream in(file, std::ios::binary);
            std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            http::headers h;
            h.add("Content-Type", std::string(content_type_for(file)));
            co_return co_await simple(200, std::move(h), body);
        }
    }
    co_return co_await text(404, "not found: " + path);
}

test_server::test_server() : test_server(options{}) {}

test_server::test_server(options opts) : impl_(std::make_unique<impl>(std::move(opts)))
{
    auto& s = *impl_;
    if (s.opts.tls)
    {
        auto const cert = make_self_signed_cert();
        s.cert_dir = std::make_unique<temp_dir>();
        s.ca_file = *s.cert_dir / "ca.pem";
        std::ofstream(s.ca_file) << cert.cert_pem;
        s.ssl.emplace(asio::ssl::context::tls_server);
        s.ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3);
        s.ssl->use_certificate_chain(asio::buffer(cert.cert_pem));
        s.ssl->use_private_key(asio::buffer(cert.key_pem), asio::ssl::context::pem);
    }
    tcp::endpoint const ep(asio::ip::make_address("127.0.0.1"), 0);
    s.acceptor.open(ep.protocol());
    s.acceptor.set_option(tcp::acceptor::reuse_address(true));
    s.acceptor.bind(ep);
    s.acceptor.listen(asio::socket_base::max_listen_connections);
    s.port = s.acceptor.local_endpoint().port();
    asio::co_spawn(s.io, s.accept_loop(), [](std::exception_ptr) {});
    s.thread = std::thread(
        [&s]
        {
            for (;;)
            {
                try
                {
                    s.io.run();
                    return;
                }
                catch (std::exception const&)
                {
                    // A handler threw: keep serving (connections handle their own errors).
                }
            }
        });
}

test_server::~test_server()
{
    auto& s = *impl_;
    // Wake every waiting connection: closing the acceptor ends the accept loop, shutting the
    // sockets down makes each pending read or watch complete, so coroutines end on their own.
    asio::post(s.io,
               [&s]
               {
                   boost::system::error_code ec;
                   s.acceptor.close(ec);
                   std::lock_guard lock(s.mutex);
                   for (int fd : s.fds)
                       ::shutdown(fd, SHUT_RDWR);
               });
    wait_open_connections_at_most(0, 1s);
    s.io.stop();
    s.thread.join();
}

unsigned short test_server::port() const
{
    return impl_->port;
}
bool test_server::tls() const
{
    return impl_->opts.tls;
}

std::string test_server::url(std::string_view path) const
{
    std::string out = (tls() ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port());
    if (!path.starts_with('/'))
        out += '/';
    out += path;
    return out;
}

std::filesystem::path const& test_server::ca_file() const
{
    return impl_->ca_file;
}

std::size_t test_server::site_max_in_flight() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->site_max_in_flight;
}

std::size_t test_server::request_count(std::string_view path) const
{
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->counts.find(path);
    return it == impl_->counts.end() ? 0 : it->second;
}

std::size_t test_server::total_requests() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->total;
}

std::size_t test_server::connections_accepted() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->accepted;
}

std::size_t test_server::open_connections() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->open;
}

bool test_server::wait_open_connections_at_most(std::size_t n, std::chrono::milliseconds timeout) const
{
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    for (;;)
    {
        if (open_connections() <= n)
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(5ms);
    }
}

std::optional<http::headers> test_server::last_request_headers(std::string_view path) const
{
    if (auto r = last_request(path))
        return std::move(r->headers);
    return std::nullopt;
}

std::optional<received_request> test_server::last_request(std::string_view path) const
{
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->last.find(path);
    if (it == impl_->last.end())
        return std::nullopt;
    return it->second;
}

void test_server::reset_counters()
{
    std::lock_guard lock(impl_->mutex);
    impl_->counts.clear();
    impl_->last.clear();
    impl_->total = 0;
    impl_->accepted = 0;
}

void test_server::add_handler(std::string path, handler h)
{
    std::lock_guard lock(impl_->mutex);
    impl_->handlers[std::move(path)] = std::move(h);
}

void test_server::set_root(std::filesystem::path root)
{
    std::lock_guard lock(impl_->mutex);
    impl_->root = std::move(root);
}

unsigned short unused_port()
{
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    auto const port = a.local_endpoint().port();
    a.close();
    return port;
}

canned_response html_response(std::string body)
{
    canned_response r;
    r.headers.set("Content-Type", "text/html; charset=utf-8");
    r.body = std::move(body);
    return r;
}

} // namespace weft::test
