// The state of a weft::redis::connection, shared by redis_client.cpp (requests, pipelining,
// reconnection) and redis_connect.cpp (connect, AUTH, SELECT). Private to the plugin.
#pragma once

#include "redis_client.hpp"
#include "redis_wire.hpp"

#include <weft/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <exception>
#include <memory>
#include <string>
#include <vector>

namespace weft::redis
{

namespace detail
{

/// state_unavailable: "redis at <address> unreachable (<why>)".
system_error unavailable(address const& where, std::string const& why);
/// state_refused: "redis at <address> <what>".
system_error refused(address const& where, std::string const& what);
/// state_refused for an error reply to a script, saying what to do about an out-of-memory Redis.
system_error script_refused(address const& where, std::string const& redis_message);
/// what() without the error code's own message appended by system_error.
std::string short_what(system_error const& e);

} // namespace detail

struct connection::impl : std::enable_shared_from_this<impl>
{
    using signature = void(std::exception_ptr, std::vector<reply>);

    /// One async_command or async_pipeline: its commands in RESP and its replies so far.
    struct request
    {
        // The handler is moved in by construction, never assigned: Boost 1.81's
        // any_completion_handler move assignment wraps `other` in a new handler that refers to
        // itself (fixed in 1.82), which recurses until the stack overflows.
        request(std::string w, std::size_t n, asio::any_completion_handler<signature> h)
            : wire(std::move(w)), expected(n), handler(std::move(h))
        {
        }

        std::string wire;
        std::size_t expected = 0;
        std::vector<reply> replies;
        asio::any_completion_handler<signature> handler; ///< empty once answered or cancelled
    };

    enum class phase
    {
        idle,       ///< async_connect not called yet
        connecting, ///< the first async_connect
        connected,
        reconnecting, ///< requests wait in queued_
        dead,         ///< gave up: requests fail with dead_
        closed,       ///< the connection object is gone
    };

    impl(executor ex, address where, connection_options options);

    /// Queues a request; its handler gets the replies, or the exception that ended it.
    void submit(std::string wire, std::size_t expected, asio::any_completion_handler<signature> handler);

    /// The replies to `expected` commands in `wire`. Awaited through as_tuple: Boost 1.81's
    /// awaitable does not compile a deferred operation completing with (exception_ptr, T)
    /// (awaitable_async_op_handler::resume tests `*result` instead of `*result.ex_`).
    task<std::vector<reply>> async_request(std::string wire, std::size_t expected)
    {
        auto token = asio::as_tuple(asio::deferred);
        auto [e, replies] = co_await asio::async_initiate<decltype(token), signature>(
            [this](auto handler, std::string wire, std::size_t expected)
            { submit(std::move(wire), expected, std::move(handler)); },
            token, std::move(wire), expected);
        if (e)
            std::rethrow_exception(e);
        co_return std::move(replies);
    }

    // redis_connect.cpp
    task<void> async_open(); ///< resolve, connect, AUTH, SELECT within connect_timeout; throws
    task<void> async_open_unbounded();
    task<void> async_handshake();
    task<std::vector<reply>> async_read_replies(std::size_t n);

    // redis_client.cpp
    task<void> run(std::shared_ptr<impl> self);
    task<std::string> async_read_until_error();
    task<bool> async_reconnect(std::string cause);
    task<void> write_loop(std::shared_ptr<impl> self, std::uint64_t session);
    void start_writing();
    void deliver(reply r);
    void answer(request& r, std::exception_ptr e);
    void fail_all(std::exception_ptr e);
    void requeue();
    void close();

    executor ex_;
    address where_;
    connection_options options_;
    asio::ip::tcp::socket socket_;
    asio::ip::tcp::resolver resolver_;
    asio::steady_timer backoff_;
    detail::reply_reader reader_;
    std::deque<std::shared_ptr<request>> queued_; ///< not written on this connection yet
    std::deque<std::shared_ptr<request>> sent_;   ///< written, answered in this order
    phase phase_ = phase::idle;
    bool writing_ = false;
    std::uint64_t session_ = 0; ///< one per connection: a writer of an older one stops
    std::string write_error_;   ///< why the writer closed the socket, for the reconnect message
    std::exception_ptr dead_;   ///< what requests fail with after giving up
    std::uint64_t round_trips_ = 0;
};

} // namespace weft::redis
