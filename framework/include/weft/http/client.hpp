// weft::http::client: the everyday way to fetch: the default fetcher, one shared connection pool.
#pragma once

#include <weft/async/task.hpp>
#include <weft/http/fetcher.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace weft::http {

/// A failed fetch: code() compares equal to a weft::condition, what() names the method, the URL
/// and the cause ("GET http://x/: Connection refused").
class fetch_error : public system_error
{
public:
    fetch_error(error_code ec, std::string const& what) : system_error(ec, what) {}
};

/// The error for a response whose status is not the success a caller needed: 4xx equals
/// condition::client_error, 5xx condition::server_error.
error_code status_error(int status);

/// Fetches over one fetcher, and so one connection pool, made on first use on the executor
/// of the coroutine that first calls it (or given explicitly).
///
///     weft::http::client client;
///     auto res = co_await client.async_get("https://example.org/");   // throws fetch_error
///
/// @par Errors
/// Every async_* throws fetch_error for transport failures; 4xx/5xx are responses.
///
/// @par Per-Operation Cancellation
/// terminal: cancelling the awaiting coroutine aborts the transfer and closes its connection.
///
/// @par Thread Safety
/// Use a client from one executor only.
class client
{
public:
    /// The default fetcher ("curl" when linked in), created lazily.
    explicit client(fetch_options options = {}, std::string fetcher_name = {});
    /// A client over a fetcher made elsewhere.
    explicit client(std::unique_ptr<http::fetcher> fetcher);
    client(client&&) noexcept;
    client& operator=(client&&) noexcept;
    ~client();

    task<response> async_get(std::string url);
    task<response> async_fetch(request req);
    /// Fetches `req` and streams its body into `path` (written to `path.part`, renamed on
    /// success, removed on failure). The response's body is empty. Fails with fetch_error on
    /// transport errors and on a status outside 2xx, since a file of an error page is no download.
    task<response> async_download(request req, std::filesystem::path path);

    /// The fetcher, made on `ex` if it does not exist yet.
    http::fetcher& get_fetcher(executor ex);

private:
    fetch_options options_;
    std::string fetcher_name_;
    std::unique_ptr<http::fetcher> fetcher_;
};

} // namespace weft::http
