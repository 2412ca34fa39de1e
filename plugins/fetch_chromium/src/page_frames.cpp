// A page's frames: out-of-process iframes auto-attached as DevTools sessions of their own, each
// frame's execution context tracked, the frame tree listed, and the frame handle's operations.
#include <weft/chromium/frame.hpp>

#include "frames.hpp"
#include "input.hpp"
#include "page_javascript.hpp"

#include <weft/async/timeout_error.hpp>

#include <algorithm>

namespace weft::chromium
{

namespace detail
{

void page_impl::track_context(std::string const& session, std::string const& method, json const& params)
{
    if (method == "Runtime.executionContextCreated")
    {
        auto const& c = params.contains("context") ? params["context"] : json::object();
        auto const aux = c.value("auxData", json::object());
        auto const frame = aux.value("frameId", std::string());
        if (frame.empty() || !aux.value("isDefault", false))
            return; // an isolated world, a worker
        contexts[frame] = frame_context{session, c.value("id", 0L)};
        changed.notify();
    }
    // Erased, not zeroed: a page reused for thousands of documents keeps no trace of their frames
    // (a frame without an entry has no document, as one with id 0).
    else if (method == "Runtime.executionContextDestroyed")
    {
        auto const id = params.value("executionContextId", 0L);
        std::erase_if(contexts, [&](auto const& c) { return c.second.session == session && c.second.id == id; });
    }
    else if (method == "Runtime.executionContextsCleared")
        std::erase_if(contexts, [&](auto const& c) { return c.second.session == session; });
}

void page_impl::on_target_event(std::string const& method, json const& params)
{
    auto const child = params.value("sessionId", std::string());
    if (method == "Target.attachedToTarget")
    {
        auto const info = params.value("targetInfo", json::object());
        if (info.value("type", std::string()) != "iframe")
        {
            // A dedicated worker: let it run, and leave it alone.
            conn->post_call("Runtime.runIfWaitingForDebugger", json::object(), child);
            json detach = {{"sessionId", child}};
            conn->post_call("Target.detachFromTarget", std::move(detach), session_id);
            return;
        }
        auto w = weak_from_this();
        auto sub = conn->subscribe(child,
                                   [w, child](std::string const& m, json const& p)
                                   {
                                       if (auto s = w.lock())
                                           s->on_child_event(child, m, p);
                                   });
        children[child] = child_session{info.value("targetId", std::string()), std::move(sub)};
        // The iframe waits for these before it runs (waitForDebuggerOnStart): its requests go
        // through the page's filter and its first context is seen. In order on one session.
        if (intercepting)
            conn->post_call("Fetch.enable", interception(), child);
        conn->post_call("Runtime.enable", json::object(), child);
        conn->post_call("Page.enable", json::object(), child);
        json nested = {{"autoAttach", true}, {"waitForDebuggerOnStart", true}, {"flatten", true}};
        conn->post_call("Target.setAutoAttach", std::move(nested), child);
        conn->post_call("Runtime.runIfWaitingForDebugger", json::object(), child);
        changed.notify();
    }
    else if (method == "Target.detachedFromTarget")
    {
        auto it = children.find(child);
        if (it == children.end())
            return;
        it->second.sub->active = false;
        children.erase(it);
        std::erase_if(contexts, [&](auto const& c) { return c.second.session == child; });
        changed.notify();
    }
}

void page_impl::on_child_event(std::string const& session, std::string const& method, json const& params)
{
    if (method.empty()) // the connection closed
        return;
    if (method.starts_with("Runtime.executionContext"))
        track_context(session, method, params);
    else if (method.starts_with("Target."))
        on_target_event(method, params); // a nested out-of-process iframe
    else if (method == "Fetch.requestPaused")
        on_request_paused(params, session);
    else if (method == "Fetch.authRequired")
        on_auth_required(params, session);
    else if (method.starts_with("Page.frame"))
        changed.notify(); // async_frame may be waiting for it
}

task<script_site> frame_site(std::shared_ptr<page_impl> p, std::string frame_id, clock::time_point deadline,
                             milliseconds limit)
{
    if (frame_id.empty() || frame_id == p->target_id)
        co_return script_site{p->session_id, 0};
    auto* raw = p.get();
    // named first: GCC 12 double-frees lambdas with owning captures in co_await (docs/ARCHITECTURE.md, trap 2)
    std::function<bool()> has_document = [raw, frame_id]
    {
        auto it = raw->contexts.find(frame_id);
        return it != raw->contexts.end() && it->second.id != 0;
    };
    auto what = "frame " + frame_id + " to have a document (was it removed?)";
    co_await wait_state(p, std::move(has_document), deadline, std::move(what), limit);
    auto const& c = p->contexts[frame_id];
    co_return script_site{c.session, c.id};
}

namespace
{

void add_tree(std::vector<listed_frame>& out, json const& node, std::string const& session, bool own_process)
{
    auto const& f = node.contains("frame") ? node["frame"] : json::object();
    listed_frame l;
    l.info.id = f.value("id", std::string());
    l.info.name = f.value("name", std::string());
    l.info.url = f.value("url", std::string()) + f.value("urlFragment", std::string());
    l.info.parent_id = f.value("parentId", std::string());
    l.info.out_of_process = own_process;
    l.session = session;
    // An out-of-process frame's own session knows it best: it replaces what its parent said.
    auto it = std::find_if(out.begin(), out.end(), [&](auto const& e) { return e.info.id == l.info.id; });
    if (it != out.end())
        *it = std::move(l);
    else
        out.push_back(std::move(l));
    for (auto const& child : node.value("childFrames", json::array()))
        add_tree(out, child, session, false);
}

} // namespace

task<std::vector<listed_frame>> list_frames(std::shared_ptr<page_impl> p)
{
    std::vector<listed_frame> out;
    auto main = co_await call(p, "Page.getFrameTree", json::object());
    add_tree(out, main.value("frameTree", json::object()), p->session_id, false);
    std::vector<std::string> sessions;
    for (auto const& [session, child] : p->children)
        sessions.push_back(session);
    for (auto const& session : sessions)
    {
        json tree;
        try
        {
            tree = co_await call_on(p, session, "Page.getFrameTree", json::object());
        }
        catch (system_error const& e)
        {
            if (e.code() != error::protocol_error)
                throw;
            continue; // the iframe went away meanwhile
        }
        add_tree(out, tree.value("frameTree", json::object()), session, true);
    }
    co_return out;
}

task<std::pair<double, double>> frame_offset(std::shared_ptr<page_impl> p, std::string frame_id)
{
    std::pair<double, double> at{0, 0};
    if (frame_id.empty() || frame_id == p->target_id)
        co_return at;
    auto const frames = co_await list_frames(p);
    auto find = [&](std::string const& id) -> listed_frame const*
    {
        auto it = std::find_if(frames.begin(), frames.end(), [&](auto const& f) { return f.info.id == id; });
        return it == frames.end() ? nullptr : &*it;
    };
    for (auto const* f = find(frame_id); f && !f->info.parent_id.empty();)
    {
        auto const* parent = find(f->info.parent_id);
        if (!parent)
            break;
        // The <iframe> in the parent's document (asked of the parent's session, also for an
        // out-of-process child), and where its content box starts.
        json owner_q = {{"frameId", f->info.id}};
        auto owner = co_await call_on(p, parent->session, "DOM.getFrameOwner", std::move(owner_q));
        json resolve = {{"backendNodeId", owner.value("backendNodeId", 0)}};
        auto node = co_await call_on(p, parent->session, "DOM.resolveNode", std::move(resolve));
        auto const object = node["object"].value("objectId", std::string());
        auto box = co_await call_function_on(
            p, parent->session, object,
            "function() { const r = this.getBoundingClientRect(), s = getComputedStyle(this);"
            " return {x: r.left + this.clientLeft + parseFloat(s.paddingLeft),"
            " y: r.top + this.clientTop + parseFloat(s.paddingTop)}; }",
            json::array());
        at.first += box.value("x", 0.0);
        at.second += box.value("y", 0.0);
        f = parent;
    }
    co_return at;
}

namespace
{

// The frame the <iframe> matching `css` in the main document shows, or "" when none matches yet.
task<std::string> frame_of_element(std::shared_ptr<page_impl> p, std::string css, std::string what)
{
    json params = {{"expression", "document.querySelector(" + js(css) + ")"}, {"returnByValue", false}};
    auto r = co_await call(p, "Runtime.evaluate", std::move(params));
    if (auto e = exception_text(r); !e.empty())
    {
        if (e.find("not a valid selector") != std::string::npos)
            throw_error(make_error_code(weft::error::bad_selector), what + ": " + e);
        fail(error::javascript_error, what + ": " + e);
    }
    auto const object = r["result"].value("objectId", std::string());
    if (object.empty())
        co_return std::string();
    json describe = {{"objectId", object}};
    auto d = co_await call(p, "DOM.describeNode", std::move(describe));
    auto const& node = d["node"];
    auto const tag = node.value("localName", std::string());
    if (tag != "iframe" && tag != "frame")
        fail(error::javascript_error, what + ": it matches a <" + tag + ">, not an <iframe>");
    co_return node.value("frameId", std::string());
}

task<frame> find_frame(std::shared_ptr<page_impl> p, frame_query q, milliseconds timeout)
{
    auto const deadline = clock::now() + timeout;
    auto const what = "frame(" + q.describe() + ")";
    for (;;)
    {
        std::string found;
        if (q.kind() == frame_query::by::selector)
            found = co_await frame_of_element(p, q.value(), what);
        else
        {
            auto const frames = co_await list_frames(p);
            for (auto const& f : frames)
                if (q.kind() == frame_query::by::name ? f.info.name == q.value() : glob_match(q.value(), f.info.url))
                {
                    found = f.info.id;
                    break;
                }
        }
        if (!found.empty())
            co_return frame(p, std::move(found));
        auto const now = clock::now();
        if (now >= deadline)
            throw timeout_error(what, timeout);
        // Woken by frame events; polled too, as an iframe's own session attaches on its own time.
        co_await p->changed.async_wait(std::min(now + milliseconds(100), deadline));
        p->check_usable(what);
    }
}

task<std::vector<frame_info>> frames_of(std::shared_ptr<page_impl> p)
{
    auto listed = co_await list_frames(std::move(p));
    std::vector<frame_info> out;
    for (auto& l : listed)
        out.push_back(std::move(l.info));
    co_return out;
}

task<element_handle> visible_in(std::shared_ptr<page_impl> p, std::string frame_id, std::string css,
                                input_options opts)
{
    wait_for_selector_options w;
    w.state = selector_state::visible;
    w.timeout = opts.timeout;
    co_return co_await do_wait_for_selector(std::move(p), std::move(css), w, std::move(frame_id));
}

task<void> click_in(std::shared_ptr<page_impl> p, std::string frame_id, std::string css, input_options opts)
{
    auto el = co_await visible_in(p, std::move(frame_id), std::move(css), opts);
    co_await el.async_click();
}

task<void> type_in(std::shared_ptr<page_impl> p, std::string frame_id, std::string css, std::string text,
                   input_options opts)
{
    auto el = co_await visible_in(p, std::move(frame_id), std::move(css), opts);
    co_await el.async_type(std::move(text));
}

task<std::string> string_in(std::shared_ptr<page_impl> p, std::string frame_id, std::string expression)
{
    auto v = co_await do_evaluate(std::move(p), std::move(expression), {}, std::move(frame_id));
    co_return v.is_string() ? v.get<std::string>() : std::string();
}

} // namespace

} // namespace detail

std::string frame_query::describe() const
{
    char const* k = kind_ == by::name ? "name" : kind_ == by::url ? "url" : "selector";
    return std::string(k) + " " + detail::js(value_);
}

frame::frame(std::shared_ptr<detail::page_impl> page, std::string id) noexcept : page_(std::move(page)), id_(std::move(id))
{
}

task<nlohmann::json> frame::async_evaluate(std::string js, std::chrono::milliseconds timeout) const
{
    return detail::do_evaluate(page_, std::move(js), timeout, id_);
}

task<std::vector<element_handle>> frame::async_query_all(std::string css) const
{
    return detail::do_query_all(page_, std::move(css), id_);
}

task<element_handle> frame::async_wait_for_selector(std::string css, wait_for_selector_options opts) const
{
    return detail::do_wait_for_selector(page_, std::move(css), opts, id_);
}

task<void> frame::async_click(std::string css, input_options opts) const
{
    return detail::click_in(page_, id_, std::move(css), opts);
}

task<void> frame::async_type(std::string css, std::string text, input_options opts) const
{
    return detail::type_in(page_, id_, std::move(css), std::move(text), opts);
}

task<std::string> frame::async_content() const
{
    return detail::string_in(page_, id_, detail::content_js);
}

task<std::string> frame::async_url() const
{
    return detail::string_in(page_, id_, "location.href");
}

task<std::vector<frame_info>> page::async_frames()
{
    return detail::frames_of(impl_);
}

task<frame> page::async_frame(frame_query q, std::chrono::milliseconds timeout)
{
    return detail::find_frame(impl_, std::move(q), timeout);
}

frame page::main_frame() const
{
    return frame(impl_, impl_->target_id);
}

} // namespace weft::chromium
