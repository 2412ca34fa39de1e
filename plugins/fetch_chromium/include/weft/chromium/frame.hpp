// weft::chromium::frame: a document inside a page (an <iframe>'s, or the main one), cross-origin
// ones in their own renderer process included.
#pragma once

#include <weft/async/task.hpp>
#include <weft/chromium/element_handle.hpp>
#include <weft/chromium/page.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace weft::chromium
{

/// One frame of a page, as page::async_frames lists it.
struct frame_info
{
    std::string id;        ///< DevTools' frame id; the main frame's is the page's target_id()
    std::string name;      ///< the <iframe name=...> (or window.name); "" when it has none
    std::string url;       ///< the document's URL
    std::string parent_id; ///< "" for the main frame
    /// Rendered by another process than its parent (a cross-origin iframe under site isolation):
    /// weft reaches it through its own DevTools session, transparently.
    bool out_of_process = false;
};

/// Which frame page::async_frame finds: by name, by URL ('*' any run, '?' one character) or by
/// the <iframe> element a CSS selector matches in the main document. A non-aggregate: build it
/// with one of the factories, in a named variable or as a call's argument.
class frame_query
{
public:
    enum class by
    {
        name,
        url,
        selector,
    };
    static frame_query name(std::string n) { return frame_query(by::name, std::move(n)); }
    static frame_query url(std::string glob) { return frame_query(by::url, std::move(glob)); }
    static frame_query selector(std::string css) { return frame_query(by::selector, std::move(css)); }
    by kind() const noexcept { return kind_; }
    std::string const& value() const noexcept { return value_; }
    /// "name \"x\"", "url \"*/ad/*\"", "selector \"iframe#pay\"": for messages.
    std::string describe() const;

private:
    frame_query(by k, std::string v) : kind_(k), value_(std::move(v)) {}
    by kind_;
    std::string value_;
};

/// A frame of a page: scripts, queries and input run inside its document (its main world, where
/// its own scripts' globals are). Survives the frame's navigations: each operation runs in the
/// document the frame shows then, waiting (within its deadline) for one while it loads.
///
/// @par Errors
/// As page's: weft::error::timed_out / selector_timeout (== condition::timeout) when the frame has
/// no document within the deadline (it was removed, or never loads), error::javascript_error,
/// error::page_closed, error::browser_closed.
/// @par Lifetimes
/// A cheap copyable handle; the page's operations keep what they need alive.
class frame
{
public:
    frame(std::shared_ptr<detail::page_impl> page, std::string id) noexcept;

    std::string const& id() const noexcept { return id_; }
    /// Evaluates `js` in the frame's document as page::async_evaluate does in the main one.
    task<nlohmann::json> async_evaluate(std::string js,
                                        std::chrono::milliseconds timeout = std::chrono::milliseconds(30'000)) const;
    /// Every element of the frame's document matching `css` now.
    task<std::vector<element_handle>> async_query_all(std::string css) const;
    /// As page::async_wait_for_selector, inside the frame.
    task<element_handle> async_wait_for_selector(std::string css, wait_for_selector_options opts = {}) const;
    /// Waits for `css` to be visible in the frame, then clicks it with real mouse events (at its
    /// place in the page: the frames' offsets are added up).
    task<void> async_click(std::string css, input_options opts = {}) const;
    /// Waits for `css` to be visible in the frame, focuses it and types `text`.
    task<void> async_type(std::string css, std::string text, input_options opts = {}) const;
    /// The frame's rendered HTML, as page::async_content.
    task<std::string> async_content() const;
    /// The frame document's location.href.
    task<std::string> async_url() const;

private:
    std::shared_ptr<detail::page_impl> page_;
    std::string id_;
};

} // namespace weft::chromium
