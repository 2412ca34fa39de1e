// weft::http::fetch_options: limits, timeouts and TLS settings a fetcher applies to every request.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace weft::http {

using namespace std::chrono_literals;

/// Size limits. A response over any of them fails with the matching weft::error
/// (condition::limit); nothing over the limit is buffered.
struct fetch_limits
{
    std::size_t max_body_size = 64u << 20;          ///< bytes on the wire (after transfer decoding)
    /// Bytes after Content-Encoding is undone; a crawl sets it to its max_body_size setting.
    std::size_t max_decompressed_size = 64u << 20;
    std::size_t max_header_size = 64u << 10;        ///< the whole header block
    int max_redirects = 10;                         ///< 0 refuses every redirect
};

/// Timeouts. Zero disables one. Each expiry fails with an error equal to condition::timeout.
struct fetch_timeouts
{
    std::chrono::milliseconds connect = 10s; ///< DNS + TCP + TLS handshake
    std::chrono::milliseconds total = 60s;   ///< the whole transfer, redirects included
    std::chrono::milliseconds idle = 30s;    ///< no byte received for this long
};

/// Settings of one fetcher instance (and so of its connection pool).
struct fetch_options
{
    fetch_limits limits;
    fetch_timeouts timeouts;
    bool verify_tls = true;            ///< verify certificates and host names (on by default)
    std::string ca_file;               ///< extra CA bundle (PEM); empty: the system's
    std::string proxy;                 ///< "http://host:port", "socks5://host:port"; empty: none
    std::string user_agent = "weft/0.1 (+https://github.com/weft)";
    bool http2 = true;                 ///< negotiate HTTP/2 over TLS where the fetcher can
    bool follow_redirects = true;
    bool decompress = true;            ///< send Accept-Encoding and decode the body
    std::size_t max_connections_per_host = 8;
    std::size_t max_connections = 256;
};

} // namespace weft::http
