// weft::http::beast_fetcher: an HTTP/1.1 fetcher on Boost.Beast, with a keep-alive pool per host.
#pragma once

#include <weft/http/fetcher.hpp>

#include <cstddef>
#include <memory>
#include <string_view>

namespace weft::http
{

/// Fetches over HTTP/1.1 with Boost.Beast, plain or TLS (OpenSSL through asio::ssl), registered
/// as "beast".
///
/// Connections are pooled per (scheme, host, port) and reused while the server keeps them alive;
/// at most fetch_options::max_connections_per_host per host and max_connections in all are open,
/// and requests over the limit wait for a connection in order. A connection that was cancelled,
/// timed out or whose response was not read to the end is closed, never pooled. A request sent
/// on a pooled connection the server had closed is retried once on a new one when its method is
/// idempotent.
///
/// Bodies: chunked transfer coding is undone by Beast; Content-Encoding gzip and deflate are
/// decoded while streaming (Accept-Encoding lists only those), with max_decompressed_size checked
/// as bytes come out of zlib. br and zstd are not supported: they are never requested, and a body
/// a server sends anyway is delivered as received.
///
/// Not supported: HTTP/2 (fetch_options::http2 is ignored) and proxies (fetch_options::proxy
/// must be empty, else every fetch fails with weft::error::unsupported_scheme).
///
/// @par Errors
/// As weft::http::fetcher. Timeouts complete with weft::error::timed_out; the size limits with
/// body_too_large, decompressed_too_large or header_too_large; a malformed response with
/// bad_response; a connection closed early with connection_closed; redirects with redirect_loop
/// or too_many_redirects; DNS, TCP and TLS failures with Asio's codes (conditions dns, network,
/// tls). response::error_detail says what failed, where, and after how long.
///
/// @par Per-Operation Cancellation
/// terminal (and partial, total): the socket is closed at once and the operation completes with
/// asio::error::operation_aborted.
///
/// @par Lifetime
/// The fetcher may be destroyed with transfers in flight: they are aborted as by shutdown() and
/// still complete (with operation_aborted) on the executor.
class beast_fetcher final : public fetcher
{
public:
    beast_fetcher(executor ex, fetch_options const& opts);
    ~beast_fetcher() override;
    beast_fetcher(beast_fetcher const&) = delete;
    beast_fetcher& operator=(beast_fetcher const&) = delete;

    std::string_view name() const noexcept override { return "beast"; }
    executor get_executor() const override;
    fetch_options const& options() const noexcept override;
    void shutdown() override;

    /// Connections open now: idle in the pool, in use, or being connected.
    std::size_t open_connections() const noexcept;
    /// Connections idle in the pool.
    std::size_t idle_connections() const noexcept;
    /// Transfers started and not yet completed.
    std::size_t transfers_in_flight() const noexcept;

    struct impl;

protected:
    void async_fetch_impl(request req, body_sink* sink, asio::any_completion_handler<signature> handler) override;

private:
    std::shared_ptr<impl> impl_;
};

} // namespace weft::http
