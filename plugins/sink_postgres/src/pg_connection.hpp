// One libpq connection driven without blocking: libpq's non-blocking API (PQconnectPoll,
// PQsendQueryParams, PQflush, PQconsumeInput/PQisBusy/PQgetResult) with its socket watched by the
// Asio loop through a posix::stream_descriptor that never owns the fd (libpq closes it).
//
// @par Errors
// async_connect and async_query throw pg::failure: libpq's message, the SQLSTATE when the server
// sent one, and whether the connection is lost (then async_connect again to reuse the object).
//
// @par Lifetimes and concurrency
// One operation at a time; the connection must outlive it. Not thread-safe.
#pragma once

#include <weft/async/task.hpp>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace weft::pg
{

/// A failed connect or statement.
struct failure : std::runtime_error
{
    failure(std::string message, std::string sqlstate, bool lost)
        : std::runtime_error(std::move(message)), sqlstate(std::move(sqlstate)), connection_lost(lost)
    {
    }
    std::string sqlstate;         ///< "28P01" (wrong password), "3D000" (no such database); empty when none
    bool connection_lost = false; ///< the server went away: reconnect before the next statement
};

struct result_deleter
{
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using result = std::unique_ptr<PGresult, result_deleter>;

/// A statement parameter in text form; nullopt is SQL NULL.
using param = std::optional<std::string>;

class connection
{
public:
    explicit connection(executor ex) : socket_(ex), deadline_(ex) {}
    ~connection() { reset(); }
    connection(connection const&) = delete;
    connection& operator=(connection const&) = delete;

    /// Connects with a libpq connection string or URI (PGPASSWORD, ~/.pgpass apply), giving up
    /// after `timeout` (libpq's connect_timeout does not apply to PQconnectPoll).
    task<void> async_connect(std::string conninfo, std::chrono::steady_clock::duration timeout);
    /// Runs one statement (parameters $1.. in text form; with none, several statements may be
    /// separated by ';'); returns the last result. @throws failure when any result is an error.
    task<result> async_query(std::string sql, std::vector<param> params = {});
    bool connected() const noexcept { return conn_ && PQstatus(conn_) == CONNECTION_OK; }
    /// Closes the connection (libpq closes the socket).
    void reset() noexcept;

private:
    enum class readiness
    {
        read,
        write
    };
    task<void> async_wait(readiness r, bool connecting = false);
    void watch_socket(bool force = false);
    failure failed(PGresult const* r = nullptr) const;

    PGconn* conn_ = nullptr;
    asio::posix::stream_descriptor socket_;
    asio::steady_timer deadline_; // cancels the socket's wait when a connect takes too long
    int watched_fd_ = -1;
};

} // namespace weft::pg
