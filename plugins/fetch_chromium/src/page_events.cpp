// A page's events: DevTools' Network, Runtime and dialog events as page_events to page::on's
// handlers, and the waits built on them (a request, a response, network idle).
#include <weft/chromium/page.hpp>

#include "page_impl.hpp"
#include "page_javascript.hpp"

#include <weft/async/timeout_error.hpp>

#include <algorithm>

namespace weft::chromium
{

namespace detail
{

namespace
{

// A console.log argument as the console prints it: strings bare, numbers and literals as
// written, objects by their description ("Array(3)", "HTMLDivElement").
std::string console_text(json const& args)
{
    std::string out;
    for (auto const& a : args)
    {
        if (!out.empty())
            out += ' ';
        if (auto v = a.find("value"); v != a.end())
            out += v->is_string() ? v->get<std::string>() : v->dump();
        else if (auto u = a.find("unserializableValue"); u != a.end() && u->is_string())
            out += u->get<std::string>();
        else
            out += a.value("description", a.value("type", std::string()));
    }
    return out;
}

constexpr std::size_t in_flight_limit = 10'000; // a page that never finishes its requests

} // namespace

void page_impl::emit(page_event const& e)
{
    auto const handlers = listeners; // a handler may subscribe or unsubscribe
    std::erase_if(listeners, [](auto const& w) { return w.expired(); });
    for (auto const& w : handlers)
        if (auto h = w.lock())
        {
            try
            {
                (*h)(e);
            }
            catch (...) // page::on: the handler's business, not the connection's
            {
            }
        }
    changed.notify();
}

void page_impl::on_network_event(std::string const& method, json const& params)
{
    auto const id = params.value("requestId", std::string());
    if (method == "Network.requestWillBeSent")
    {
        page_event e;
        e.kind = page_event_kind::request;
        if (auto r = params.find("request"); r != params.end())
        {
            e.url = r->value("url", std::string());
            e.method = r->value("method", std::string());
        }
        e.resource_type = params.value("type", std::string());
        if (in_flight.size() >= in_flight_limit)
            in_flight.clear();
        in_flight[id] = e;
        network_changed = clock::now();
        emit(e);
    }
    else if (method == "Network.responseReceived")
    {
        page_event e;
        e.kind = page_event_kind::response;
        e.resource_type = params.value("type", std::string());
        if (auto r = params.find("response"); r != params.end())
        {
            e.url = r->value("url", std::string());
            e.status = r->value("status", 0);
        }
        if (auto it = in_flight.find(id); it != in_flight.end())
            e.method = it->second.method;
        emit(e);
    }
    else if (method == "Network.loadingFinished")
    {
        if (in_flight.erase(id))
        {
            network_changed = clock::now();
            changed.notify();
        }
    }
    else if (method == "Network.loadingFailed")
    {
        page_event e;
        e.kind = page_event_kind::request_failed;
        if (auto it = in_flight.find(id); it != in_flight.end())
        {
            e = it->second;
            e.kind = page_event_kind::request_failed;
            in_flight.erase(it);
        }
        e.resource_type = params.value("type", e.resource_type);
        e.text = params.value("errorText", std::string());
        network_changed = clock::now();
        emit(e);
    }
}

void page_impl::on_runtime_event(std::string const& method, json const& params)
{
    page_event e;
    if (method == "Runtime.consoleAPICalled")
    {
        e.kind = page_event_kind::console;
        e.type = params.value("type", std::string());
        e.text = console_text(params.value("args", json::array()));
    }
    else if (method == "Runtime.exceptionThrown")
    {
        e.kind = page_event_kind::page_error;
        e.text = exception_text(params);
    }
    else
        return;
    emit(e);
}

void page_impl::on_dialog(json const& params)
{
    page_event e;
    e.kind = page_event_kind::dialog;
    e.type = params.value("type", std::string());
    e.text = params.value("message", std::string());
    e.url = params.value("url", std::string());
    json answer = {{"accept", dialog_accept}};
    if (dialog_accept && e.type == "prompt")
        answer["promptText"] = dialog_prompt_text.empty() ? params.value("defaultPrompt", std::string())
                                                          : dialog_prompt_text;
    conn->post_call("Page.handleJavaScriptDialog", std::move(answer), session_id);
    emit(e);
}

namespace
{

task<page_event> wait_for_event(std::shared_ptr<page_impl> p, page_event_kind kind, event_predicate match,
                                milliseconds timeout, std::string what)
{
    auto got = std::make_shared<std::optional<page_event>>();
    auto handler = std::make_shared<std::function<void(page_event const&)>>(
        [got, kind, match = std::move(match)](page_event const& e)
        {
            if (!*got && e.kind == kind && (!match || match(e)))
                *got = e;
        });
    p->listeners.push_back(handler);
    // named first: GCC 12 double-frees lambdas with owning captures in co_await (docs/ARCHITECTURE.md, trap 2)
    std::function<bool()> arrived = [got] { return got->has_value(); };
    co_await wait_state(p, std::move(arrived), clock::now() + timeout, std::move(what), timeout);
    co_return std::move(**got);
}

task<void> wait_for_network_idle(std::shared_ptr<page_impl> p, network_idle_options opts)
{
    auto const deadline = clock::now() + opts.timeout;
    for (;;)
    {
        p->check_usable("wait_for_network_idle");
        auto const now = clock::now();
        if (p->in_flight.empty() && now - p->network_changed >= opts.idle)
            co_return;
        if (now >= deadline)
            throw timeout_error("wait_for_network_idle (" + std::to_string(p->in_flight.size()) +
                                    " requests in flight)",
                                opts.timeout);
        // Woken by every request starting or ending; else when the quiet time would be over.
        auto const wake = p->in_flight.empty() ? std::min(p->network_changed + opts.idle, deadline) : deadline;
        co_await p->changed.async_wait(wake);
    }
}

} // namespace

} // namespace detail

event_subscription page::on(std::function<void(page_event const&)> handler)
{
    auto h = std::make_shared<std::function<void(page_event const&)>>(std::move(handler));
    impl_->listeners.push_back(h);
    return event_subscription(std::move(h));
}

task<page_event> page::async_wait_for_request(event_predicate match, std::chrono::milliseconds timeout)
{
    return detail::wait_for_event(impl_, page_event_kind::request, std::move(match), timeout, "wait_for_request");
}

task<page_event> page::async_wait_for_response(event_predicate match, std::chrono::milliseconds timeout)
{
    return detail::wait_for_event(impl_, page_event_kind::response, std::move(match), timeout, "wait_for_response");
}

task<void> page::async_wait_for_network_idle(network_idle_options opts)
{
    return detail::wait_for_network_idle(impl_, opts);
}

void page::set_dialog_answer(bool accept, std::string prompt_text)
{
    impl_->dialog_accept = accept;
    impl_->dialog_prompt_text = std::move(prompt_text);
}

} // namespace weft::chromium
