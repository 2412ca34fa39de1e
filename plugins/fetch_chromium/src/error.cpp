#include <weft/chromium/error.hpp>

#include <string>

namespace weft::chromium
{
namespace
{

class category final : public boost::system::error_category
{
public:
    char const* name() const noexcept override { return "weft.chromium"; }

    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev))
        {
        case error::launch_failed:
            return "chromium did not start";
        case error::browser_closed:
            return "the browser closed";
        case error::page_closed:
            return "the page closed";
        case error::protocol_error:
            return "DevTools protocol error";
        case error::javascript_error:
            return "the page's script threw";
        case error::navigation_failed:
            return "navigation failed";
        case error::unsupported:
            return "not supported by the chromium fetcher";
        case error::connect_failed:
            return "cannot connect to the browser's DevTools endpoint";
        }
        return "unknown chromium error";
    }

    error_condition default_error_condition(int ev) const noexcept override
    {
        switch (static_cast<error>(ev))
        {
        case error::browser_closed:
        case error::page_closed:
        case error::navigation_failed:
        case error::connect_failed:
            return weft::condition::network;
        case error::unsupported:
            return weft::condition::client_error;
        default:
            return {ev, *this};
        }
    }
};

} // namespace

boost::system::error_category const& error_category() noexcept
{
    static category const c;
    return c;
}

} // namespace weft::chromium
