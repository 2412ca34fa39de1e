// A page's JavaScript: evaluate, the waiting scripts (wait_for_selector, wait_for_function),
// query_all and functions on remote objects.
#include <weft/chromium/page.hpp>

#include "frames.hpp"
#include "page_javascript.hpp"

#include <weft/async/sleep.hpp>
#include <weft/async/timeout_error.hpp>

#include <algorithm>
#include <cctype>

namespace weft::chromium
{

namespace detail
{

std::string js(std::string const& s)
{
    return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace
{

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
    std::string session; // where it ran (the page's, or an out-of-process frame's)
};

// Evaluates a script that has its own deadline `left`; the command's deadline is a backstop
// for a hung renderer.
task<evaluation> evaluate_in_document(std::shared_ptr<page_impl> p, std::string frame_id, json params,
                                      milliseconds left)
{
    evaluation out;
    auto const site = co_await frame_site(p, frame_id, clock::now() + left, left);
    if (site.context != 0)
        params["contextId"] = site.context;
    out.session = site.session;
    try
    {
        out.result = co_await call_on(p, site.session, "Runtime.evaluate", std::move(params), left + milliseconds(5'000));
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

task<json> call_function_on(std::shared_ptr<page_impl> p, std::string session, std::string object_id,
                            std::string function_js, json args, milliseconds timeout)
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
    auto r = co_await call_on(p, session, "Runtime.callFunctionOn", std::move(params), timeout);
    if (auto e = exception_text(r); !e.empty())
        fail(error::javascript_error, "evaluate on element: " + e);
    auto const& v = r["result"];
    co_return v.contains("value") ? v["value"] : json();
}

task<json> do_evaluate(std::shared_ptr<page_impl> p, std::string expression, milliseconds timeout,
                       std::string frame_id)
{
    json params = {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}, {"userGesture", true}};
    auto const limit = timeout.count() > 0 ? timeout : p->command_timeout;
    auto const site = co_await frame_site(p, frame_id, clock::now() + limit, limit);
    if (site.context != 0)
        params["contextId"] = site.context;
    auto r = co_await call_on(p, site.session, "Runtime.evaluate", std::move(params), timeout);
    if (auto e = exception_text(r); !e.empty())
        fail(error::javascript_error, "evaluate: " + e);
    auto const& v = r["result"];
    if (v.contains("value"))
        co_return v["value"];
    if (v.contains("unserializableValue")) // NaN, Infinity, -0, bigint
        co_return v["unserializableValue"];
    co_return json();
}

task<element_handle> do_wait_for_selector(std::shared_ptr<page_impl> p, std::string css, wait_for_selector_options opts,
                                          std::string frame_id)
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
        auto r = co_await evaluate_in_document(p, frame_id, std::move(params), left);
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
                co_return element_handle(p, v["objectId"].get<std::string>(), r.session, frame_id);
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
        auto r = co_await evaluate_in_document(p, std::string(), std::move(params), left);
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

task<std::vector<element_handle>> do_query_all(std::shared_ptr<page_impl> p, std::string css, std::string frame_id)
{
    json params = {{"expression", "Array.from(document.querySelectorAll(" + js(css) + "))"}, {"returnByValue", false}};
    auto const site = co_await frame_site(p, frame_id, clock::now() + p->command_timeout, p->command_timeout);
    if (site.context != 0)
        params["contextId"] = site.context;
    auto r = co_await call_on(p, site.session, "Runtime.evaluate", std::move(params));
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
    auto list = co_await call_on(p, site.session, "Runtime.getProperties", std::move(props));
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
        out.emplace_back(p, std::move(id), site.session, frame_id);
    co_return out;
}


} // namespace detail

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

} // namespace weft::chromium
