// A page's state, kept current by its events; its commands and waits.
#include "page_impl.hpp"

#include <weft/async/timeout_error.hpp>
#include <weft/text/ascii.hpp>

#include <string_view>

namespace weft::chromium::detail
{

namespace
{

http::response make_response(json const& r)
{
    http::response res;
    res.status = r.value("status", 0);
    res.reason = r.value("statusText", std::string());
    res.final_url = r.value("url", std::string());
    if (auto h = r.find("headers"); h != r.end() && h->is_object())
        for (auto const& [name, value] : h->items())
        {
            // Repeated fields arrive joined by newlines.
            auto v = value.is_string() ? value.get<std::string>() : value.dump();
            std::size_t start = 0;
            for (auto nl = v.find('\n');; nl = v.find('\n', start))
            {
                res.headers.add(name, v.substr(start, nl == std::string::npos ? nl : nl - start));
                if (nl == std::string::npos)
                    break;
                start = nl + 1;
            }
        }
    auto proto = r.value("protocol", std::string());
    if (proto == "h2")
        res.http_version = "2";
    else if (proto.starts_with("http/"))
        res.http_version = proto.substr(5);
    else
        res.http_version = proto;
    res.wire_bytes = static_cast<std::uint64_t>(r.value("encodedDataLength", 0.0));
    return res;
}

// How requests_by_type names a DevTools resource type: one of the request_filter's types, the
// rest (Ping, Manifest, EventSource, WebSocket, Preflight, ...) "other".
std::string counted_type(std::string const& devtools_type)
{
    switch (resource_from_name(devtools_type))
    {
    case resource::document:
        return "document";
    case resource::stylesheet:
        return "stylesheet";
    case resource::image:
        return "image";
    case resource::media:
        return "media";
    case resource::font:
        return "font";
    case resource::script:
        return "script";
    case resource::xhr:
        return "xhr";
    case resource::fetch:
        return "fetch";
    default:
        return "other";
    }
}

// What the browser requests on its own, though it reaches the page's Fetch domain: its favicon
// (type Other, accepting images: /favicon.ico or a <link rel=icon>) and prefetches (Sec-Purpose:
// prefetch, typed Fetch or Other). Seen in Chromium 120-156; a service worker's script does not
// come here (page_impl::refuse_service_workers).
bool browser_request(std::string const& type, json const& request)
{
    auto const url = request.value("url", std::string());
    auto const path_end = url.find_first_of("?#");
    if (type == "Other" && std::string_view(url).substr(0, path_end).ends_with("/favicon.ico"))
        return true;
    auto const headers = request.value("headers", json::object());
    for (auto const& [name, value] : headers.items())
    {
        if (!value.is_string())
            continue;
        auto const n = text::lower_copy(name);
        auto const& v = value.get_ref<std::string const&>();
        if ((n == "sec-purpose" || n == "purpose") && v.find("prefetch") != std::string::npos)
            return true;
        if (type == "Other" && n == "accept" && v.starts_with("image/"))
            return true;
    }
    return false;
}

} // namespace

void page_impl::on_request_paused(json const& params, std::string const& session)
{
    auto const id = params.value("requestId", std::string());
    auto const request = params.value("request", json::object());
    auto const devtools_type = params.value("resourceType", std::string());
    bool abort = filter.blocks_browser_requests() && browser_request(devtools_type, request);
    if (!abort && !filter.empty()) // a request of the page's: counted (not for credentials only)
    {
        auto const type = resource_from_name(devtools_type);
        abort = filter.aborts(request.value("url", std::string()), type);
        auto& n = requests_by_type[counted_type(devtools_type)];
        ++n.requested;
        n.blocked += abort ? 1 : 0;
    }
    if (abort)
    {
        ++blocked;
        json p = {{"requestId", id}, {"errorReason", "BlockedByClient"}};
        conn->post_call("Fetch.failRequest", std::move(p), session);
        return;
    }
    json p = {{"requestId", id}};
    conn->post_call("Fetch.continueRequest", std::move(p), session);
}

page_impl::page_impl(std::shared_ptr<connection> c, std::string target, std::string session, milliseconds timeout)
    : conn(std::move(c)), target_id(std::move(target)), session_id(std::move(session)), command_timeout(timeout),
      changed(conn->get_executor())
{
}

page_impl::~page_impl()
{
    if (sub)
        sub->active = false;
    for (auto& [session, child] : children)
        child.sub->active = false;
    if (browser_sub)
        browser_sub->active = false;
}

void page_impl::check_usable(std::string const& doing) const
{
    if (!conn->is_open())
        conn->throw_closed(doing);
    if (closed)
        fail(error::page_closed, doing + ": " + closed_reason);
}

void page_impl::on_event(std::string const& method, json const& params)
{
    if (method.empty()) // the connection closed
    {
        changed.notify();
        return;
    }
    if (method.starts_with("Network."))
        on_network_event(method, params);
    else if (method.starts_with("Runtime."))
    {
        track_context(session_id, method, params);
        on_runtime_event(method, params);
    }
    else if (method.starts_with("Target."))
        on_target_event(method, params);
    if (method == "Page.lifecycleEvent")
    {
        if (params.value("frameId", std::string()) != target_id)
            return;
        auto const l = params.value("loaderId", std::string());
        auto const name = params.value("name", std::string());
        if (name == "init")
        {
            loader = l;
            ++navigations;
            if (lifecycle.size() > 8) // a reused page: forget old documents, not this one (its
            {                         // response may have come before its init)
                std::erase_if(lifecycle, [&](auto const& e) { return e.first != l; });
                std::erase_if(responses, [&](auto const& e) { return e.first != l; });
                std::erase_if(redirects, [&](auto const& e) { return e.first != l; });
            }
            lifecycle[l].clear();
        }
        lifecycle[l].insert(name);
        changed.notify();
    }
    else if (method == "Network.responseReceived")
    {
        if (params.value("type", std::string()) != "Document" || params.value("frameId", std::string()) != target_id)
            return;
        auto const l = params.value("loaderId", std::string());
        if (auto r = params.find("response"); r != params.end())
        {
            auto res = make_response(*r);
            res.redirects = redirects[l];
            responses[l] = std::move(res);
        }
        changed.notify();
    }
    else if (method == "Network.requestWillBeSent")
    {
        if (params.contains("redirectResponse") && params.value("type", std::string()) == "Document" &&
            params.value("frameId", std::string()) == target_id)
            ++redirects[params.value("loaderId", std::string())];
    }
    else if (method == "Fetch.requestPaused")
        on_request_paused(params, session_id);
    else if (method == "Fetch.authRequired")
        on_auth_required(params, session_id);
    else if (method == "Page.javascriptDialogOpening")
        on_dialog(params); // answered at once: an open dialog stops the page's scripts, and every wait
    else if (method == "Inspector.targetCrashed")
    {
        closed = true;
        closed_reason = "the page's renderer crashed";
        changed.notify();
    }
}

void page_impl::on_browser_event(std::string const& method, json const& params)
{
    if (method.starts_with("Browser.download"))
        on_download_event(method, params);
    if (method == "Target.detachedFromTarget" && params.value("sessionId", std::string()) == session_id)
    {
        closed = true;
        if (closed_reason.empty())
            closed_reason = "the page was closed";
        changed.notify();
    }
}

void page_impl::subscribe()
{
    auto w = weak_from_this();
    sub = conn->subscribe(session_id,
                          [w](std::string const& m, json const& p)
                          {
                              if (auto s = w.lock())
                                  s->on_event(m, p);
                          });
    browser_sub = conn->subscribe("",
                                  [w](std::string const& m, json const& p)
                                  {
                                      if (auto s = w.lock())
                                          s->on_browser_event(m, p);
                                  });
}

task<json> page_impl::call(std::string method, json params, milliseconds timeout)
{
    return detail::call(shared_from_this(), std::move(method), std::move(params), timeout);
}

task<json> call(std::shared_ptr<page_impl> p, std::string method, json params, milliseconds timeout)
{
    p->check_usable(method);
    co_return co_await p->conn->async_call(std::move(method), std::move(params), p->session_id,
                                           timeout.count() > 0 ? timeout : p->command_timeout);
}

task<json> call_on(std::shared_ptr<page_impl> p, std::string session, std::string method, json params,
                   milliseconds timeout)
{
    p->check_usable(method);
    if (session.empty())
        session = p->session_id;
    co_return co_await p->conn->async_call(std::move(method), std::move(params), std::move(session),
                                           timeout.count() > 0 ? timeout : p->command_timeout);
}

task<void> wait_state(std::shared_ptr<page_impl> p, std::function<bool()> pred, clock::time_point deadline,
                      std::string what, milliseconds limit)
{
    for (;;)
    {
        if (pred())
            co_return;
        p->check_usable(what);
        if (!co_await p->changed.async_wait(deadline))
        {
            if (pred())
                co_return;
            throw timeout_error(what, limit);
        }
    }
}

} // namespace weft::chromium::detail
