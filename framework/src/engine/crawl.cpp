#include "engine/crawl.hpp"

#include <weft/sqlite/database.hpp>

#include <boost/asio/co_spawn.hpp>

#include <utility>

namespace weft::engine::detail
{

bool is_abort(error_code ec)
{
    return ec == asio::error::operation_aborted || ec == condition::cancelled;
}

bool is_abort(std::exception_ptr e)
{
    try
    {
        std::rethrow_exception(e);
    }
    catch (boost::system::system_error const& se)
    {
        return is_abort(se.code());
    }
    catch (...)
    {
        return false;
    }
}

bool is_state_failure(std::exception_ptr e)
{
    try
    {
        std::rethrow_exception(e);
    }
    catch (boost::system::system_error const& se)
    {
        auto const ec = se.code();
        return ec == error::state_unavailable || ec == error::state_refused ||
               ec.category() == sqlite::error_category();
    }
    catch (...)
    {
        return false;
    }
}

std::string describe(std::exception_ptr e)
{
    try
    {
        std::rethrow_exception(e);
    }
    catch (std::exception const& x)
    {
        return x.what();
    }
    catch (...)
    {
        return "unknown exception";
    }
}

std::string error_kind(error_code ec)
{
    static constexpr std::pair<condition, char const*> kinds[] = {
        {condition::timeout, "timeout"},   {condition::cancelled, "cancelled"},
        {condition::dns, "dns"},           {condition::tls, "tls"},
        {condition::network, "network"},   {condition::limit, "limit"},
        {condition::policy, "policy"},     {condition::client_error, "client_error"},
        {condition::server_error, "server_error"}, {condition::parse, "parse"},
    };
    for (auto const& [c, name] : kinds)
        if (ec == c)
            return name;
    return ec.category().name();
}

void spawn_checked(crawl_run& run, task<void> t, std::string what)
{
    asio::co_spawn(run.ex, std::move(t),
                   [&run, what = std::move(what)](std::exception_ptr e)
                   {
                       if (e && !is_abort(e))
                           run.fail(what + ": " + describe(e));
                   });
}

} // namespace weft::engine::detail
