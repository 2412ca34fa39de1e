// weft::chromium::element_handle: a DOM element living in a page (a remote object id).
#pragma once

#include <weft/async/task.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

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
    /// An element of the frame `frame_id`, whose object lives in DevTools session `session` (an
    /// out-of-process iframe's; "" the page's own).
    element_handle(std::shared_ptr<detail::page_impl> page, std::string object_id, std::string session,
                   std::string frame_id);

    explicit operator bool() const noexcept { return !object_id_.empty(); }
    /// The DevTools RemoteObjectId.
    std::string const& object_id() const noexcept { return object_id_; }
    /// The id of the frame the element is in; "" for the main frame.
    std::string const& frame_id() const noexcept { return frame_id_; }

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
    /// Sets the files of this <input type=file> (DOM.setFileInputFiles) and fires its input and
    /// change events, as a user choosing them would. The paths are made absolute; an empty list
    /// clears the choice.
    /// @throws system_error (errc::no_such_file_or_directory) naming the first path that is not
    /// a regular file, before anything is sent; error::javascript_error when
    /// the element is not a file input.
    task<void> async_upload_files(std::vector<std::string> paths) const;
    /// Calls `function_js` (e.g. "el => el.value") with the element; returns its JSON value
    /// (a Promise is awaited). A throw becomes error::javascript_error with the JS message.
    task<nlohmann::json> async_evaluate(std::string function_js) const;

private:
    std::shared_ptr<detail::page_impl> page_;
    std::string object_id_;
    std::string session_; // "" the page's session
    std::string frame_id_;
};

} // namespace weft::chromium
