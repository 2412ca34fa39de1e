// weft::http::response: what a fetcher returns: status, headers, body, final URL and timings.
#pragma once

#include <weft/http/headers.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace weft::http {

/// Where the time of one transfer went, each measured from the start of the transfer.
/// A phase that did not happen (no TLS, a reused connection) is zero.
struct timing
{
    std::chrono::microseconds dns{};
    std::chrono::microseconds connect{};
    std::chrono::microseconds tls{};
    std::chrono::microseconds first_byte{};
    std::chrono::microseconds total{};
};

/// Requests a rendered page made itself, of one resource type: all of them, and those its
/// fetcher aborted (a --block type, the browser's own favicon or prefetch).
struct subresource_count
{
    std::uint64_t requested = 0; ///< blocked ones included
    std::uint64_t blocked = 0;
};

/// An HTTP response. 4xx and 5xx are responses, not errors: check status().
class response
{
public:
    int status = 0;
    std::string reason;
    http::headers headers;
    std::string body;              ///< decoded body; empty when it was streamed to a body_sink
    std::string url;               ///< as requested
    std::string final_url;         ///< after redirects
    std::string http_version;      ///< "1.0", "1.1" or "2"
    int redirects = 0;             ///< redirects followed
    std::uint64_t wire_bytes = 0;  ///< body bytes received before decoding
    http::timing timing;
    std::string error_detail;      ///< on failure: the fetcher's own words (curl's error buffer)
    /// A rendered page's own requests by resource type ("document", "script", "stylesheet",
    /// "image", "font", "xhr", "fetch", "other", ...), the page itself included; empty over HTTP.
    std::map<std::string, subresource_count> subresources;

    bool ok() const { return status >= 200 && status < 300; }
    /// The Content-Type's media type, lower-cased, without parameters ("text/html").
    std::string media_type() const;
    /// The Content-Type's charset parameter, lower-cased, or empty.
    std::string charset() const;
};

} // namespace weft::http
