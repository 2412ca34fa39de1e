#include "shared_state.hpp"

#include "commands.hpp"

#include <weft/async/run.hpp>
#include <weft/engine/settings.hpp>
#include <weft/http/proxy.hpp>
#include <weft/plugin/loader.hpp>
#include <weft/state/backend_registry.hpp>

#include <boost/asio/error.hpp>

#include <cstdio>
#include <stdexcept>

namespace weft::cli
{

void require_backend(std::string const& address, char const* flag)
{
    try
    {
        (void)state::find_backend(address);
        return;
    }
    catch (std::invalid_argument const&)
    {
        plugin::load_all(plugin::search_path()); // a backend plugin that is not linked in
    }
    try
    {
        (void)state::find_backend(address);
    }
    catch (std::invalid_argument const& e)
    {
        throw CLI::ValidationError(flag, e.what());
    }
}

task<std::unique_ptr<state::crawl_state>> async_open_shared_state(std::string address, std::string crawl_id)
{
    auto ex = co_await asio::this_coro::executor;
    engine::settings s;
    s.frontier = address;
    s.crawl_id = crawl_id;
    state::backend_address where{address, crawl_id};
    where.configure = false; // status and export look; the crawl's politeness stays as its workers set it
    auto opened = co_await state::async_open_backend(ex, std::move(where), s, state::request_codec::plain());
    co_return opened;
}

bool is_setup_error(error_code ec)
{
    return ec == error::state_unavailable || ec == error::state_refused || ec == asio::error::address_in_use ||
           ec == asio::error::access_denied || ec == boost::system::errc::address_not_available ||
           ec == asio::error::connection_refused || ec == asio::error::host_not_found ||
           ec == boost::system::errc::device_or_resource_busy || // a job directory locked by another crawl
           ec == error::unresumable_callback; // a job directory holding a callback the spider lost
}

namespace
{
task<int> guarded(char const* name, task<int> body)
{
    try
    {
        co_return co_await std::move(body);
    }
    catch (std::invalid_argument const& e)
    {
        std::fprintf(stderr, "weft %s: %s\n", name, e.what());
        co_return exit_usage;
    }
    catch (boost::system::system_error const& e)
    {
        if (e.code() == asio::error::operation_aborted)
            throw; // SIGINT: weft::run's 130
        std::fprintf(stderr, "weft %s: %s\n", name, e.what());
        co_return is_setup_error(e.code()) ? exit_usage : exit_failure;
    }
    catch (std::exception const& e)
    {
        std::fprintf(stderr, "weft %s: %s\n", name, e.what());
        co_return exit_failure;
    }
}
} // namespace

int run_command(char const* name, task<int> body)
{
    return run(guarded(name, std::move(body)));
}

} // namespace weft::cli
