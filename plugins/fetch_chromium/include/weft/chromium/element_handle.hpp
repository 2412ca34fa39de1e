// weft::chromium::element_handle: a DOM element living in a page (a remote object id).
#pragma once

#include <weft/async/task.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

namespace weft::chromium
{

namespace detail
{
struct page_impl;
}

/// A reference to an element of a page, as returned by page::async_wait_for_selector. Cheap to
/// copy. Valid until the page navigates away or closes; after that every call fails with
/// error::protocol_error ("Could not find object with given id").
///
/// An empty handle (operator bool false) is what waiting for `hidden` or `detached` returns;
/// calls on it throw std::logic_error.
class element_handle
{
public:
    element_handle() = default;
    element_handle(std::shared_ptr<detail::page_impl> page, std::string object_id);

    explicit operator bool() const noexcept { return !object_id_.empty(); }
    /// The DevTools RemoteObjectId.
    std::string const& object_id() const noexcept { return object_id_; }

    /// The element's textContent.
    task<std::string> async_text() const;
    /// The attribute's value, or nullopt when the element has none.
    task<std::optional<std::string>> async_attr(std::string name) const;
    /// The element's outerHTML.
    task<std::string> async_outer_html() const;
    /// Scrolls the element into view and clicks its centre with real mouse events.
    task<void> async_click() const;
    /// Focuses the element and types `text` key by key.
    task<void> async_type(std::string text) const;
    /// Calls `function_js` (e.g. "el => el.value") with the element; returns its JSON value
    /// (a Promise is awaited). A throw becomes error::javascript_error with the JS message.
    task<nlohmann::json> async_evaluate(std::string function_js) const;

private:
    std::shared_ptr<detail::page_impl> page_;
    std::string object_id_;
};

} // namespace weft::chromium
