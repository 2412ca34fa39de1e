// Opening a connection to Redis (resolve, connect, AUTH, SELECT) and the errors a user reads
// when that or a script fails: each names the address (never the password) and what to do.
#include "redis_impl.hpp"

#include <weft/async/sleep.hpp>
#include <weft/async/timeout_error.hpp>
#include <weft/async/with_timeout.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace weft::redis
{

namespace detail
{

system_error unavailable(address const& where, std::string const& why)
{
    return system_error(make_error_code(error::state_unavailable),
                        "redis at " + where.redacted() + " unreachable (" + why + ")");
}

system_error refused(address const& where, std::string const& what)
{
    return system_error(make_error_code(error::state_refused), "redis at " + where.redacted() + " " + what);
}

system_error script_refused(address const& where, std::string const& redis_message)
{
    if (redis_message.starts_with("OOM") || redis_message.find("maxmemory") != std::string::npos)
        return refused(
            where, "is out of memory: it reached its maxmemory limit and refuses writes (Redis said: " + redis_message +
                       "). Raise maxmemory (CONFIG SET maxmemory <bytes>, and in redis.conf) or give "
                       "Redis more memory, keep maxmemory-policy noeviction, then resume the crawl");
    return refused(where, "refused a script (Redis said: " + redis_message + ")");
}

std::string short_what(system_error const& e)
{
    // Boost appends ": <message> [<category>:<value>]" to the text given to the constructor.
    std::string what = e.what();
    if (auto at = what.rfind(": " + e.code().message()); at != std::string::npos && at > 0)
        what.resize(at);
    return what;
}

} // namespace detail

namespace
{

using namespace std::chrono_literals;

bool loading(reply const& r)
{
    return r.is_error() && r.str.starts_with("LOADING");
}

} // namespace

task<void> connection::impl::async_open()
{
    auto op = async_open_unbounded();
    bool timed_out = false;
    try
    {
        co_await with_timeout(std::move(op), options_.connect_timeout, "connecting to Redis");
    }
    catch (timeout_error const&)
    {
        timed_out = true;
    }
    if (timed_out)
    {
        error_code ignored;
        socket_.close(ignored);
        throw detail::unavailable(where_,
                                  "no connection and answer within " + describe_duration(options_.connect_timeout));
    }
}

task<void> connection::impl::async_open_unbounded()
{
    error_code ignored;
    socket_.close(ignored);
    auto port = std::to_string(where_.port);
    auto [rec, endpoints] = co_await resolver_.async_resolve(where_.host, port, asio::as_tuple(asio::deferred));
    if (rec)
        throw detail::unavailable(where_, "cannot resolve " + where_.host + ": " + rec.message());
    auto [cec, endpoint] = co_await asio::async_connect(socket_, endpoints, asio::as_tuple(asio::deferred));
    if (cec)
        throw detail::unavailable(where_, cec.message());
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    reader_.reset();
    co_await async_handshake();
}

// AUTH (with a password), SELECT (always: it also tells a missing password from a wrong one),
// PING. A Redis still loading its AOF or RDB answers LOADING: wait for it here, so a restarted
// Redis does not fail the requests about to be sent again.
task<void> connection::impl::async_handshake()
{
    bool const auth = !where_.password.empty();
    std::string wire;
    if (auth)
    {
        std::vector<std::string> args{"AUTH"};
        if (!where_.user.empty())
            args.push_back(where_.user);
        args.push_back(where_.password);
        detail::append_command(wire, args);
    }
    detail::append_command(wire, {"SELECT", std::to_string(where_.db)});
    detail::append_command(wire, {"PING"});
    std::size_t const n = auth ? 3 : 2;
    for (;;)
    {
        auto [ec, written] = co_await asio::async_write(socket_, asio::buffer(wire), asio::as_tuple(asio::deferred));
        if (ec)
            throw detail::unavailable(where_, "sending AUTH/SELECT: " + ec.message());
        auto replies = co_await async_read_replies(n);
        if (std::none_of(replies.begin(), replies.end(), loading))
        {
            if (auth && replies[0].is_error())
                throw detail::refused(where_, "refused the user and password (Redis said: " + replies[0].str +
                                                  "); check USER:PASSWORD in the address");
            auto const& select = replies[n - 2];
            if (select.is_error() && select.str.starts_with("NOAUTH"))
                throw detail::refused(where_, "requires a password (Redis said: " + select.str +
                                                  "); give it in the address: redis://:PASSWORD@HOST:PORT/DB");
            if (select.is_error())
                throw detail::refused(where_, "refused database " + std::to_string(where_.db) + " (Redis said: " +
                                                  select.str + "); a default Redis has databases 0 to 15");
            if (replies[n - 1].is_error())
                throw detail::refused(where_, "refused PING (Redis said: " + replies[n - 1].str + ")");
            co_return;
        }
        co_await sleep(100ms);
    }
}

task<std::vector<reply>> connection::impl::async_read_replies(std::size_t n)
{
    std::vector<reply> out;
    std::array<char, 4096> buf;
    while (out.size() < n)
    {
        std::optional<reply> r;
        try
        {
            r = reader_.next();
        }
        catch (std::runtime_error const& e)
        {
            throw detail::unavailable(where_, e.what());
        }
        if (r)
        {
            out.push_back(std::move(*r));
            continue;
        }
        auto [ec, got] = co_await socket_.async_read_some(asio::buffer(buf), asio::as_tuple(asio::deferred));
        if (ec == asio::error::eof)
            throw detail::unavailable(where_, "it closed the connection at once; is it a Redis server?");
        if (ec)
            throw detail::unavailable(where_, ec.message());
        try
        {
            reader_.feed(buf.data(), got);
        }
        catch (std::runtime_error const& e)
        {
            throw detail::unavailable(where_, e.what());
        }
    }
    co_return out;
}

} // namespace weft::redis
