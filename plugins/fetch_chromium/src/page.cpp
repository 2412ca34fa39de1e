// The page: navigation, content and capture, its settings (headers, user agent, cookies, request
// filter), closing. Its JavaScript is page_javascript.cpp, its events page_impl.cpp.
#include <weft/chromium/page.hpp>

#include "cookies.hpp"
#include "input.hpp"
#include "page_impl.hpp"
#include "page_javascript.hpp"

#include <weft/text/ascii.hpp>

#include <algorithm>
#include <array>

namespace weft::chromium
{

namespace detail
{

namespace
{

char const* event_name(chromium::wait_until w)
{
    switch (w)
    {
    case chromium::wait_until::load:
        return "load";
    case chromium::wait_until::domcontentloaded:
        return "DOMContentLoaded";
    case chromium::wait_until::networkidle:
        return "networkIdle";
    }
    return "load";
}

} // namespace

std::string decode_base64(std::string_view in)
{
    static constexpr auto table = []
    {
        std::array<signed char, 256> t{};
        t.fill(-1);
        constexpr char const* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; ++i)
            t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
        return t;
    }();
    std::string out;
    out.reserve(in.size() / 4 * 3);
    unsigned buf = 0;
    int bits = 0;
    for (unsigned char c : in)
    {
        int const v = table[c];
        if (v < 0)
            continue; // '=' padding, whitespace
        buf = (buf << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8)
        {
            bits -= 8;
            out.push_back(static_cast<char>((buf >> bits) & 0xff));
        }
    }
    return out;
}

bool glob_match(std::string_view pattern, std::string_view s)
{
    std::size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
    while (i < s.size())
    {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == s[i]))
        {
            ++p;
            ++i;
        }
        else if (p < pattern.size() && pattern[p] == '*')
        {
            star = p++;
            mark = i;
        }
        else if (star != std::string_view::npos)
        {
            p = star + 1;
            i = ++mark;
        }
        else
            return false;
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

namespace
{

task<http::response> wait_navigated(std::shared_ptr<page_impl> p, std::uint64_t after, std::string url,
                                    goto_options opts, std::string what)
{
    auto const start = clock::now();
    std::string const ev = event_name(opts.wait_until);
    auto* raw = p.get();
    // named first: GCC 12 double-frees lambdas with owning captures in co_await (docs/ARCHITECTURE.md, trap 2)
    std::function<bool()> navigated = [raw, after, ev]
    {
        if (raw->navigations <= after)
            return false;
        auto it = raw->lifecycle.find(raw->loader);
        return it != raw->lifecycle.end() && it->second.contains(ev);
    };
    co_await wait_state(p, std::move(navigated), start + opts.timeout, what, opts.timeout);
    http::response res;
    if (auto it = p->responses.find(p->loader); it != p->responses.end())
        res = it->second;
    res.url = url.empty() ? res.final_url : url;
    res.timing.total = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - start);
    co_return res;
}

task<http::response> do_goto(std::shared_ptr<page_impl> p, std::string url, goto_options opts)
{
    auto const start = clock::now();
    json params = {{"url", url}};
    p->auth_rejected.clear();
    auto r = co_await call(p, "Page.navigate", std::move(params), opts.timeout);
    if (auto err = r.value("errorText", std::string()); !err.empty())
    {
        // A headless browser cannot ask anyone for a password: it fails the navigation instead.
        if (!p->auth_rejected.empty())
            err += " (" + p->auth_rejected + ")";
        else if (err.find("ERR_INVALID_AUTH_CREDENTIALS") != std::string::npos)
            err += " (it asks for credentials: page::async_authenticate, or a proxy URL's user info)";
        fail(error::navigation_failed, "goto " + url + ": " + err);
    }
    auto const l = r.value("loaderId", std::string());
    http::response res;
    res.url = url;
    if (l.empty()) // same-document navigation
    {
        res.final_url = url;
        co_return res;
    }
    std::string const ev = event_name(opts.wait_until);
    auto* raw = p.get();
    // named first: GCC 12 double-frees lambdas with owning captures in co_await (docs/ARCHITECTURE.md, trap 2)
    std::function<bool()> reached = [raw, l, ev]
    {
        auto it = raw->lifecycle.find(l);
        return it != raw->lifecycle.end() && it->second.contains(ev);
    };
    auto what = "goto " + url + " (waiting for " + ev + ")";
    co_await wait_state(p, std::move(reached), start + opts.timeout, std::move(what), opts.timeout);
    if (!p->auth_rejected.empty())
        fail(error::navigation_failed, "goto " + url + ": " + p->auth_rejected);
    if (auto it = p->responses.find(l); it != p->responses.end())
        res = it->second;
    res.url = url;
    if (res.final_url.empty())
        res.final_url = url;
    res.timing.total = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - start);
    co_return res;
}

task<http::response> do_reload(std::shared_ptr<page_impl> p, goto_options opts)
{
    auto const after = p->navigations;
    co_await call(p, "Page.reload", json::object(), opts.timeout);
    co_return co_await wait_navigated(p, after, "", opts, "reload");
}

task<element_handle> visible_element(std::shared_ptr<page_impl> p, std::string css, input_options opts)
{
    wait_for_selector_options w;
    w.state = selector_state::visible;
    w.timeout = opts.timeout;
    co_return co_await do_wait_for_selector(std::move(p), std::move(css), w);
}

task<void> do_click(std::shared_ptr<page_impl> p, std::string css, input_options opts)
{
    auto el = co_await visible_element(p, std::move(css), opts);
    co_await el.async_click();
}

task<void> do_type(std::shared_ptr<page_impl> p, std::string css, std::string text, input_options opts)
{
    auto el = co_await visible_element(p, std::move(css), opts);
    co_await element_type(p, std::string(), el.object_id(), std::move(text), opts.delay);
}

task<std::string> do_content(std::shared_ptr<page_impl> p)
{
    auto v = co_await do_evaluate(std::move(p), content_js, {});
    co_return v.is_string() ? v.get<std::string>() : std::string();
}

task<html::document> do_document(std::shared_ptr<page_impl> p)
{
    auto text = co_await do_content(std::move(p));
    co_return html::document::from_utf8(text);
}

task<std::string> do_string(std::shared_ptr<page_impl> p, std::string expression)
{
    auto v = co_await do_evaluate(std::move(p), std::move(expression), {});
    co_return v.is_string() ? v.get<std::string>() : std::string();
}

task<std::string> do_screenshot(std::shared_ptr<page_impl> p, screenshot_options opts)
{
    json params = {{"format", "png"}};
    if (opts.full_page)
    {
        auto m = co_await call(p, "Page.getLayoutMetrics", json::object());
        auto const& size = m.contains("cssContentSize") ? m["cssContentSize"] : m["contentSize"];
        params["captureBeyondViewport"] = true;
        params["clip"] = {{"x", 0},
                          {"y", 0},
                          {"width", size.value("width", 800.0)},
                          {"height", size.value("height", 600.0)},
                          {"scale", 1}};
    }
    auto r = co_await call(p, "Page.captureScreenshot", std::move(params));
    co_return decode_base64(r.value("data", std::string()));
}

task<void> do_set_extra_headers(std::shared_ptr<page_impl> p, http::headers h)
{
    json fields = json::object();
    for (auto const& [name, value] : h)
    {
        auto& f = fields[name];
        f = f.is_string() ? f.get<std::string>() + ", " + value : value;
    }
    json params = {{"headers", std::move(fields)}};
    co_await call(p, "Network.setExtraHTTPHeaders", std::move(params));
}

task<void> do_set_user_agent(std::shared_ptr<page_impl> p, std::string ua)
{
    json params = {{"userAgent", ua}};
    co_await call(p, "Network.setUserAgentOverride", std::move(params));
}

task<std::vector<cookie>> do_cookies(std::shared_ptr<page_impl> p, std::vector<std::string> urls)
{
    json params = json::object();
    if (!urls.empty())
        params["urls"] = urls;
    auto r = co_await call(p, "Network.getCookies", std::move(params));
    co_return cookies_from_json(r.value("cookies", json::array()));
}

task<void> do_set_cookies(std::shared_ptr<page_impl> p, std::vector<cookie> cookies)
{
    json params = {{"cookies", cookies_to_json(cookies)}};
    co_await call(p, "Network.setCookies", std::move(params));
}

// A service worker's script is fetched outside the page's Fetch domain: its registration is
// refused instead, in every document from the next navigation on, as where service workers are off.
constexpr char const* refuse_service_workers_js = R"JS(if (self.ServiceWorkerContainer)
  ServiceWorkerContainer.prototype.register = function () {
    return Promise.reject(new DOMException('service workers are off (weft blocks the browser\'s own requests)',
                                           'SecurityError'));
  };)JS";

task<void> refuse_service_workers(std::shared_ptr<page_impl> p, bool refuse)
{
    if (refuse == !p->no_service_workers.empty())
        co_return;
    if (refuse)
    {
        json params = {{"source", refuse_service_workers_js}};
        auto r = co_await call(p, "Page.addScriptToEvaluateOnNewDocument", std::move(params));
        p->no_service_workers = r.value("identifier", std::string("?"));
        co_return;
    }
    json params = {{"identifier", p->no_service_workers}};
    p->no_service_workers.clear();
    co_await call(p, "Page.removeScriptToEvaluateOnNewDocument", std::move(params));
}

task<void> do_set_request_filter(std::shared_ptr<page_impl> p, request_filter filter)
{
    p->filter = std::move(filter);
    co_await refuse_service_workers(p, p->filter.blocks_browser_requests());
    co_await update_interception(p);
}

} // namespace

json page_impl::interception() const
{
    if (filter.empty() && auth.username.empty())
        return json();
    json params = {{"patterns", json::array({{{"urlPattern", "*"}, {"requestStage", "Request"}}})}};
    if (!auth.username.empty())
        params["handleAuthRequests"] = true;
    return params;
}

task<void> update_interception(std::shared_ptr<page_impl> p)
{
    auto params = p->interception();
    auto const sent = params.dump();
    if (sent == p->interception_sent)
        co_return;
    p->interception_sent = sent;
    // The page and its out-of-process iframes (each a session of its own) alike.
    std::vector<std::string> sessions{p->session_id};
    for (auto const& [session, child] : p->children)
        sessions.push_back(session);
    p->intercepting = !params.is_null();
    auto const method = p->intercepting ? "Fetch.enable" : "Fetch.disable";
    for (auto const& session : sessions)
    {
        json each = p->intercepting ? params : json::object();
        if (session == p->session_id)
            co_await call_on(p, session, method, std::move(each));
        else
            p->conn->post_call(method, std::move(each), session); // it may be going away
    }
}

namespace
{

task<void> do_close(std::shared_ptr<page_impl> p)
{
    if (p->closed || !p->conn->is_open())
        co_return;
    json params = {{"targetId", p->target_id}};
    co_await p->conn->async_call("Target.closeTarget", std::move(params), "", p->command_timeout);
    p->closed = true;
    p->closed_reason = "the page was closed by async_close";
    p->changed.notify();
}

} // namespace

} // namespace detail

// ---------------------------------------------------------------------------------------------

resource resource_from_name(std::string_view name) noexcept
{
    auto const n = text::lower_copy(name);
    if (n == "document")
        return resource::document;
    if (n == "stylesheet")
        return resource::stylesheet;
    if (n == "image")
        return resource::image;
    if (n == "media")
        return resource::media;
    if (n == "font")
        return resource::font;
    if (n == "script")
        return resource::script;
    if (n == "xhr")
        return resource::xhr;
    if (n == "fetch")
        return resource::fetch;
    if (n == "other")
        return resource::other;
    if (n.size() > 1 && n.back() == 's') // "images", "fonts": plurals, as on the command line
        return resource_from_name(std::string_view(n).substr(0, n.size() - 1));
    return resource::none;
}

bool request_filter::aborts(std::string_view url, resource type) const
{
    if (any(blocked_, type))
        return true;
    return std::any_of(url_globs_.begin(), url_globs_.end(),
                       [&](std::string const& g) { return detail::glob_match(g, url); });
}

page::page(std::shared_ptr<detail::page_impl> impl) noexcept : impl_(std::move(impl)) {}

page::~page() = default;

task<http::response> page::async_goto(std::string url, goto_options opts)
{
    return detail::do_goto(impl_, std::move(url), opts);
}

task<http::response> page::async_wait_for_navigation(goto_options opts)
{
    return detail::wait_navigated(impl_, impl_->navigations, "", opts, "wait_for_navigation");
}

task<http::response> page::async_reload(goto_options opts)
{
    return detail::do_reload(impl_, opts);
}

task<void> page::async_click(std::string css, input_options opts)
{
    return detail::do_click(impl_, std::move(css), opts);
}

task<void> page::async_type(std::string css, std::string text, input_options opts)
{
    return detail::do_type(impl_, std::move(css), std::move(text), opts);
}

task<std::string> page::async_content()
{
    return detail::do_content(impl_);
}

task<html::document> page::async_document()
{
    return detail::do_document(impl_);
}

task<std::string> page::async_title()
{
    return detail::do_string(impl_, "document.title");
}

task<std::string> page::async_url()
{
    return detail::do_string(impl_, "location.href");
}

task<std::string> page::async_screenshot(screenshot_options opts)
{
    return detail::do_screenshot(impl_, opts);
}

task<void> page::async_set_extra_headers(http::headers h)
{
    return detail::do_set_extra_headers(impl_, std::move(h));
}

task<void> page::async_set_user_agent(std::string user_agent)
{
    return detail::do_set_user_agent(impl_, std::move(user_agent));
}

task<std::vector<cookie>> page::async_cookies(std::vector<std::string> urls)
{
    return detail::do_cookies(impl_, std::move(urls));
}

task<void> page::async_set_cookies(std::vector<cookie> cookies)
{
    return detail::do_set_cookies(impl_, std::move(cookies));
}

task<void> page::async_set_request_filter(request_filter filter)
{
    return detail::do_set_request_filter(impl_, std::move(filter));
}

task<void> page::async_close()
{
    return detail::do_close(impl_);
}

bool page::is_closed() const noexcept
{
    return impl_->closed || !impl_->conn->is_open();
}

std::string const& page::target_id() const noexcept
{
    return impl_->target_id;
}

std::size_t page::blocked_requests() const noexcept
{
    return impl_->blocked;
}

std::map<std::string, http::subresource_count> const& page::requests_by_type() const noexcept
{
    return impl_->requests_by_type;
}

void page::reset_request_counts() noexcept
{
    impl_->requests_by_type.clear();
}

} // namespace weft::chromium
