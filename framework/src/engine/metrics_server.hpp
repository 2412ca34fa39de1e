// The `--metrics HOST:PORT` endpoint: a small HTTP/1.1 server on the crawl's executor that
// answers GET /metrics with the text a callback renders (metrics_text.hpp), 404 for any other
// path, 405 for another method. Connections are kept alive (Prometheus scrapes reuse them); a
// client that sends nothing for 30 s is closed.
//
// @par Errors
// The constructor throws weft::system_error naming the address when it cannot listen (in use,
// not a local address, a privileged port); a scrape whose rendering throws gets a 500 with the
// message.
//
// @par Lifetimes
// async_run returns after close(), once the connections ended (at most a second later); the
// render callback is not called after async_run returned.
#pragma once

#include <weft/async/task.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace weft::engine::detail
{

/// Where to listen: an IP address ("" for every interface) and a port (0: one the OS picks).
struct listen_address
{
    std::string host;
    std::uint16_t port = 0;
};

/// Parses "HOST:PORT": an IPv4 address, "[IPv6]", "localhost", or nothing before the colon (every
/// interface); a port from 0 to 65535. @throws std::invalid_argument saying what is expected.
listen_address parse_listen_address(std::string_view text);

class metrics_server
{
public:
    using renderer = std::function<task<std::string>()>;

    /// Binds and listens at once (so a bad address fails before the crawl starts).
    metrics_server(executor ex, listen_address const& where, renderer render);
    ~metrics_server();
    metrics_server(metrics_server const&) = delete;
    metrics_server& operator=(metrics_server const&) = delete;

    /// The bound address (the real port when 0 was asked).
    asio::ip::tcp::endpoint local_endpoint() const;
    /// "http://127.0.0.1:PORT/metrics".
    std::string url() const;
    /// Accepts and serves connections until close().
    task<void> async_run();
    /// Stops accepting and closes the connections.
    void close();

    struct impl; // metrics_server.cpp's; shared with the connections it serves

private:
    std::shared_ptr<impl> impl_;
};

} // namespace weft::engine::detail
