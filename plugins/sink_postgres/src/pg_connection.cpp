#include "pg_connection.hpp"

#include <weft/error.hpp>

#include <boost/asio/deferred.hpp>

namespace weft::pg
{

void connection::reset() noexcept
{
    if (socket_.is_open())
        (void)socket_.release(); // libpq owns the fd and closes it in PQfinish
    watched_fd_ = -1;
    if (conn_)
        PQfinish(conn_);
    conn_ = nullptr;
}

// libpq may change its socket while connecting (another address of the host, a retry without
// SSL): follow it. `force` re-registers even the same number, which a new socket may reuse.
void connection::watch_socket(bool force)
{
    int const fd = PQsocket(conn_);
    if (fd == watched_fd_ && !force)
        return;
    if (socket_.is_open())
        (void)socket_.release();
    watched_fd_ = fd;
    if (fd >= 0)
        socket_.assign(fd);
}

task<void> connection::async_wait(readiness r, bool connecting)
{
    watch_socket(connecting);
    if (!socket_.is_open())
        throw failure("the connection to the PostgreSQL server has no socket", "", true);
    auto const what =
        r == readiness::read ? asio::posix::stream_descriptor::wait_read : asio::posix::stream_descriptor::wait_write;
    co_await socket_.async_wait(what, asio::deferred);
}

failure connection::failed(PGresult const* r) const
{
    std::string message = r ? PQresultErrorMessage(r) : "";
    if (message.empty() && conn_)
        message = PQerrorMessage(conn_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    char const* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    bool const lost = !conn_ || PQstatus(conn_) == CONNECTION_BAD;
    return failure(message.empty() ? std::string("unknown PostgreSQL failure") : message, state ? state : "", lost);
}

task<void> connection::async_connect(std::string conninfo, std::chrono::steady_clock::duration timeout)
{
    reset();
    conn_ = PQconnectStart(conninfo.c_str());
    if (!conn_)
        throw failure("out of memory starting a PostgreSQL connection", "", true);
    if (PQstatus(conn_) == CONNECTION_BAD)
        throw failed();
    // Notices ("relation already exists, skipping") are not for the user's stderr.
    PQsetNoticeProcessor(
        conn_, [](void*, char const*) {}, nullptr);
    bool timed_out = false;
    deadline_.expires_after(timeout);
    deadline_.async_wait(
        [this, &timed_out](error_code ec)
        {
            if (ec) // cancelled: the connect finished; `this` may be gone
                return;
            timed_out = true;
            socket_.cancel();
        });
    // The poll loop of libpq's manual: wait for what PQconnectPoll asks, then poll again.
    auto state = PGRES_POLLING_WRITING;
    try
    {
        while (state != PGRES_POLLING_OK)
        {
            if (state == PGRES_POLLING_READING)
                co_await async_wait(readiness::read, true);
            else if (state == PGRES_POLLING_WRITING)
                co_await async_wait(readiness::write, true);
            state = PQconnectPoll(conn_);
            if (state == PGRES_POLLING_FAILED)
                throw failed();
        }
    }
    catch (system_error const&)
    {
        deadline_.cancel();
        if (!timed_out)
            throw;
        throw failure("no answer within " +
                          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) + " s",
                      "", true);
    }
    catch (...)
    {
        deadline_.cancel();
        throw;
    }
    deadline_.cancel();
    watch_socket(true);
    if (PQsetnonblocking(conn_, 1) != 0)
        throw failed();
}

task<result> connection::async_query(std::string sql, std::vector<param> params)
{
    if (!connected())
        throw failure("not connected to the PostgreSQL server", "", true);
    std::vector<char const*> values;
    values.reserve(params.size());
    for (auto const& p : params)
        values.push_back(p ? p->c_str() : nullptr);
    int const sent = params.empty() ? PQsendQuery(conn_, sql.c_str())
                                    : PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                                                        values.data(), nullptr, nullptr, 0);
    if (!sent)
        throw failed();
    // Send it all; the server may answer (a notice) before it has read everything.
    while (true)
    {
        int const f = PQflush(conn_);
        if (f == 0)
            break;
        if (f < 0)
            throw failed();
        co_await async_wait(readiness::write);
        if (!PQconsumeInput(conn_))
            throw failed();
    }
    result last;
    std::optional<failure> first_error;
    while (true)
    {
        if (!PQconsumeInput(conn_))
            throw failed();
        if (PQisBusy(conn_))
        {
            co_await async_wait(readiness::read);
            continue;
        }
        result r(PQgetResult(conn_));
        if (!r)
            break;
        auto const status = PQresultStatus(r.get());
        if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR)
        {
            if (!first_error)
                first_error.emplace(failed(r.get()));
        }
        last = std::move(r);
    }
    if (first_error)
        throw *first_error;
    if (PQstatus(conn_) == CONNECTION_BAD)
        throw failed();
    co_return last;
}

} // namespace weft::pg
