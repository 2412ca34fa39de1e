// weft::http::curl_fetcher: the "curl" fetcher, libcurl's multi_socket interface on weft's loop.
//
// One libcurl multi handle per fetcher, driven by the fetcher's executor: a readiness wait per
// socket curl opens and one timer, so a thousand transfers cost no thread and no busy loop.
// HTTP/1.1 and HTTP/2 (over TLS, when fetch_options::http2), TLS verified by default,
// gzip/deflate/br/zstd decoding, keep-alive and multiplexing within the multi's connection pool,
// proxies, redirects, connect/total/idle timeouts and every fetch_limits size limit.
#pragma once

#include <weft/fetch_curl/curl_error.hpp>
#include <weft/http/fetcher.hpp>

#include <cstddef>
#include <memory>

namespace weft::http
{

/// A fetcher built on libcurl. Registered as "curl"; make one with make_fetcher("curl", ex, opts)
/// or directly.
///
/// @par Errors
/// A CURLcode in curl_error_category() (each equal to one weft::condition), or weft's own code
/// where one is exact: too_many_redirects, body_too_large (Content-Length or bytes received over
/// max_body_size), decompressed_too_large, header_too_large, bad_url, unsupported_scheme (only
/// http and https are fetched, redirects included), bad_content_encoding, bad_response (a reply
/// curl takes for HTTP/0.9). An idle timeout is CURLE_OPERATION_TIMEDOUT. An error returned by a
/// body_sink aborts the transfer and is the operation's error. response::error_detail holds
/// curl's error buffer or weft's own explanation.
///
/// @par Per-Operation Cancellation
/// terminal, partial and total: the easy handle is removed from the multi at once (closing its
/// connection if a response was in progress, so no half-read connection is reused) and the
/// operation completes with asio::error::operation_aborted.
///
/// @par Lifetimes
/// Completion handlers are always posted to the fetcher's executor, never called while libcurl
/// is on the stack. Destroying the fetcher completes every transfer in flight with
/// operation_aborted (the handlers run later on the executor) and closes every connection.
/// A body_sink's callbacks run inside libcurl's write callback: they may cancel operations but
/// must not destroy the fetcher.
class curl_fetcher final : public fetcher
{
public:
    curl_fetcher(executor ex, fetch_options const& opts);
    ~curl_fetcher() override;
    curl_fetcher(curl_fetcher const&) = delete;
    curl_fetcher& operator=(curl_fetcher const&) = delete;

    std::string_view name() const noexcept override { return "curl"; }
    executor get_executor() const override;
    fetch_options const& options() const noexcept override;
    void shutdown() override;

    /// Transfers started and not yet completed.
    std::size_t in_flight() const noexcept;
    /// Sockets libcurl has open now (in transfers and in the connection pool).
    std::size_t open_sockets() const noexcept;

protected:
    void async_fetch_impl(request req, body_sink* sink, asio::any_completion_handler<signature> handler) override;

private:
    class impl;
    std::shared_ptr<impl> impl_;
};

} // namespace weft::http
