// The Beast fetcher's connections and their pool (beast_fetcher::impl), shared by its sources:
// transfer.cpp (one fetch), pool.cpp (the pool), beast_fetcher.cpp (the fetcher).
#pragma once

#include <weft/fetch_beast/beast_fetcher.hpp>

#include <weft/http/proxy.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/url.hpp>

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace weft::http
{
namespace beast_detail
{

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
namespace urls = boost::urls;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// An idle connection older than this is closed rather than reused: servers drop idle
// connections after 5 to 60 s, and a request on one they just dropped costs a retry.
constexpr auto max_idle_age = std::chrono::seconds(30);

inline std::chrono::microseconds since(steady::time_point t)
{
    return std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - t);
}

inline std::string describe_ms(milliseconds d)
{
    return describe_duration(d);
}

/// One TCP (or TLS over TCP) connection to one (scheme, host, port), with its read buffer.
struct connection
{
    connection(executor ex, std::string k, ssl::context* tls_ctx) : key(std::move(k))
    {
        if (tls_ctx)
            tls.emplace(ex, *tls_ctx);
        else
            plain.emplace(ex);
    }

    std::string key;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;
    bool connected = false;
    steady::time_point idle_since;

    beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

    /// Calls f with the stream requests go through (TLS or plain); both return the same type.
    template <class F>
    auto with_stream(F&& f)
    {
        return tls ? f(*tls) : f(*plain);
    }

    void close()
    {
        error_code ignored;
        tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
        tcp().close();
    }

    /// Whether an idle connection can carry a request: open, not closed by the server, and
    /// without unsolicited bytes (which would be a close_notify or garbage).
    bool looks_reusable()
    {
        auto& s = tcp().socket();
        if (!s.is_open() || buffer.size() != 0)
            return false;
        char c;
        auto const n = ::recv(s.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
};

class transfer;

} // namespace beast_detail

/// The pool and everything transfers share; transfers hold it, so it outlives the fetcher.
struct beast_fetcher::impl
{
    struct host
    {
        std::vector<std::shared_ptr<beast_detail::connection>> idle; // most recently used last
        std::size_t open = 0;                          // idle + in use + connecting
    };

    impl(executor e, fetch_options const& o);

    std::shared_ptr<beast_detail::connection> take_idle(std::string const& key);
    bool reserve(std::string const& key);
    void release(std::shared_ptr<beast_detail::connection> c, bool reusable);
    void drop(beast_detail::connection& c);
    void wake_waiters();
    void shutdown();

    executor ex;
    fetch_options opts;
    std::optional<boost::asio::ssl::context> tls_ctx; // empty when it could not be set up: tls_error says why
    std::string tls_error;
    std::map<std::string, host> hosts;
    std::size_t open = 0;
    std::size_t idle = 0;
    std::set<beast_detail::transfer*> active;
    std::list<beast_detail::transfer*> waiters; // transfers waiting for a connection, in arrival order
};

} // namespace weft::http
