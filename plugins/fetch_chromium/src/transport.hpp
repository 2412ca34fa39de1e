// Private to fetch_chromium: the bytes under a DevTools connection, a pipe or a WebSocket.
#pragma once

#include <weft/async/task.hpp>
#include <weft/error.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace weft::chromium::detail
{

/// Whole DevTools messages (JSON text) out and in; the protocol above it (ids, responses,
/// events) is the connection's. Single-threaded on the connection's executor: at most one send
/// and one receive in flight, and close() at any time, which makes both complete with an error.
class transport
{
public:
    struct received
    {
        error_code ec;            ///< set when the stream ended or failed; then `why` says how
        std::string_view message; ///< valid until the next receive or close
        std::string why;
    };

    virtual ~transport() = default;

    /// Sends one message; the error, if it could not.
    virtual task<error_code> async_send(std::string message) = 0;
    /// The next message, or why there is none.
    virtual task<received> async_receive() = 0;
    /// Ends the stream politely (a WebSocket close handshake) within `timeout`, then closes.
    /// Not while a send is in flight.
    virtual task<void> async_shutdown(std::chrono::milliseconds timeout) = 0;
    /// Closes at once.
    virtual void close() noexcept = 0;
};

/// The --remote-debugging-pipe ends (NUL-delimited JSON); takes ownership of both fds.
/// `name` ("chromium (pid 42)'s DevTools pipe") goes into messages.
std::unique_ptr<transport> make_pipe_transport(executor ex, int to_browser, int from_browser, std::string name);

/// Connects to a DevTools WebSocket ("ws://127.0.0.1:9222/devtools/browser/<id>") and completes
/// the handshake by `deadline`. Messages larger than `max_message_size` end the stream.
/// @throws system_error error::connect_failed naming the URL and the cause.
task<std::unique_ptr<transport>> async_connect_websocket(executor ex, std::string url,
                                                         std::chrono::steady_clock::time_point deadline,
                                                         std::size_t max_message_size);

/// The browser's WebSocket URL from the DevTools HTTP endpoint ("http://127.0.0.1:9222"):
/// GET /json/version, field webSocketDebuggerUrl.
/// @throws system_error error::connect_failed naming the URL and the cause.
task<std::string> async_browser_websocket_url(executor ex, std::string http_url,
                                              std::chrono::steady_clock::time_point deadline);

} // namespace weft::chromium::detail
