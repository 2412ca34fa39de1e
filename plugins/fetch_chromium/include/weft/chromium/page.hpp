// weft::chromium::page: one browser tab: navigate, wait for the DOM, script, input, capture.
#pragma once

#include <weft/async/task.hpp>
#include <weft/chromium/element_handle.hpp>
#include <weft/chromium/error.hpp>
#include <weft/chromium/page_event.hpp>
#include <weft/html/document.hpp>
#include <weft/http/headers.hpp>
#include <weft/http/response.hpp>
#include <weft/http/wait_for_selector.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace weft::chromium
{

using weft::selector_state;
using weft::wait_for_selector_options;

class frame;
struct frame_info;
class frame_query;

/// When a navigation counts as finished (Puppeteer's waitUntil).
enum class wait_until
{
    load,             ///< the load event (images, scripts, stylesheets done)
    domcontentloaded, ///< the HTML is parsed
    networkidle,      ///< no network connection for 500 ms (Chromium's networkIdle lifecycle event)
};

/// Options written inline at a co_await: trivially destructible only (docs/ARCHITECTURE.md, trap 2).
struct goto_options
{
    chromium::wait_until wait_until = wait_until::load;
    std::chrono::milliseconds timeout{30'000};
};
static_assert(std::is_trivially_destructible_v<goto_options>);

enum class polling
{
    raf,      ///< on every animation frame
    mutation, ///< on every DOM mutation
    interval, ///< every `interval`
};

struct wait_for_function_options
{
    std::chrono::milliseconds timeout{30'000};
    chromium::polling polling = polling::raf;
    std::chrono::milliseconds interval{100}; ///< with polling::interval
};
static_assert(std::is_trivially_destructible_v<wait_for_function_options>);

/// Click, type and other input on a selector: the element is first waited for (visible).
struct input_options
{
    std::chrono::milliseconds timeout{30'000};
    std::chrono::milliseconds delay{0}; ///< between key strokes (async_type)
};
static_assert(std::is_trivially_destructible_v<input_options>);

struct screenshot_options
{
    bool full_page = false; ///< the whole scrollable page, not just the viewport
};
static_assert(std::is_trivially_destructible_v<screenshot_options>);

/// A cookie as the browser stores it. Setting one needs `url`, or `domain` and `path`.
struct cookie
{
    std::string name;
    std::string value;
    std::string domain;
    std::string path = "/";
    std::string url;     ///< only when setting: the URL the cookie is for
    double expires = -1; ///< seconds since the epoch; -1 a session cookie
    bool http_only = false;
    bool secure = false;
};

/// What page::async_emulate overrides; what is left unset stays as it is. It owns strings:
/// build it in a named variable, not inline at a co_await (docs/ARCHITECTURE.md, trap 2).
struct emulation
{
    struct viewport_size
    {
        int width = 800;
        int height = 600;
        double device_scale_factor = 1;
        bool mobile = false;
    };
    struct position
    {
        double latitude = 0;
        double longitude = 0;
        double accuracy = 1; ///< metres
    };
    std::optional<viewport_size> viewport;
    std::string user_agent;           ///< "": unchanged
    std::string timezone;             ///< IANA name, "Europe/Berlin"; "": unchanged
    std::string locale;               ///< "de-DE"; "": unchanged
    std::optional<position> geolocation; ///< navigator.geolocation answers it (permission granted)
    std::string color_scheme;         ///< prefers-color-scheme: "dark", "light"; "": unchanged
    std::optional<bool> offline;      ///< true: every request fails as without a network
};

/// page::async_pdf: Page.printToPDF's options. Lengths in inches (96 CSS pixels each). It owns a
/// string: build it in a named variable, not inline at a co_await (docs/ARCHITECTURE.md, trap 2).
struct pdf_options
{
    bool landscape = false;
    bool print_background = false; ///< print background colours and images
    double scale = 1;               ///< of the page's rendering, 0.1 to 2
    double paper_width = 8.5;       ///< US Letter; A4 is 8.27 x 11.7
    double paper_height = 11;
    double margin_top = 0.4;
    double margin_bottom = 0.4;
    double margin_left = 0.4;
    double margin_right = 0.4;
    std::string page_ranges;        ///< "1-3, 5"; "": every page
    bool prefer_css_page_size = false; ///< a CSS @page size wins over paper_width/height
};

/// A finished download (page::async_wait_for_download).
struct download
{
    std::string url;
    /// The name the server or the page suggested (Content-Disposition, <a download>): page
    /// content, never used for `path`; sanitize it before making a path of it.
    std::string suggested_filename;
    /// Where the file is: the directory given to async_set_download_dir, and a name Chromium
    /// chose (a GUID), not the page.
    std::string path;
    std::uint64_t bytes = 0;
};

/// page::async_authenticate: answers servers' 401 and proxies' 407 challenges.
struct credentials
{
    std::string username;
    std::string password;
};


/// page::async_wait_for_network_idle.
struct network_idle_options
{
    std::chrono::milliseconds idle{500};       ///< how long no request may be in flight
    std::chrono::milliseconds timeout{30'000};
};
static_assert(std::is_trivially_destructible_v<network_idle_options>);

/// Resource types Chromium reports (the DevTools Network.ResourceType), as bit flags.
enum class resource : std::uint32_t
{
    none = 0,
    document = 1u << 0,
    stylesheet = 1u << 1,
    image = 1u << 2,
    media = 1u << 3,
    font = 1u << 4,
    script = 1u << 5,
    xhr = 1u << 6,
    fetch = 1u << 7,
    other = 1u << 8,
};
constexpr resource operator|(resource a, resource b) noexcept
{
    return static_cast<resource>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
constexpr bool any(resource set, resource r) noexcept
{
    return (static_cast<std::uint32_t>(set) & static_cast<std::uint32_t>(r)) != 0;
}
/// "image" (or "images") -> resource::image; unknown names give resource::none.
resource resource_from_name(std::string_view devtools_name) noexcept;

/// Which requests a page aborts (request interception on the DevTools Fetch domain). A
/// non-aggregate built with fluent setters in a named variable:
///
///     auto filter = chromium::request_filter{}.block(resource::image | resource::font).abort_url("*/ads/*");
class request_filter
{
public:
    request_filter() = default;
    /// Aborts every request of these types.
    request_filter& block(resource types)
    {
        blocked_ = blocked_ | types;
        return *this;
    }
    /// Aborts every request whose URL matches `glob` ('*' any run of characters, '?' one).
    request_filter& abort_url(std::string glob)
    {
        url_globs_.push_back(std::move(glob));
        return *this;
    }
    /// Also aborts what the browser requests on its own, for no page: the site's favicon and
    /// prefetches; service worker registrations fail (as where service workers are off).
    request_filter& block_browser_requests(bool on = true)
    {
        browser_requests_ = on;
        return *this;
    }
    resource blocked() const noexcept { return blocked_; }
    std::vector<std::string> const& url_globs() const noexcept { return url_globs_; }
    bool blocks_browser_requests() const noexcept { return browser_requests_; }
    bool empty() const noexcept { return blocked_ == resource::none && url_globs_.empty() && !browser_requests_; }
    /// True when a request for `url` of type `type` is to be aborted.
    bool aborts(std::string_view url, resource type) const;

private:
    resource blocked_ = resource::none;
    std::vector<std::string> url_globs_;
    bool browser_requests_ = false;
};

/// One browser tab. Made by browser::async_new_page or a page_pool.
///
/// @par Errors
/// Every operation has a deadline (its options' timeout, else the browser's command_timeout)
/// and fails with a system_error: weft::error::timed_out or selector_timeout when it passes
/// (both == weft::condition::timeout, what() says what was waited for and for how long),
/// error::browser_closed when the browser died, error::page_closed when the tab closed or its
/// renderer crashed, error::javascript_error with the script's own message,
/// error::navigation_failed with Chromium's net error ("net::ERR_CONNECTION_REFUSED").
/// @par Cancellation
/// Terminal: the wait or command is abandoned (a command the browser already runs still
/// completes there) and operation_aborted is thrown.
/// @par Lifetimes
/// Move-only handle; operations keep what they need alive, so the handle may be moved or
/// destroyed while one is pending. Destroying it does not close the tab: async_close() does.
class page
{
public:
    explicit page(std::shared_ptr<detail::page_impl> impl) noexcept;
    page(page&&) noexcept = default;
    page& operator=(page&&) noexcept = default;
    ~page();

    /// Navigates to `url` and waits for `opts.wait_until`. Returns the main document's response
    /// (after redirects: status, headers, url = `url`, final_url); status 0 when the navigation
    /// stayed in the document (a #fragment) or had no HTTP response (about:blank, data:).
    task<http::response> async_goto(std::string url, goto_options opts = {});
    /// Waits for the next navigation of the main frame (one started by a click, a form, a script)
    /// to reach `opts.wait_until`; returns its response as async_goto does.
    task<http::response> async_wait_for_navigation(goto_options opts = {});
    /// Reloads the page.
    task<http::response> async_reload(goto_options opts = {});

    /// Waits until `css` reaches `opts.state` (watching DOM mutations, not polling the network).
    /// Returns the element for attached and visible, an empty handle for hidden and detached.
    /// Survives navigations while it waits (the check restarts in the new document).
    /// @throws weft::error::selector_timeout (== condition::timeout): what() names the
    /// selector, the state and the time waited. weft::error::bad_selector when `css` is invalid.
    task<element_handle> async_wait_for_selector(std::string css, wait_for_selector_options opts = {});
    /// Waits until the JavaScript expression (or function, which is called) `js` is truthy;
    /// returns its value. A throw fails at once with error::javascript_error.
    task<nlohmann::json> async_wait_for_function(std::string js, wait_for_function_options opts = {});
    /// Evaluates `js` (an expression; a Promise is awaited) and returns its value as JSON
    /// (undefined -> null). A throw becomes error::javascript_error with the JS message.
    task<nlohmann::json> async_evaluate(std::string js);
    /// Every element matching `css` now (no waiting).
    task<std::vector<element_handle>> async_query_all(std::string css);

    /// Every frame of the page (weft/chromium/frame.hpp): the main frame first, parents before
    /// their children, out-of-process (cross-origin) iframes included.
    task<std::vector<frame_info>> async_frames();
    /// The first frame `q` matches (by name, URL glob or <iframe> selector), waiting up to
    /// `timeout` for it to appear. @throws weft::error::timed_out naming the query.
    task<frame> async_frame(frame_query q, std::chrono::milliseconds timeout = std::chrono::milliseconds(30'000));
    /// The main frame, as a frame handle.
    frame main_frame() const;

    /// Waits for `css` to be visible, then clicks it (element_handle::async_click).
    task<void> async_click(std::string css, input_options opts = {});
    /// Waits for `css` to be visible, focuses it and types `text` key by key.
    task<void> async_type(std::string css, std::string text, input_options opts = {});

    /// The rendered HTML (doctype and document.documentElement.outerHTML), as Puppeteer's content().
    task<std::string> async_content();
    /// async_content() parsed into a weft::html::document.
    task<html::document> async_document();
    /// document.title.
    task<std::string> async_title();
    /// location.href.
    task<std::string> async_url();
    /// A PNG of the viewport, or of the whole page.
    task<std::string> async_screenshot(screenshot_options opts = {});
    /// The page printed as a PDF (its bytes, "%PDF-..."), with print CSS media.
    /// @throws error::protocol_error naming the page ranges when Chromium refuses them (a syntax
    /// error, or a range past the last page).
    task<std::string> async_pdf(pdf_options opts = {});

    /// Sets the files of the <input type=file> matching `css` (waited for, attached), as
    /// element_handle::async_upload_files.
    task<void> async_upload(std::string css, std::vector<std::string> paths, input_options opts = {});
    /// Downloads of this page's browser context go to `dir` (an existing directory), each under
    /// a name Chromium chooses; async_wait_for_download reports them. Until then downloads are
    /// refused, as by a headless browser.
    task<void> async_set_download_dir(std::string dir);
    /// Waits until the oldest download of this page not yet reported completes; returns it.
    /// @throws weft::error::timed_out after `timeout`; error::navigation_failed when it was
    /// cancelled or failed; std::logic_error without async_set_download_dir first.
    task<download> async_wait_for_download(std::chrono::milliseconds timeout = std::chrono::milliseconds(30'000));
    /// Answers later HTTP authentication challenges (a server's 401, a proxy's 407) with `c`,
    /// once per request. When the server or proxy rejects them for the main document,
    /// async_goto fails with error::navigation_failed naming it, the user and the status
    /// (a subresource just gets its 401). An empty username stops answering.
    task<void> async_authenticate(credentials c);

    /// Headers sent with every later request of this page (replaces earlier ones).
    task<void> async_set_extra_headers(http::headers h);
    task<void> async_set_user_agent(std::string user_agent);
    /// Cookies for `urls` (empty: for the current page).
    task<std::vector<cookie>> async_cookies(std::vector<std::string> urls = {});
    task<void> async_set_cookies(std::vector<cookie> cookies);
    /// Intercepts this page's requests and aborts those `filter` matches (they fail with
    /// net::ERR_BLOCKED_BY_CLIENT and never reach the network); an empty filter stops
    /// intercepting.
    task<void> async_set_request_filter(request_filter filter);

    /// Calls `handler` with every event of this page from now on, on the page's executor, until
    /// the returned subscription is destroyed. The handler must not throw (what it throws is
    /// dropped) nor block.
    event_subscription on(std::function<void(page_event const&)> handler);
    /// This page's events from now on as a stream (those `match` accepts, all when empty):
    ///
    ///     auto events = page.events(chromium::events_of(chromium::page_event_kind::response));
    ///     while (auto e = co_await events.async_next()) ...
    ///
    /// When the consumer falls behind by more than `capacity` events, the oldest are dropped and
    /// counted (event_stream::dropped()): the page's events arrive on the browser connection's
    /// read loop, which must never wait for a consumer.
    event_stream events(event_predicate match = {}, std::size_t capacity = 1024);
    /// Waits for the next request (each redirect hop is one) that `match` accepts; returns it.
    /// @throws weft::error::timed_out (== condition::timeout) after `timeout`.
    task<page_event> async_wait_for_request(event_predicate match,
                                            std::chrono::milliseconds timeout = std::chrono::milliseconds(30'000));
    /// Waits for the next response that `match` accepts; returns it (url, status, resource type).
    task<page_event> async_wait_for_response(event_predicate match,
                                             std::chrono::milliseconds timeout = std::chrono::milliseconds(30'000));
    /// Waits until no request of the page has been in flight for `opts.idle`.
    task<void> async_wait_for_network_idle(network_idle_options opts = {});
    /// How later dialogs are answered: accepted (the default, with `prompt_text` for a prompt)
    /// or dismissed. Every dialog is answered at once: an open one would stop the page's scripts.
    void set_dialog_answer(bool accept, std::string prompt_text = {});

    /// Overrides what `e` sets (Emulation and Network domains); the page keeps it across
    /// navigations. Reload for a viewport, locale or timezone to apply to the current document.
    task<void> async_emulate(emulation e);
    /// Removes every cookie of the page's browser context.
    task<void> async_clear_cookies();

    /// Closes the tab. Pending operations on it fail with error::page_closed.
    task<void> async_close();
    /// True once closed, crashed, or its browser is gone.
    bool is_closed() const noexcept;
    /// The DevTools target id (also the main frame's id).
    std::string const& target_id() const noexcept;
    /// Requests this page aborted through its filter.
    std::size_t blocked_requests() const noexcept;
    /// The requests this page made through its filter (while one is set) by resource type
    /// ("document", "stylesheet", "image", "media", "font", "script", "xhr", "fetch", "other"),
    /// those it aborted among them; the browser's own requests are not counted.
    std::map<std::string, http::subresource_count> const& requests_by_type() const noexcept;
    /// Starts requests_by_type() afresh.
    void reset_request_counts() noexcept;

    std::shared_ptr<detail::page_impl> const& impl() const noexcept { return impl_; }

private:
    std::shared_ptr<detail::page_impl> impl_;
};

} // namespace weft::chromium

// The frame handle needs page's options; it completes the declarations above.
#include <weft/chromium/frame.hpp>
