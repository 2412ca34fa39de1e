// weft::chromium::browser: a Chromium driven over the DevTools protocol, launched or connected to.
#pragma once

#include <weft/async/task.hpp>
#include <weft/chromium/browser_context.hpp>
#include <weft/chromium/error.hpp>
#include <weft/chromium/page.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace weft::chromium
{

/// How weft speaks the DevTools protocol with a browser it launches.
enum class devtools_transport
{
    /// --remote-debugging-pipe: fds 3 and 4, NUL-delimited JSON. No port, so nothing to race
    /// for and nothing another local user can connect to. The default.
    pipe,
    /// --remote-debugging-port=0: Chromium picks a free loopback port and weft connects to its
    /// WebSocket (browser::endpoint()), which other clients (Puppeteer, a second weft) can
    /// connect to as well.
    websocket,
};

/// The largest DevTools message accepted over a WebSocket: screenshots of long pages are tens
/// of MiB of base64.
inline constexpr std::size_t default_max_message_size = 256 * 1024 * 1024;

/// How to start Chromium. Owns strings: build it in a named variable (docs/ARCHITECTURE.md, trap 2).
struct launch_options
{
    /// Empty: $WEFT_CHROMIUM if set, else /usr/bin/chromium.
    std::string executable;
    /// Added after weft's own flags (--headless=new --disable-gpu ... see browser.cpp).
    std::vector<std::string> args;
    /// Chromium's sandbox. nullopt: on wherever the system allows it; off (--no-sandbox) when
    /// running as root or without unprivileged user namespaces and a setuid chrome-sandbox, said
    /// once on stderr with the reason. true/false: as asked, without a word.
    std::optional<bool> sandbox;
    bool headless = true;
    /// Empty: a new temporary directory, removed when the browser closes.
    std::string user_data_dir;
    /// From spawning the process to its first answer (over a WebSocket: including finding the
    /// port and connecting).
    std::chrono::milliseconds launch_timeout{20'000};
    /// The deadline of each protocol command that has no deadline of its own.
    std::chrono::milliseconds command_timeout{30'000};
    devtools_transport transport = devtools_transport::pipe;
    /// WebSocket only: a larger message ends the connection (browser_closed).
    std::size_t max_message_size = default_max_message_size;
};

/// How to attach to a running Chromium (browser::async_connect). Trivially destructible: may be
/// written inline at a co_await.
struct connect_options
{
    /// From the first connection attempt to the browser's first answer, including GET
    /// /json/version for an http:// endpoint.
    std::chrono::milliseconds connect_timeout{10'000};
    /// The deadline of each protocol command that has no deadline of its own.
    std::chrono::milliseconds command_timeout{30'000};
    /// A larger message ends the connection (browser_closed).
    std::size_t max_message_size = default_max_message_size;
};
static_assert(std::is_trivially_destructible_v<connect_options>);

namespace detail
{
struct browser_impl;
}

/// A Chromium driven over the DevTools protocol: one weft launched (async_launch), over a pipe
/// or a WebSocket, or one already running that weft attached to (async_connect, like
/// puppeteer.connect). Every page is a target attached in flat session mode.
///
/// @par Errors
/// Every operation has a deadline and fails with a system_error whose what() names the
/// protocol method: weft::error::timed_out when it passes, error::protocol_error when the
/// browser refuses, error::browser_closed when the connection ends. The end is noticed at
/// once, and every pending command fails with browser_closed and the reason: a launched
/// process's exit status ("killed by signal 9", via pidfd), or for a connected browser the
/// socket's fate ("the DevTools WebSocket ws://... closed (End of file)"). Nothing waits
/// forever on a dead browser.
/// @par Thread safety
/// One browser belongs to one executor (single-threaded); call it from there.
/// @par Lifetimes
/// Move-only handle. Pages and element handles keep the connection alive, not the browser.
/// A launched browser is ours: destroying the handle kills the process at once (SIGKILL,
/// reaped) and removes a temporary user_data_dir; prefer async_close(). A connected browser is
/// not: destroying the handle, async_close() and async_disconnect() only drop the connection,
/// the process and the pages opened on it keep running (close pages first if they should not).
/// Writing to a closed pipe must not kill the program, so launching sets SIGPIPE to SIG_IGN
/// when it was SIG_DFL.
class browser
{
public:
    /// Starts Chromium and waits until it answers. With devtools_transport::websocket, finds the
    /// port Chromium picked in <user_data_dir>/DevToolsActivePort (or its "DevTools listening
    /// on ws://..." stderr line) and connects to it, all within launch_timeout.
    /// @throws system_error error::launch_failed naming the executable and the cause (not found,
    /// exited with its stderr's last lines, did not answer within launch_timeout).
    static task<browser> async_launch(executor ex, launch_options opts = {});

    /// Attaches to a running Chromium started with --remote-debugging-port. `endpoint` is its
    /// browser WebSocket, "ws://127.0.0.1:9222/devtools/browser/<id>", or its HTTP endpoint,
    /// "http://127.0.0.1:9222", whose /json/version names the WebSocket. No TLS (wss, https).
    /// @throws system_error error::connect_failed naming the endpoint and the cause (not a ws://
    /// or http:// URL, connection refused, handshake refused, no answer within
    /// connect_timeout).
    static task<browser> async_connect(executor ex, std::string endpoint, connect_options opts = {});

    browser(browser&&) noexcept;
    browser& operator=(browser&&) noexcept;
    ~browser();

    /// A new tab (about:blank) with page, network and lifecycle events enabled, in the
    /// browser's default context (its profile's cookies and storage).
    task<page> async_new_page();
    /// A new isolated context (Target.createBrowserContext), disposed of by Chromium when this
    /// connection ends.
    task<browser_context> async_new_context(context_options opts = {});
    /// Launched: asks the browser to quit, waits up to `grace` for the process to exit, then
    /// kills it; removes a temporary user_data_dir. Connected: async_disconnect(grace). Pending
    /// commands fail with browser_closed.
    task<void> async_close(std::chrono::milliseconds grace = std::chrono::milliseconds(3'000));
    /// Connected: drops the connection (a WebSocket close handshake within `grace`) and leaves
    /// the browser running; pending commands fail with browser_closed ("disconnected by weft").
    /// Launched: the browser cannot outlive weft, so this is async_close(grace).
    task<void> async_disconnect(std::chrono::milliseconds grace = std::chrono::milliseconds(3'000));
    /// Sends a cheap command (Browser.getVersion); throws weft::error::timed_out when a hung
    /// browser does not answer within `timeout`.
    task<void> async_ping(std::chrono::milliseconds timeout);

    /// False once the connection ended (process exit, pipe or socket closed, disconnect).
    bool is_connected() const noexcept;
    /// Why the connection ended ("chromium (pid 42) was killed by signal 9"); empty while connected.
    std::string close_reason() const;
    /// The process id of a launched browser (for tests and diagnostics); -1 when connected.
    int pid() const noexcept;
    /// The browser's WebSocket URL ("ws://127.0.0.1:41235/devtools/browser/<id>"); empty over
    /// the pipe.
    std::string const& endpoint() const noexcept;
    /// "Chrome/120.0.6099.224".
    std::string const& version() const noexcept;
    /// Kills a launched browser now (SIGKILL); pending commands fail with browser_closed. Does
    /// nothing to a connected one.
    void kill() noexcept;
    /// Gives up on a browser that stopped answering. Launched: kill(). Connected: drops the
    /// connection at once, without the close handshake a hung browser would not answer; pending
    /// commands fail with browser_closed and `reason`; the browser keeps running.
    void abandon(std::string const& reason) noexcept;

    executor get_executor() const;

private:
    explicit browser(std::shared_ptr<detail::browser_impl> impl) noexcept;
    std::shared_ptr<detail::browser_impl> impl_;
};

} // namespace weft::chromium
