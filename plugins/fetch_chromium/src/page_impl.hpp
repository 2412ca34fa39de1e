// Private to fetch_chromium: a page's state, kept current by its events, and the commands and
// waits every page operation builds on.
#pragma once

#include <weft/chromium/page.hpp>
#include <weft/http/response.hpp>

#include "connection.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace weft::chromium::detail
{

/// A page's state, kept current by its event subscription.
struct page_impl : std::enable_shared_from_this<page_impl>
{
    page_impl(std::shared_ptr<connection> c, std::string target, std::string session, milliseconds command_timeout);
    ~page_impl();

    std::shared_ptr<connection> conn;
    std::string target_id; // == the main frame id
    std::string session_id;
    milliseconds command_timeout;
    notifier changed;
    std::shared_ptr<connection::subscription> sub;         // this page's session
    std::shared_ptr<connection::subscription> browser_sub; // browser-level events (detach)

    // Main frame navigations: the current loader (document) and the lifecycle events each
    // loader reached; main-document responses per loader.
    std::string loader;
    std::uint64_t navigations = 0;
    std::map<std::string, std::set<std::string>> lifecycle;
    std::map<std::string, http::response> responses;
    std::map<std::string, int> redirects;
    std::map<std::string, std::string> nav_errors; // loader -> net error (loadingFailed)
    bool closed = false;
    std::string closed_reason;

    request_filter filter;
    bool intercepting = false;
    std::string interception_sent = "null"; // interception() as last applied
    std::string no_service_workers; // the script refusing them (its identifier), while installed
    std::size_t blocked = 0;
    std::map<std::string, http::subresource_count> requests_by_type; // page::requests_by_type()

    // page::on's handlers (expired ones are dropped as events go out), the requests in flight
    // (request id -> its request event) and when that set last changed, for network idle.
    std::vector<std::weak_ptr<std::function<void(page_event const&)>>> listeners;
    std::map<std::string, page_event> in_flight;
    clock::time_point network_changed = clock::now();
    bool dialog_accept = true;
    std::string dialog_prompt_text;

    // Out-of-process iframes: each is a target of its own, auto-attached with a DevTools session
    // (page_frames.cpp). By session id.
    struct child_session
    {
        std::string target_id; // == its root frame's id
        std::shared_ptr<connection::subscription> sub;
    };
    std::map<std::string, child_session> children;
    // Each frame's main-world execution context and the session it lives in (the page's, or an
    // out-of-process iframe's); id 0 while the frame has no document.
    struct frame_context
    {
        std::string session;
        long id = 0;
    };
    std::map<std::string, frame_context> contexts;

    // Downloads (page_transfer.cpp), in the order they began; the first `downloads_reported`
    // were returned by async_wait_for_download.
    struct download_state
    {
        std::string guid;
        chromium::download info;
        std::string state; // "inProgress", "completed", "canceled"
    };
    std::string download_dir;
    std::vector<download_state> downloads;
    std::size_t downloads_reported = 0;
    // async_authenticate: the credentials, the requests already answered once (a second
    // challenge means they were rejected), and what the last rejection was.
    credentials auth;
    std::set<std::string> auth_answered;
    std::string auth_rejected;

    /// Starts receiving this page's events (once, right after it is made).
    void subscribe();
    void on_event(std::string const& method, json const& params);
    void on_browser_event(std::string const& method, json const& params);
    /// Fetch.requestPaused: counts the request, aborts it or lets it go on.
    void on_request_paused(json const& params, std::string const& session);
    /// Target.attachedToTarget / detachedFromTarget on the page's or a child's session
    /// (page_frames.cpp): an out-of-process iframe comes or goes.
    void on_target_event(std::string const& method, json const& params);
    /// An event on an out-of-process iframe's session.
    void on_child_event(std::string const& session, std::string const& method, json const& params);
    /// Runtime.executionContext* on `session`: keeps `contexts` current.
    void track_context(std::string const& session, std::string const& method, json const& params);
    /// Network and Runtime events as page_events to the listeners (page_events.cpp).
    void on_network_event(std::string const& method, json const& params);
    void on_runtime_event(std::string const& method, json const& params);
    void on_dialog(json const& params);
    /// Browser.downloadWillBegin / downloadProgress of this page's frames.
    void on_download_event(std::string const& method, json const& params);
    /// Fetch.authRequired on `session`: answered with `auth`, once per request.
    void on_auth_required(json const& params, std::string const& session);
    /// Fetch.enable's parameters: what the filter and the credentials need intercepted.
    json interception() const;
    void emit(page_event const& e);
    /// Throws page_closed/browser_closed when the page cannot be used.
    void check_usable(std::string const& doing) const;
    task<json> call(std::string method, json params, milliseconds timeout = {});
};

/// Base64 (DevTools' binary results: screenshots, PDFs) to bytes.
std::string decode_base64(std::string_view in);
/// '*' any run of characters, '?' one.
bool glob_match(std::string_view pattern, std::string_view s);

task<json> call(std::shared_ptr<page_impl> p, std::string method, json params, milliseconds timeout = {});
/// call() on DevTools session `session` ("": the page's own), e.g. an out-of-process iframe's.
task<json> call_on(std::shared_ptr<page_impl> p, std::string session, std::string method, json params,
                   milliseconds timeout = {});
/// Turns the Fetch domain on or off (and updates what it handles) on the page's session and its
/// out-of-process iframes', as the filter and the credentials need (page.cpp).
task<void> update_interception(std::shared_ptr<page_impl> p);
/// Waits until `pred()` holds (re-checked on every page event), throwing timeout_error(what,
/// limit) at `deadline`.
task<void> wait_state(std::shared_ptr<page_impl> p, std::function<bool()> pred, clock::time_point deadline,
                      std::string what, milliseconds limit);

} // namespace weft::chromium::detail
