// Private to fetch_chromium: one DevTools connection (commands, their answers, events).
#pragma once

#include "cdp.hpp"
#include "notifier.hpp"
#include "transport.hpp"

#include <boost/asio/any_completion_handler.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace weft::chromium::detail
{

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

} // namespace weft::chromium::detail
