// weft::chromium::page_event: what happens on a page (its requests and responses, console
// messages, dialogs, uncaught errors), as page::on and page::events deliver it.
#pragma once

#include <weft/async/task.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
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

/// Which events a wait or a stream takes (page::async_wait_for_request, page::events).
using event_predicate = std::function<bool(page_event const&)>;
/// An event_predicate taking the events of `kind` only.
event_predicate events_of(page_event_kind kind);

namespace detail
{
struct page_impl;
struct event_queue;
} // namespace detail

/// A page's events as an asynchronous stream, made by page::events(). It buffers what arrives
/// between two async_next() calls, up to its capacity; beyond it the oldest event is dropped and
/// counted, so a slow consumer never holds up the browser connection (nor other pages).
///
/// @par Lifetimes
/// Move-only; destroying it unsubscribes. It keeps the page's state alive, not the tab open.
/// @par Thread safety
/// Use it on the page's executor only.
class event_stream
{
public:
    event_stream(std::shared_ptr<detail::page_impl> page, std::shared_ptr<detail::event_queue> queue) noexcept;
    event_stream(event_stream&&) noexcept;
    event_stream& operator=(event_stream&&) noexcept;
    ~event_stream();

    /// The next event, waiting for it; nullopt once the page is closed (or its browser gone) and
    /// every event before that was taken.
    /// @throws weft::error::timed_out (== condition::timeout) when `timeout` passes first
    /// (0: wait as long as it takes). Cancellation: operation_aborted, the stream stays usable.
    task<std::optional<page_event>> async_next(std::chrono::milliseconds timeout = std::chrono::milliseconds(0));
    /// Events dropped because the consumer was more than the capacity behind.
    std::size_t dropped() const noexcept;
    /// Events buffered, not yet taken.
    std::size_t pending() const noexcept;

private:
    std::shared_ptr<detail::page_impl> page_;
    std::shared_ptr<detail::event_queue> queue_;
};

} // namespace weft::chromium
