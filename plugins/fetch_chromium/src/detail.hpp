// Private to fetch_chromium: the DevTools connection, the browser's state and the page's.
#pragma once

#include <weft/async/task.hpp>
#include <weft/chromium/browser.hpp>
#include <weft/chromium/error.hpp>
#include <weft/chromium/page.hpp>
#include <weft/http/response.hpp>

#include "process.hpp"
#include "transport.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/steady_timer.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace weft::chromium::detail
{

using json = nlohmann::json;
using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Throws system_error(code) with `what` as the whole message.
[[noreturn]] void fail(error code, std::string const& what);

/// Wakes every coroutine waiting on it: a steady_timer that never expires, whose waits complete
/// when notify() resets it. Single-threaded.
class notifier
{
public:
    explicit notifier(executor ex);
    void notify();
    /// True when notified, false when `deadline` passed first.
    task<bool> async_wait(clock::time_point deadline);

private:
    asio::steady_timer timer_;
};

/// One DevTools connection over a transport (pipe or WebSocket). Commands carry ids; responses
/// complete the coroutine that sent them; events go to subscribers by session id. Whether a
/// process is behind it is the browser's business (browser_process), not the connection's.
class connection : public std::enable_shared_from_this<connection>
{
public:
    using event_handler = std::function<void(std::string const& method, json const& params)>;
    struct subscription
    {
        std::string session;
        event_handler on_event; // method "" means: the connection closed
        bool active = true;
    };

    /// `end_grace`: when the transport ends by itself, how long to wait for someone who knows
    /// better (the process watcher: "killed by signal 9") to close() first. 0 for a connected
    /// browser: pending commands then fail at once.
    connection(executor ex, std::unique_ptr<transport> t, milliseconds end_grace);
    ~connection();
    connection(connection const&) = delete;
    connection& operator=(connection const&) = delete;

    /// Starts reading.
    void start();

    /// Sends `method` and returns its result, within `timeout`.
    task<json> async_call(std::string method, json params, std::string session, milliseconds timeout);
    /// Sends `method` and ignores the answer (interception decisions from an event handler).
    void post_call(std::string method, json params, std::string session);

    std::shared_ptr<subscription> subscribe(std::string session, event_handler h);

    bool is_open() const noexcept { return open_; }
    std::string const& close_reason() const noexcept { return close_reason_; }
    /// Fails with browser_closed naming `doing` and the close reason.
    [[noreturn]] void throw_closed(std::string const& doing) const;
    executor get_executor() const { return ex_; }
    notifier& closed_notifier() { return closed_; }

    /// The end: every pending command and waiter fails with browser_closed and `reason`, and
    /// the transport closes at once. Later calls do nothing.
    void close(std::string reason);
    /// close(reason), but ends the transport politely (a WebSocket close handshake) within
    /// `timeout`.
    task<void> async_disconnect(std::string reason, milliseconds timeout);

private:
    // (error, message naming the method, result). Not void(exception_ptr, json): Boost 1.81's
    // awaitable_async_op_handler<void(exception_ptr, T)>::resume does not compile (it
    // dereferences the result struct instead of its exception pointer).
    using call_signature = void(error_code, std::string, json);

    struct pending
    {
        std::string method;
        asio::any_completion_handler<call_signature> handler;
    };

    static task<json> call_op(std::shared_ptr<connection> self, std::string method, json params, std::string session);
    void start_call(std::string method, json params, std::string session,
                    asio::any_completion_handler<call_signature> handler);
    void cancel_call(long id);
    long enqueue(std::string const& method, json params, std::string const& session);
    static task<void> write_loop(std::shared_ptr<connection> self);
    static task<void> read_loop(std::shared_ptr<connection> self);
    void dispatch(std::string_view text);
    /// Fails everything pending and notifies; true if it was open.
    bool end(std::string reason);
    /// Spawns `t` with a handler that turns an escaped exception into close().
    void spawn(task<void> t);

    executor ex_;
    std::unique_ptr<transport> transport_;
    milliseconds end_grace_;
    std::deque<std::string> write_queue_;
    bool writing_ = false;
    std::string write_failure_; // why the transport failed on our side, if it did
    long next_id_ = 1;
    std::map<long, pending> pending_;
    std::vector<std::shared_ptr<subscription>> subscriptions_;
    bool open_ = true;
    std::string close_reason_;
    notifier closed_;
};

struct browser_impl
{
    std::shared_ptr<connection> conn;
    std::shared_ptr<browser_process> process; // null when connected to a browser weft did not launch
    milliseconds command_timeout{};
    std::string endpoint; // the WebSocket URL; empty over the pipe
    std::string temp_dir; // removed at close; empty when none was made
    std::string version;

    ~browser_impl();
    void remove_temp_dir() noexcept;
    /// The close reason when weft ends it: "chromium (pid 42) ... (closed by weft)", or
    /// "weft disconnected from ws://...".
    std::string closed_by_weft() const;
};

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
    std::size_t blocked = 0;

    /// Starts receiving this page's events (once, right after it is made).
    void subscribe();
    void on_event(std::string const& method, json const& params);
    void on_browser_event(std::string const& method, json const& params);
    /// Throws page_closed/browser_closed when the page cannot be used.
    void check_usable(std::string const& doing) const;
    task<json> call(std::string method, json params, milliseconds timeout = {});
};

task<json> call(std::shared_ptr<page_impl> p, std::string method, json params, milliseconds timeout = {});
/// Waits until `pred()` holds (re-checked on every page event), throwing timeout_error(what,
/// limit) at `deadline`.
task<void> wait_state(std::shared_ptr<page_impl> p, std::function<bool()> pred, clock::time_point deadline,
                      std::string what, milliseconds limit);
/// Runs a function on a remote object: Runtime.callFunctionOn, by value, awaiting promises.
task<json> call_function_on(std::shared_ptr<page_impl> p, std::string object_id, std::string function_js, json args,
                            milliseconds timeout = {});
/// The JS exception of a Runtime result as text ("Error: boom"), or "".
std::string exception_text(json const& result);

/// A new tab (about:blank) attached in flat mode with page, network and lifecycle events on, in
/// the browser context `context_id` ("": the default one).
task<page> new_page(std::shared_ptr<connection> conn, milliseconds timeout, std::string context_id);

} // namespace weft::chromium::detail
