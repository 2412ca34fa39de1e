// weft::http::fetcher: the pluggable interface every HTTP fetcher (curl, Beast, Chromium) implements.
#pragma once

#include <weft/async/task.hpp>
#include <weft/error.hpp>
#include <weft/http/options.hpp>
#include <weft/http/request.hpp>
#include <weft/http/response.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include <string_view>

namespace weft::http {

/// Receives a response body as it arrives, instead of buffering it in response::body.
/// Callbacks run on the fetcher's executor and must not block for long.
class body_sink
{
public:
    virtual ~body_sink() = default;
    /// The final response's status and headers (after redirects), before any body byte.
    /// Return an error to abort the transfer with it.
    virtual error_code on_headers(response const& head) { return {}; }
    /// The next decoded body bytes. Return an error to abort the transfer with it.
    virtual error_code on_data(std::string_view chunk) = 0;
};

/// Fetches requests over one connection pool. Implementations live in plugins and are made by
/// name through make_fetcher().
///
/// @par Errors
/// The operation fails only for transport reasons (4xx/5xx are responses). On failure the
/// response still carries url, final_url and error_detail (the fetcher's own words).
/// Every error equals one weft::condition: timeout, network, dns, tls, limit, policy, ...
///
/// @par Per-Operation Cancellation
/// terminal: the transfer is aborted, its connection closed (never returned to the pool), and
/// the operation completes with asio::error::operation_aborted (condition::cancelled).
///
/// @par Thread Safety
/// One fetcher belongs to one executor; call it only from that executor.
class fetcher
{
public:
    using signature = void(error_code, response);

    virtual ~fetcher() = default;

    /// "curl", "beast", ...
    virtual std::string_view name() const noexcept = 0;
    virtual executor get_executor() const = 0;
    virtual fetch_options const& options() const noexcept = 0;

    /// Fetches `req`. With a `sink`, the body is streamed to it and response::body stays empty;
    /// the sink must outlive the operation.
    template <asio::completion_token_for<signature> Token = asio::deferred_t>
    auto async_fetch(request req, body_sink* sink = nullptr, Token&& token = {})
    {
        return asio::async_initiate<Token, signature>(
            [this](asio::any_completion_handler<signature> handler, request r, body_sink* s) {
                async_fetch_impl(std::move(r), s, std::move(handler));
            },
            token, std::move(req), sink);
    }

    /// Aborts every transfer in flight (they complete with operation_aborted) and closes idle
    /// connections. The fetcher stays usable.
    virtual void shutdown() = 0;

protected:
    virtual void async_fetch_impl(request req, body_sink* sink, asio::any_completion_handler<signature> handler) = 0;
};

/// A one-line description of a failed fetch for a user: "GET <url>: <cause> (<detail>)".
std::string describe_failure(request const& req, error_code ec, response const& res);

} // namespace weft::http
