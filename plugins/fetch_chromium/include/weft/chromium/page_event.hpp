// weft::chromium::page_event: what happens on a page (its requests and responses, console
// messages, dialogs, uncaught errors), as page::on delivers it.
#pragma once

#include <memory>
#include <string>

namespace weft::chromium
{

enum class page_event_kind
{
    request,        ///< the page sent a request (each redirect hop too)
    response,       ///< a response's headers arrived
    request_failed, ///< a request ended without a response (refused, aborted, blocked)
    console,        ///< console.log, .warn, .error ...
    dialog,         ///< alert, confirm, prompt, beforeunload (answered as page::set_dialog_answer says)
    page_error,     ///< an exception no script caught
};

/// One event; the fields that do not apply to its kind are empty.
struct page_event
{
    page_event_kind kind = page_event_kind::request;
    std::string url;           ///< request, response, request_failed: the request's URL
    std::string method;        ///< request: "GET", "POST" ...
    std::string resource_type; ///< request, response, request_failed: DevTools' "Document", "Script" ...
    int status = 0;            ///< response
    /// console: "log", "warning", "error" ...; dialog: "alert", "confirm", "prompt", "beforeunload"
    std::string type;
    /// console: its arguments joined by spaces; dialog: its message; page_error: the exception
    /// ("Error: boom"); request_failed: Chromium's net error ("net::ERR_CONNECTION_REFUSED").
    std::string text;
};

/// Keeps a page::on handler subscribed: destroying it or reset() unsubscribes. Move-only.
class event_subscription
{
public:
    event_subscription() = default;
    explicit event_subscription(std::shared_ptr<void> token) noexcept : token_(std::move(token)) {}
    void reset() noexcept { token_.reset(); }
    bool active() const noexcept { return token_ != nullptr; }

private:
    std::shared_ptr<void> token_;
};

} // namespace weft::chromium
