// A page's emulation (viewport, user agent, timezone, locale, geolocation, color scheme,
// offline) and its context's cookies as a whole.
#include <weft/chromium/page.hpp>

#include "page_impl.hpp"

namespace weft::chromium
{

namespace detail
{
namespace
{

task<void> emulate_viewport(std::shared_ptr<page_impl> p, emulation::viewport_size v)
{
    json params = {{"width", v.width},
                   {"height", v.height},
                   {"deviceScaleFactor", v.device_scale_factor},
                   {"mobile", v.mobile}};
    co_await call(p, "Emulation.setDeviceMetricsOverride", std::move(params));
}

task<void> emulate_geolocation(std::shared_ptr<page_impl> p, emulation::position at)
{
    // navigator.geolocation asks for a permission a headless browser would deny; granted in the
    // page's own browser context (without one, Chromium grants it in the default context only).
    json target = {{"targetId", p->target_id}};
    auto info = co_await p->conn->async_call("Target.getTargetInfo", std::move(target), "", p->command_timeout);
    json grant = {{"permissions", json::array({"geolocation"})}};
    if (auto context = info["targetInfo"].value("browserContextId", std::string()); !context.empty())
        grant["browserContextId"] = context;
    co_await p->conn->async_call("Browser.grantPermissions", std::move(grant), "", p->command_timeout);
    json params = {{"latitude", at.latitude}, {"longitude", at.longitude}, {"accuracy", at.accuracy}};
    co_await call(p, "Emulation.setGeolocationOverride", std::move(params));
}

task<void> do_emulate(std::shared_ptr<page_impl> p, emulation e)
{
    if (e.viewport)
        co_await emulate_viewport(p, *e.viewport);
    if (!e.user_agent.empty())
    {
        json params = {{"userAgent", e.user_agent}};
        if (!e.locale.empty())
            params["acceptLanguage"] = e.locale;
        co_await call(p, "Network.setUserAgentOverride", std::move(params));
    }
    if (!e.timezone.empty())
    {
        json params = {{"timezoneId", e.timezone}};
        co_await call(p, "Emulation.setTimezoneOverride", std::move(params));
    }
    if (!e.locale.empty())
    {
        json params = {{"locale", e.locale}};
        co_await call(p, "Emulation.setLocaleOverride", std::move(params));
    }
    if (e.geolocation)
        co_await emulate_geolocation(p, *e.geolocation);
    if (!e.color_scheme.empty())
    {
        json feature = {{"name", "prefers-color-scheme"}, {"value", e.color_scheme}};
        json params = {{"features", json::array({std::move(feature)})}};
        co_await call(p, "Emulation.setEmulatedMedia", std::move(params));
    }
    if (e.offline)
    {
        json params = {{"offline", *e.offline}, {"latency", 0}, {"downloadThroughput", -1}, {"uploadThroughput", -1}};
        co_await call(p, "Network.emulateNetworkConditions", std::move(params));
    }
}

task<void> do_clear_cookies(std::shared_ptr<page_impl> p)
{
    co_await call(p, "Network.clearBrowserCookies", json::object());
}

} // namespace
} // namespace detail

task<void> page::async_emulate(emulation e)
{
    return detail::do_emulate(impl_, std::move(e));
}

task<void> page::async_clear_cookies()
{
    return detail::do_clear_cookies(impl_);
}

} // namespace weft::chromium
