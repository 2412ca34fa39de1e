#include "engine/crawl.hpp"

#include <weft/sqlite/database.hpp>

#include <boost/asio/co_spawn.hpp>

#include <cstdio>
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
        return ec == error::state_unavailable || ec == error::state_refused || ec == error::unresumable_callback ||
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
    if (ec == weft::error::not_in_archive) // the replay summary counts these apart: record again to fix them
        return "not_in_archive";
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

void attach_spider_tools(crawl_run& run)
{
    run.spider.stats().attach(&run.stats);
    auto floor = log_level::info;
    (void)parse_log_level(run.settings.log_level, floor); // checked when the setting was given
    run.spider.log().redirect(
        [&run, floor](log_level level, std::string_view message)
        {
            if (level == log_level::warning)
                run.stats.custom["log_warning"] += 1;
            else if (level == log_level::error)
                run.stats.custom["log_error"] += 1;
            if (level < floor)
                return;
            auto const& name = run.spider.name();
            std::fprintf(stderr, "weft: [%s] %s: %.*s\n", name.c_str(), to_string(level).data(),
                         static_cast<int>(message.size()), message.data());
        });
}

crawl_run::~crawl_run()
{
    // The spider outlives the crawl: its logger and counters stop pointing into it.
    spider.stats().attach(nullptr);
    spider.log().redirect({});
}

} // namespace weft::engine::detail
