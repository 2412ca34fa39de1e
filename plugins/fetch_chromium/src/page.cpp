#include <weft/chromium/page.hpp>

#include "detail.hpp"

#include <weft/async/sleep.hpp>
#include <weft/async/timeout_error.hpp>
#include <weft/text/ascii.hpp>

#include <algorithm>
#include <cctype>

namespace weft::chromium
{

namespace detail
{

namespace
{

std::string js(std::string const& s)
{
    return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string first_line(std::string s)
{
    if (auto nl = s.find('\n'); nl != std::string::npos)
        s.resize(nl);
    return s;
}

bool context_lost(std::string_view what)
{
    // A navigation replaced the document the script ran in: run it again in the new one.
    return what.find("Execution context was destroyed") != std::string_view::npos ||
           what.find("Cannot find context") != std::string_view::npos ||
           what.find("Cannot find default execution context") != std::string_view::npos ||
           what.find("Inspected target navigated or closed") != std::string_view::npos;
}

milliseconds left_until(clock::time_point deadline)
{
    return std::max(std::chrono::duration_cast<milliseconds>(deadline - clock::now()), milliseconds(0));
}

// One run of a waiting script in the page's current document.
struct evaluation
{
    json result;       // Runtime.evaluate's answer, when the script ran to the end
    std::string error; // what the script threw (not a navigation)
    bool lost = false; // a navigation replaced the document: run it again in the new one
};

// Evaluates a script that has its own deadline `left`; the command's deadline is a backstop
// for a hung renderer.
task<evaluation> evaluate_in_document(std::shared_ptr<page_impl> p, json params, milliseconds left)
{
    evaluation out;
    try
    {
        out.result = co_await call(p, "Runtime.evaluate", std::move(params), left + milliseconds(5'000));
    }
    catch (system_error const& e)
    {
        if (e.code() != error::protocol_error || !context_lost(e.what()))
            throw;
        out.lost = true;
        co_return out;
    }
    if (auto e = exception_text(out.result); !e.empty())
    {
        out.lost = context_lost(e);
        if (!out.lost)
            out.error = std::move(e);
    }
    co_return out;
}

// Resolves with the element (attached, visible), true (hidden, detached) or false (timed out).
// A MutationObserver catches insertions at once; the interval catches what mutations do not
// show (a stylesheet or a layout change making an element visible).
constexpr char const* wait_for_selector_js = R"JS(
(sel, state, timeout) => new Promise((resolve, reject) => {
  const visible = (e) => {
    if (!e || !e.isConnected) return false;
    const s = window.getComputedStyle(e);
    if (!s || s.visibility === 'hidden' || s.visibility === 'collapse' || s.display === 'none') return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const check = () => {
    const e = document.querySelector(sel);
    if (state === 'attached') return e;
    if (state === 'visible') return visible(e) ? e : null;
    if (state === 'hidden') return !visible(e);
    return !e;
  };
  let done = false, obs = null, iv = 0, to = 0;
  const finish = (v, err) => {
    if (done) return;
    done = true;
    if (obs) obs.disconnect();
    clearInterval(iv);
    clearTimeout(to);
    if (err) reject(err); else resolve(v);
  };
  const tick = () => { if (done) return; try { const v = check(); if (v) finish(v); } catch (err) { finish(null, err); } };
  tick();
  if (done) return;
  obs = new MutationObserver(tick);
  obs.observe(document, {childList: true, subtree: true, attributes: true, characterData: true});
  iv = setInterval(tick, 100);
  to = setTimeout(() => finish(false), timeout);
}))JS";

// Resolves with {ok: true, value} once fn() is truthy, or {ok: false} at the timeout.
constexpr char const* wait_for_function_js = R"JS(
(fn, polling, interval, timeout) => new Promise((resolve, reject) => {
  let done = false, obs = null, iv = 0, to = 0;
  const finish = (v, err) => {
    if (done) return;
    done = true;
    if (obs) obs.disconnect();
    clearInterval(iv);
    clearTimeout(to);
    if (err) reject(err); else resolve(v);
  };
  let busy = false;
  const tick = () => {
    if (done || busy) return;
    try {
      const v = fn();
      if (v && typeof v.then === 'function') {
        busy = true;
        v.then((x) => { busy = false; if (x) finish({ok: true, value: x}); }, (err) => finish(null, err));
      } else if (v) finish({ok: true, value: v});
    } catch (err) { finish(null, err); }
  };
  to = setTimeout(() => finish({ok: false}), timeout);
  if (polling === 'raf') {
    const loop = () => { tick(); if (!done) requestAnimationFrame(loop); };
    loop();
  } else if (polling === 'mutation') {
    tick();
    if (!done) {
      obs = new MutationObserver(tick);
      obs.observe(document, {childList: true, subtree: true, attributes: true, characterData: true});
    }
  } else {
    tick();
    if (!done) iv = setInterval(tick, interval);
  }
}))JS";

constexpr char const* content_js = R"JS((() => {
  let s = '';
  if (document.doctype) s = new XMLSerializer().serializeToString(document.doctype);
  if (document.documentElement) s += document.documentElement.outerHTML;
  return s;
})())JS";

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

} // namespace

std::string exception_text(json const& result)
{
    auto d = result.find("exceptionDetails");
    if (d == result.end())
        return {};
    if (auto e = d->find("exception"); e != d->end())
    {
        if (auto desc = e->find("description"); desc != e->end() && desc->is_string())
            return first_line(desc->get<std::string>());
        if (auto v = e->find("value"); v != e->end())
            return v->is_string() ? v->get<std::string>() : v->dump();
    }
    return d->value("text", std::string("exception"));
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
    {
        auto const id = params.value("requestId", std::string());
        std::string url;
        if (auto r = params.find("request"); r != params.end())
            url = r->value("url", std::string());
        auto const type = resource_from_name(params.value("resourceType", std::string()));
        if (filter.aborts(url, type))
        {
            ++blocked;
            json p = {{"requestId", id}, {"errorReason", "BlockedByClient"}};
            conn->post_call("Fetch.failRequest", std::move(p), session_id);
        }
        else
        {
            json p = {{"requestId", id}};
            conn->post_call("Fetch.continueRequest", std::move(p), session_id);
        }
    }
    else if (method == "Page.javascriptDialogOpening")
    {
        // An alert() would block the page's scripts, and so every wait, until answered.
        json p = {{"accept", true}};
        conn->post_call("Page.handleJavaScriptDialog", std::move(p), session_id);
    }
    else if (method == "Inspector.targetCrashed")
    {
        closed = true;
        closed_reason = "the page's renderer crashed";
        changed.notify();
    }
}

void page_impl::on_browser_event(std::string const& method, json const& params)
{
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

task<json> call_function_on(std::shared_ptr<page_impl> p, std::string object_id, std::string function_js, json args,
                            milliseconds timeout)
{
    json arguments = json::array();
    for (auto& a : args)
        arguments.push_back({{"value", a}});
    json params = {{"objectId", object_id},
                   {"functionDeclaration", function_js},
                   {"arguments", std::move(arguments)},
                   {"returnByValue", true},
                   {"awaitPromise", true},
                   {"userGesture", true}};
    auto r = co_await call(p, "Runtime.callFunctionOn", std::move(params), timeout);
    if (auto e = exception_text(r); !e.empty())
        fail(error::javascript_error, "evaluate on element: " + e);
    auto const& v = r["result"];
    co_return v.contains("value") ? v["value"] : json();
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
    auto r = co_await call(p, "Page.navigate", std::move(params), opts.timeout);
    if (auto err = r.value("errorText", std::string()); !err.empty())
        fail(error::navigation_failed, "goto " + url + ": " + err);
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

task<json> do_evaluate(std::shared_ptr<page_impl> p, std::string expression, milliseconds timeout)
{
    json params = {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}, {"userGesture", true}};
    auto r = co_await call(p, "Runtime.evaluate", std::move(params), timeout);
    if (auto e = exception_text(r); !e.empty())
        fail(error::javascript_error, "evaluate: " + e);
    auto const& v = r["result"];
    if (v.contains("value"))
        co_return v["value"];
    if (v.contains("unserializableValue")) // NaN, Infinity, -0, bigint
        co_return v["unserializableValue"];
    co_return json();
}

task<element_handle> do_wait_for_selector(std::shared_ptr<page_impl> p, std::string css, wait_for_selector_options opts)
{
    auto const start = clock::now();
    auto const deadline = start + opts.timeout;
    std::string const state = to_string(opts.state);
    std::string const what = "wait_for_selector(\"" + css + "\", " + state + ")";
    for (;;)
    {
        auto const left = left_until(deadline);
        std::string expr = std::string("(") + wait_for_selector_js + ")(" + js(css) + ", " + js(state) + ", " +
                           std::to_string(left.count()) + ")";
        json params = {{"expression", expr}, {"returnByValue", false}, {"awaitPromise", true}};
        auto r = co_await evaluate_in_document(p, std::move(params), left);
        if (!r.error.empty())
        {
            if (r.error.find("SyntaxError") != std::string::npos &&
                r.error.find("not a valid selector") != std::string::npos)
                throw_error(make_error_code(weft::error::bad_selector), what + ": " + r.error);
            fail(error::javascript_error, what + ": " + r.error);
        }
        if (!r.lost)
        {
            auto const& v = r.result["result"];
            if (v.value("subtype", std::string()) == "node" && v.contains("objectId"))
                co_return element_handle(p, v["objectId"].get<std::string>());
            if (v.value("type", std::string()) == "boolean" && v.value("value", false))
                co_return element_handle();
        }
        auto const now = clock::now();
        if (now >= deadline || !r.lost)
            throw_error(make_error_code(weft::error::selector_timeout),
                        what + " gave up after " + describe_duration(now - start));
        // A navigation replaced the document: try again in the new one.
        co_await sleep(std::min<clock::duration>(std::chrono::milliseconds(20), deadline - now));
    }
}

task<json> do_wait_for_function(std::shared_ptr<page_impl> p, std::string fn, wait_for_function_options opts)
{
    auto const start = clock::now();
    auto const deadline = start + opts.timeout;
    char const* polling = opts.polling == polling::raf        ? "raf"
                          : opts.polling == polling::mutation ? "mutation"
                                                              : "interval";
    std::string const what = "wait_for_function(" + (fn.size() > 60 ? fn.substr(0, 57) + "..." : fn) + ")";
    for (;;)
    {
        auto const left = left_until(deadline);
        std::string expr = std::string("(") + wait_for_function_js + ")(() => { const __weft_v = (" + fn +
                           "\n); return typeof __weft_v === 'function' ? __weft_v() : __weft_v; }, " + js(polling) +
                           ", " + std::to_string(opts.interval.count()) + ", " + std::to_string(left.count()) + ")";
        json params = {{"expression", expr}, {"returnByValue", true}, {"awaitPromise", true}};
        auto r = co_await evaluate_in_document(p, std::move(params), left);
        if (!r.error.empty())
            fail(error::javascript_error, what + ": " + r.error);
        if (!r.lost)
        {
            auto const& v = r.result["result"]["value"];
            if (v.is_object() && v.value("ok", false))
                co_return v.contains("value") ? v["value"] : json();
        }
        auto const now = clock::now();
        if (now >= deadline || !r.lost)
            throw timeout_error(what, opts.timeout);
        co_await sleep(std::min<clock::duration>(std::chrono::milliseconds(20), deadline - now));
    }
}

task<std::vector<element_handle>> do_query_all(std::shared_ptr<page_impl> p, std::string css)
{
    json params = {{"expression", "Array.from(document.querySelectorAll(" + js(css) + "))"}, {"returnByValue", false}};
    auto r = co_await call(p, "Runtime.evaluate", std::move(params));
    if (auto e = exception_text(r); !e.empty())
    {
        if (e.find("not a valid selector") != std::string::npos)
            throw_error(make_error_code(weft::error::bad_selector), "query_all(\"" + css + "\"): " + e);
        fail(error::javascript_error, "query_all(\"" + css + "\"): " + e);
    }
    std::vector<element_handle> out;
    auto const array_id = r["result"].value("objectId", std::string());
    if (array_id.empty())
        co_return out;
    json props = {{"objectId", array_id}, {"ownProperties", true}};
    auto list = co_await call(p, "Runtime.getProperties", std::move(props));
    std::vector<std::pair<std::size_t, std::string>> indexed;
    for (auto const& prop : list.value("result", json::array()))
    {
        auto const name = prop.value("name", std::string());
        if (name.empty() || !std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); }))
            continue;
        if (auto v = prop.find("value"); v != prop.end() && v->contains("objectId"))
            indexed.emplace_back(std::stoul(name), (*v)["objectId"].get<std::string>());
    }
    std::sort(indexed.begin(), indexed.end());
    for (auto& [i, id] : indexed)
        out.emplace_back(p, std::move(id));
    co_return out;
}

task<void> element_type(std::shared_ptr<page_impl> p, std::string id, std::string text, milliseconds delay);

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
    co_await element_type(p, el.object_id(), std::move(text), opts.delay);
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
    std::vector<cookie> out;
    for (auto const& c : r.value("cookies", json::array()))
    {
        cookie k;
        k.name = c.value("name", std::string());
        k.value = c.value("value", std::string());
        k.domain = c.value("domain", std::string());
        k.path = c.value("path", std::string("/"));
        k.expires = c.value("expires", -1.0);
        k.http_only = c.value("httpOnly", false);
        k.secure = c.value("secure", false);
        out.push_back(std::move(k));
    }
    co_return out;
}

task<void> do_set_cookies(std::shared_ptr<page_impl> p, std::vector<cookie> cookies)
{
    json list = json::array();
    for (auto const& c : cookies)
    {
        json j = {{"name", c.name}, {"value", c.value}, {"httpOnly", c.http_only}, {"secure", c.secure}};
        if (!c.url.empty())
            j["url"] = c.url;
        if (!c.domain.empty())
            j["domain"] = c.domain;
        if (!c.path.empty())
            j["path"] = c.path;
        if (c.expires >= 0)
            j["expires"] = c.expires;
        list.push_back(std::move(j));
    }
    json params = {{"cookies", std::move(list)}};
    co_await call(p, "Network.setCookies", std::move(params));
}

task<void> do_set_request_filter(std::shared_ptr<page_impl> p, request_filter filter)
{
    p->filter = std::move(filter);
    if (p->filter.empty())
    {
        if (p->intercepting)
            co_await call(p, "Fetch.disable", json::object());
        p->intercepting = false;
        co_return;
    }
    if (!p->intercepting)
    {
        json params = {{"patterns", json::array({{{"urlPattern", "*"}, {"requestStage", "Request"}}})}};
        co_await call(p, "Fetch.enable", std::move(params));
        p->intercepting = true;
    }
}

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

task<element_handle> page::async_wait_for_selector(std::string css, wait_for_selector_options opts)
{
    return detail::do_wait_for_selector(impl_, std::move(css), opts);
}

task<nlohmann::json> page::async_wait_for_function(std::string js, wait_for_function_options opts)
{
    return detail::do_wait_for_function(impl_, std::move(js), opts);
}

task<nlohmann::json> page::async_evaluate(std::string js)
{
    return detail::do_evaluate(impl_, std::move(js), {});
}

task<std::vector<element_handle>> page::async_query_all(std::string css)
{
    return detail::do_query_all(impl_, std::move(css));
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

// ---------------------------------------------------------------------------------------------
// element_handle

namespace detail
{
namespace
{

task<void> element_click(std::shared_ptr<page_impl> p, std::string id)
{
    auto pos = co_await call_function_on(p, id,
                                         "function() { this.scrollIntoView({block: 'center', inline: 'center', "
                                         "behavior: 'instant'}); const r = this.getBoundingClientRect(); return {x: "
                                         "r.left + r.width / 2, y: r.top + r.height / 2}; }",
                                         json::array());
    double const x = pos.value("x", 0.0), y = pos.value("y", 0.0);
    json move = {{"type", "mouseMoved"}, {"x", x}, {"y", y}};
    co_await call(p, "Input.dispatchMouseEvent", std::move(move));
    json press = {{"type", "mousePressed"}, {"x", x}, {"y", y}, {"button", "left"}, {"clickCount", 1}};
    co_await call(p, "Input.dispatchMouseEvent", std::move(press));
    json release = {{"type", "mouseReleased"}, {"x", x}, {"y", y}, {"button", "left"}, {"clickCount", 1}};
    co_await call(p, "Input.dispatchMouseEvent", std::move(release));
}

task<void> element_type(std::shared_ptr<page_impl> p, std::string id, std::string text, milliseconds delay)
{
    co_await call_function_on(p, id, "function() { this.focus(); }", json::array());
    for (std::size_t i = 0; i < text.size();)
    {
        // One UTF-8 sequence per key stroke.
        std::size_t len = 1;
        auto const c = static_cast<unsigned char>(text[i]);
        if (c >= 0xF0)
            len = 4;
        else if (c >= 0xE0)
            len = 3;
        else if (c >= 0xC0)
            len = 2;
        std::string ch = text.substr(i, len);
        i += len;
        json down, up;
        if (ch == "\n" || ch == "\r")
        {
            down = {{"type", "keyDown"},
                    {"key", "Enter"},
                    {"code", "Enter"},
                    {"windowsVirtualKeyCode", 13},
                    {"text", "\r"}};
            up = {{"type", "keyUp"}, {"key", "Enter"}, {"code", "Enter"}, {"windowsVirtualKeyCode", 13}};
        }
        else
        {
            down = {{"type", "keyDown"}, {"key", ch}, {"text", ch}, {"unmodifiedText", ch}};
            up = {{"type", "keyUp"}, {"key", ch}};
        }
        co_await call(p, "Input.dispatchKeyEvent", std::move(down));
        co_await call(p, "Input.dispatchKeyEvent", std::move(up));
        if (delay.count() > 0)
            co_await sleep(delay);
    }
}

task<std::string> element_string(std::shared_ptr<page_impl> p, std::string id, std::string fn)
{
    auto v = co_await call_function_on(std::move(p), std::move(id), std::move(fn), json::array());
    co_return v.is_string() ? v.get<std::string>() : std::string();
}

task<std::optional<std::string>> element_attr(std::shared_ptr<page_impl> p, std::string id, std::string name)
{
    json args = json::array({name});
    auto v = co_await call_function_on(std::move(p), std::move(id), "function(n) { return this.getAttribute(n); }",
                                       std::move(args));
    if (v.is_string())
        co_return v.get<std::string>();
    co_return std::nullopt;
}

task<json> element_evaluate(std::shared_ptr<page_impl> p, std::string id, std::string fn)
{
    co_return co_await call_function_on(std::move(p), std::move(id), "function() { return (" + fn + "\n)(this); }",
                                        json::array());
}

void require(std::shared_ptr<page_impl> const& p)
{
    if (!p)
        throw std::logic_error("weft::chromium::element_handle: the handle is empty");
}

} // namespace
} // namespace detail

element_handle::element_handle(std::shared_ptr<detail::page_impl> page, std::string object_id)
    : page_(std::move(page)), object_id_(std::move(object_id))
{
}

task<std::string> element_handle::async_text() const
{
    detail::require(page_);
    return detail::element_string(page_, object_id_, "function() { return this.textContent; }");
}

task<std::optional<std::string>> element_handle::async_attr(std::string name) const
{
    detail::require(page_);
    return detail::element_attr(page_, object_id_, std::move(name));
}

task<std::string> element_handle::async_outer_html() const
{
    detail::require(page_);
    return detail::element_string(page_, object_id_, "function() { return this.outerHTML; }");
}

task<void> element_handle::async_click() const
{
    detail::require(page_);
    return detail::element_click(page_, object_id_);
}

task<void> element_handle::async_type(std::string text) const
{
    detail::require(page_);
    return detail::element_type(page_, object_id_, std::move(text), {});
}

task<nlohmann::json> element_handle::async_evaluate(std::string function_js) const
{
    detail::require(page_);
    return detail::element_evaluate(page_, object_id_, std::move(function_js));
}

} // namespace weft::chromium
