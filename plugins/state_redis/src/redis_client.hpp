// weft::redis: a Redis client on the Asio loop. hiredis 0.14 (Debian's libhiredis-dev) encodes
// commands (redisFormatCommandArgv) and parses replies (redisReader); the socket, pipelining,
// timeouts and reconnection are Asio's and ours, so nothing blocks the loop and no hiredis event
// adapter is needed.
//
// Pipelining: any number of coroutines may await commands on one connection at once; they are
// written as they come and answered in order.
//
// Reconnection: when the connection drops (Redis restarted), the commands in flight are sent
// again on the next connection, after a backoff doubling from 100 ms to 5 s; one line on stderr
// says so, one more when Redis answers again. A command therefore runs at least once: every
// script weft sends is idempotent or fenced by a lease token (docs/ARCHITECTURE.md, "Redis").
// Giving up: after `give_up_after` without a connection, the commands fail with
// weft::error::state_unavailable. Giving up is final: every later command fails at once the
// same way. Commands issued before async_connect has completed fail with state_unavailable.
//
// Giving up is final: the connection then fails every command at once the same way.
//
// Errors: weft::system_error whose message names the address (password never shown):
// state_unavailable (cannot connect, timed out), state_refused (wrong password, unknown
// database, out of memory, any other error reply to a command that must not fail).
//
// Cancellation: a cancelled command (any cancellation type, e.g. weft::with_timeout) completes
// at once with operation_aborted; if it was already written, Redis still runs it.
// Threading and lifetimes: one executor, single-threaded; create, use and destroy a connection
// on it. Destroying the connection fails its pending commands with operation_aborted (their
// coroutines keep the shared state alive); destroy it before its io_context.
#pragma once

#include <weft/async/task.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace weft::redis
{

/// One parsed reply.
struct reply
{
    enum class kind
    {
        string,  ///< bulk string
        status,  ///< +OK
        error,   ///< -ERR ...: `str` holds the message
        integer,
        nil,
        array,
    };
    kind type = kind::nil;
    std::string str;
    long long integer = 0;
    std::vector<reply> elements;

    bool is_error() const noexcept { return type == kind::error; }
    bool is_nil() const noexcept { return type == kind::nil; }
};

/// redis://[USER:PASSWORD@]HOST[:PORT][/DB]
struct address
{
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    std::string user;     ///< empty: the default user
    std::string password; ///< empty: no AUTH
    int db = 0;

    /// @throws std::invalid_argument naming the text and the expected form.
    static address parse(std::string_view url);
    /// "redis://host:port/db" with the password replaced by "***": for messages and stats.
    std::string redacted() const;
};

/// A Lua script, sent by EVALSHA once loaded (SCRIPT LOAD again after NOSCRIPT: a restarted Redis).
struct script
{
    explicit script(std::string source);
    std::string source;
    std::string sha1; ///< hex, computed locally
};

struct connection_options
{
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds give_up_after{std::chrono::minutes(5)}; ///< reconnecting this long fails the commands
    bool quiet = false; ///< no line on stderr when reconnecting (tests)
};

class connection
{
public:
    connection(executor ex, address where, connection_options options = {});
    ~connection();
    connection(connection const&) = delete;
    connection& operator=(connection const&) = delete;

    /// Connects, AUTHs and SELECTs. Fails at once (no retry): an unreachable Redis or a wrong
    /// password at start is the user's to fix.
    task<void> async_connect();

    /// One command; its reply (an error reply is returned, not thrown).
    task<reply> async_command(std::vector<std::string> args);

    /// Several commands in one write; their replies in order.
    task<std::vector<reply>> async_pipeline(std::vector<std::vector<std::string>> commands);

    /// EVALSHA `s` (SCRIPT LOAD and again on NOSCRIPT). An error reply is thrown as
    /// weft::system_error (state_refused), naming the address and Redis's message ("OOM ...").
    task<reply> async_eval(script const& s, std::vector<std::string> keys, std::vector<std::string> args);

    address const& where() const noexcept;
    /// Requests answered since the connection was made (round trips, for stats and bench): one
    /// per async_command or async_pipeline, however many commands it holds; async_eval counts
    /// two when it had to load its script.
    std::uint64_t round_trips() const noexcept;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace weft::redis
