#include <weft/chromium/browser_context.hpp>

#include "browser_impl.hpp"
#include "cookies.hpp"
#include "page_impl.hpp"

#include <utility>

namespace weft::chromium
{

browser_context::browser_context(std::shared_ptr<detail::connection> conn, std::string id,
                                 std::chrono::milliseconds command_timeout, std::string download_dir) noexcept
    : conn_(std::move(conn)), id_(std::move(id)), command_timeout_(command_timeout),
      download_dir_(std::move(download_dir))
{
}

browser_context::browser_context(browser_context&&) noexcept = default;
browser_context& browser_context::operator=(browser_context&&) noexcept = default;
browser_context::~browser_context() = default;

namespace
{

task<page> new_page_downloading(std::shared_ptr<detail::connection> conn, std::chrono::milliseconds timeout,
                                std::string id, std::string download_dir)
{
    auto p = co_await detail::new_page(std::move(conn), timeout, std::move(id));
    p.impl()->download_dir = std::move(download_dir); // the context already lets them through
    co_return p;
}

task<void> dispose(std::shared_ptr<detail::connection> conn, std::string id, std::chrono::milliseconds timeout)
{
    if (!conn->is_open())
        co_return; // Chromium disposed of it when the connection ended
    detail::json params = {{"browserContextId", id}};
    try
    {
        co_await conn->async_call("Target.disposeBrowserContext", std::move(params), "", timeout);
    }
    catch (system_error const& e)
    {
        if (e.code() != error::protocol_error) // "Failed to find context": closed already
            throw;
    }
}

task<std::vector<cookie>> context_cookies(std::shared_ptr<detail::connection> conn, std::string id,
                                          std::chrono::milliseconds timeout)
{
    detail::json params = {{"browserContextId", id}};
    auto r = co_await conn->async_call("Storage.getCookies", std::move(params), "", timeout);
    co_return detail::cookies_from_json(r.value("cookies", detail::json::array()));
}

task<void> set_context_cookies(std::shared_ptr<detail::connection> conn, std::string id,
                               std::vector<cookie> cookies, std::chrono::milliseconds timeout)
{
    detail::json params = {{"browserContextId", id}, {"cookies", detail::cookies_to_json(cookies)}};
    co_await conn->async_call("Storage.setCookies", std::move(params), "", timeout);
}

task<void> clear_context_cookies(std::shared_ptr<detail::connection> conn, std::string id,
                                 std::chrono::milliseconds timeout)
{
    detail::json params = {{"browserContextId", id}};
    co_await conn->async_call("Storage.clearCookies", std::move(params), "", timeout);
}

} // namespace

task<page> browser_context::async_new_page()
{
    if (download_dir_.empty())
        return detail::new_page(conn_, command_timeout_, id_);
    return new_page_downloading(conn_, command_timeout_, id_, download_dir_);
}

task<std::vector<cookie>> browser_context::async_cookies()
{
    return context_cookies(conn_, id_, command_timeout_);
}

task<void> browser_context::async_set_cookies(std::vector<cookie> cookies)
{
    return set_context_cookies(conn_, id_, std::move(cookies), command_timeout_);
}

task<void> browser_context::async_clear_cookies()
{
    return clear_context_cookies(conn_, id_, command_timeout_);
}

task<void> browser_context::async_close(std::chrono::milliseconds timeout)
{
    return dispose(conn_, id_, timeout);
}

std::string const& browser_context::id() const noexcept
{
    return id_;
}

} // namespace weft::chromium
