#include <weft/chromium/browser.hpp>
#include <weft/chromium/sandbox.hpp>

#include "browser_impl.hpp"
#include "page_impl.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>

namespace weft::chromium
{

namespace detail
{

browser_impl::~browser_impl()
{
    if (process)
        process->terminate();
    if (conn)
        conn->close(closed_by_weft());
    remove_temp_dir();
}

std::string browser_impl::closed_by_weft() const
{
    return process ? process->describe() + " (closed by weft)" : "weft disconnected from " + endpoint;
}

void browser_impl::remove_temp_dir() noexcept
{
    if (temp_dir.empty())
        return;
    // Helpers just killed may still be closing files in it: try again briefly.
    for (int i = 0; i < 20; ++i)
    {
        std::error_code ec;
        std::filesystem::remove_all(temp_dir, ec);
        if (!ec && !std::filesystem::exists(temp_dir, ec))
            break;
        ::usleep(10'000);
    }
    temp_dir.clear();
}

namespace
{

std::string tail_of(std::string const& path, std::size_t max_lines)
{
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            lines.push_back(line);
    std::string out;
    for (std::size_t i = lines.size() > max_lines ? lines.size() - max_lines : 0; i < lines.size(); ++i)
        out += (out.empty() ? "" : " | ") + lines[i];
    return out;
}

std::string read_file(std::string const& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// <user_data_dir>/DevToolsActivePort: "41235\n/devtools/browser/<36-character GUID>", no final
// newline, so a complete GUID is what says the file is complete.
std::string active_port_endpoint(std::string const& user_data_dir)
{
    auto const text = read_file(user_data_dir + "/DevToolsActivePort");
    auto const nl = text.find('\n');
    if (nl == std::string::npos || nl == 0 || nl > 5)
        return {};
    auto const port = text.substr(0, nl);
    auto const path = text.substr(nl + 1);
    std::string_view const prefix = "/devtools/browser/";
    if (port.find_first_not_of("0123456789") != std::string::npos || !path.starts_with(prefix) ||
        path.size() != prefix.size() + 36)
        return {};
    return "ws://127.0.0.1:" + port + path;
}

// The stderr line "DevTools listening on ws://127.0.0.1:41235/devtools/browser/<id>".
std::string listening_endpoint(std::string const& log_path)
{
    auto const text = read_file(log_path);
    std::string_view const marker = "DevTools listening on ";
    auto const at = text.find(marker);
    auto const nl = at == std::string::npos ? at : text.find('\n', at);
    if (nl == std::string::npos)
        return {};
    auto const begin = at + marker.size();
    return text.substr(begin, nl - begin);
}

// Chromium writes its port once it listens; a process that ends first never will.
task<std::string> wait_for_endpoint(std::shared_ptr<browser_process> process, std::string user_data_dir,
                                    std::string log_path, clock::time_point deadline)
{
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;)
    {
        if (auto url = active_port_endpoint(user_data_dir); !url.empty())
            co_return url;
        if (auto url = listening_endpoint(log_path); !url.empty())
            co_return url;
        if (process->reap(false))
            fail(error::launch_failed, process->describe() + " before it opened its DevTools port");
        if (clock::now() >= deadline)
            fail(error::launch_failed, "no DevToolsActivePort in " + user_data_dir + " within launch_timeout");
        timer.expires_after(milliseconds(10));
        co_await timer.async_wait(asio::as_tuple(asio::deferred));
    }
}

milliseconds remaining(clock::time_point deadline)
{
    return std::max(milliseconds(1), std::chrono::duration_cast<milliseconds>(deadline - clock::now()));
}

// Writing to the pipe of a browser that just died raises SIGPIPE, whose default ends the
// program; the write then fails with EPIPE instead, which the connection reports.
void ignore_sigpipe()
{
    struct sigaction old
    {
    };
    if (::sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL)
        ::signal(SIGPIPE, SIG_IGN);
}

} // namespace

} // namespace detail

browser::browser(std::shared_ptr<detail::browser_impl> impl) noexcept : impl_(std::move(impl)) {}
browser::browser(browser&&) noexcept = default;
browser& browser::operator=(browser&&) noexcept = default;
browser::~browser() = default;

task<browser> browser::async_launch(executor ex, launch_options opts)
{
    using namespace detail;
    ignore_sigpipe();

    std::string exe = opts.executable;
    if (exe.empty())
    {
        char const* env = std::getenv("WEFT_CHROMIUM");
        exe = env && *env ? env : "/usr/bin/chromium";
    }
    std::string tmpl = (std::filesystem::temp_directory_path() / "weft-chromium-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
        fail(error::launch_failed,
             "chromium: cannot make a temporary directory in " + std::filesystem::temp_directory_path().string());
    auto impl = std::make_shared<browser_impl>();
    impl->temp_dir = tmpl;
    impl->command_timeout = opts.command_timeout;
    std::string const user_data_dir = opts.user_data_dir.empty() ? tmpl + "/profile" : opts.user_data_dir;
    std::string const log = tmpl + "/stderr.log";
    bool const websocket = opts.transport == devtools_transport::websocket;

    // The flags Puppeteer passes, plus what this network needs (no background connections,
    // which a closed network refuses); the sandbox wherever the system allows it.
    std::vector<std::string> args;
    if (opts.headless)
        args.push_back("--headless=new");
    auto const sandbox = choose_sandbox(opts.sandbox, probe_sandbox_system(exe));
    if (!sandbox.sandbox)
    {
        args.push_back("--no-sandbox");
        if (!sandbox.why_not.empty())
            say_no_sandbox_once(sandbox.why_not);
    }
    for (char const* a : {"--disable-gpu",
                          "--disable-quic",
                          "--no-first-run",
                          "--no-default-browser-check",
                          "--disable-background-networking",
                          "--disable-component-update",
                          "--disable-sync",
                          "--disable-default-apps",
                          "--disable-extensions",
                          "--mute-audio",
                          "--disable-dev-shm-usage",
                          "--disable-background-timer-throttling",
                          "--disable-backgrounding-occluded-windows",
                          "--disable-renderer-backgrounding",
                          "--disable-hang-monitor",
                          "--disable-breakpad",
                          "--disable-crash-reporter",
                          "--disable-popup-blocking",
                          "--disable-prompt-on-repost",
                          "--metrics-recording-only",
                          "--password-store=basic",
                          "--use-mock-keychain",
                          "--hide-scrollbars",
                          "--disable-features=Translate,MediaRouter,OptimizationHints,AcceptCHFrame"})
        args.push_back(a);
    // Port 0: Chromium binds a free loopback port and says which; no port is raced for.
    args.push_back(websocket ? "--remote-debugging-port=0" : "--remote-debugging-pipe");
    args.push_back("--user-data-dir=" + user_data_dir);
    for (auto const& a : opts.args)
        args.push_back(a);
    args.push_back("about:blank");
    if (websocket)
    {
        std::error_code ignored; // a profile's file from an earlier run names a dead port
        std::filesystem::remove(user_data_dir + "/DevToolsActivePort", ignored);
    }

    auto const deadline = clock::now() + opts.launch_timeout;
    pipe_ends pipe;
    try
    {
        impl->process = browser_process::spawn(ex, exe, args, log, websocket ? nullptr : &pipe);
    }
    catch (...)
    {
        impl->remove_temp_dir();
        throw;
    }

    std::string failure;
    try
    {
        std::unique_ptr<transport> t;
        if (websocket)
        {
            impl->endpoint = co_await wait_for_endpoint(impl->process, user_data_dir, log, deadline);
            t = co_await async_connect_websocket(ex, impl->endpoint, deadline, opts.max_message_size);
        }
        else
            t = make_pipe_transport(ex, pipe.to_browser, pipe.from_browser,
                                    impl->process->describe() + "'s DevTools pipe");
        // When the pipe or socket ends, the process watcher has the better reason (its exit
        // status) a moment later.
        impl->conn = std::make_shared<connection>(ex, std::move(t), milliseconds(200));
        impl->conn->start();
        impl->process->watch(
            [w = std::weak_ptr<connection>(impl->conn)](std::string reason)
            {
                if (auto c = w.lock())
                    c->close(std::move(reason));
            });
        auto v = co_await impl->conn->async_call("Browser.getVersion", json::object(), "", remaining(deadline));
        impl->version = v.value("product", std::string());
    }
    catch (std::exception const& e)
    {
        failure = e.what();
    }
    if (!failure.empty())
    {
        impl->process->terminate();
        if (impl->conn)
            impl->conn->close(impl->closed_by_weft());
        auto const err = tail_of(log, 4);
        impl->remove_temp_dir();
        fail(error::launch_failed, "chromium: " + exe + " did not start: " + failure +
                                       (err.empty() ? std::string() : "; its stderr: " + err));
    }
    co_return browser(std::move(impl));
}

task<browser> browser::async_connect(executor ex, std::string endpoint, connect_options opts)
{
    using namespace detail;
    auto const deadline = clock::now() + opts.connect_timeout;
    auto impl = std::make_shared<browser_impl>();
    impl->command_timeout = opts.command_timeout;
    impl->endpoint = endpoint;
    if (endpoint.starts_with("http://"))
        impl->endpoint = co_await async_browser_websocket_url(ex, endpoint, deadline);
    auto t = co_await async_connect_websocket(ex, impl->endpoint, deadline, opts.max_message_size);
    // No process to wait for: when the socket ends, that is the reason.
    impl->conn = std::make_shared<connection>(ex, std::move(t), milliseconds(0));
    impl->conn->start();
    std::string failure;
    try
    {
        auto v = co_await impl->conn->async_call("Browser.getVersion", json::object(), "", remaining(deadline));
        impl->version = v.value("product", std::string());
    }
    catch (std::exception const& e)
    {
        failure = e.what();
    }
    if (!failure.empty())
    {
        impl->conn->close(impl->closed_by_weft());
        fail(error::connect_failed, "chromium: cannot connect to the DevTools endpoint " + endpoint + ": " + failure);
    }
    co_return browser(std::move(impl));
}

namespace detail
{

task<page> new_page(std::shared_ptr<connection> conn, milliseconds timeout, std::string context_id)
{
    if (!conn->is_open())
        conn->throw_closed("new_page");
    json create = {{"url", "about:blank"}};
    if (!context_id.empty())
        create["browserContextId"] = context_id;
    auto target = co_await conn->async_call("Target.createTarget", std::move(create), "", timeout);
    std::string target_id = target.value("targetId", std::string());
    json attach = {{"targetId", target_id}, {"flatten", true}};
    auto attached = co_await conn->async_call("Target.attachToTarget", std::move(attach), "", timeout);
    std::string session = attached.value("sessionId", std::string());
    auto p = std::make_shared<page_impl>(conn, target_id, session, timeout);
    p->subscribe();
    co_await call(p, "Page.enable", json::object());
    json on = {{"enabled", true}};
    co_await call(p, "Page.setLifecycleEventsEnabled", std::move(on));
    co_await call(p, "Network.enable", json::object());
    co_await call(p, "Runtime.enable", json::object()); // console messages and uncaught errors (page::on)
    // Out-of-process iframes as sessions of their own (frames, page_frames.cpp); each waits until
    // its session is set up.
    json attach_children = {{"autoAttach", true}, {"waitForDebuggerOnStart", true}, {"flatten", true}};
    co_await call(p, "Target.setAutoAttach", std::move(attach_children));
    co_return page(std::move(p));
}

namespace
{

// Lets the context's downloads into `dir` (made absolute, returned), named by Chromium.
task<std::string> allow_downloads(std::shared_ptr<connection> conn, milliseconds timeout, std::string context_id,
                                  std::string dir)
{
    std::error_code ec;
    auto const abs = std::filesystem::absolute(dir, ec);
    if (ec || !std::filesystem::is_directory(abs, ec))
        throw system_error(make_error_code(boost::system::errc::no_such_file_or_directory),
                           "new_context: download_dir \"" + dir + "\" is not a directory (make it first)");
    json params = {{"behavior", "allowAndName"},
                   {"downloadPath", abs.string()},
                   {"eventsEnabled", true},
                   {"browserContextId", context_id}};
    co_await conn->async_call("Browser.setDownloadBehavior", std::move(params), "", timeout);
    co_return abs.string();
}

task<browser_context> new_context(std::shared_ptr<connection> conn, milliseconds timeout, context_options opts)
{
    if (!conn->is_open())
        conn->throw_closed("new_context");
    json params = {{"disposeOnDetach", true}};
    if (!opts.proxy_server.empty())
        params["proxyServer"] = opts.proxy_server;
    if (!opts.proxy_bypass_list.empty())
        params["proxyBypassList"] = opts.proxy_bypass_list;
    auto made = co_await conn->async_call("Target.createBrowserContext", std::move(params), "", timeout);
    auto const id = made.value("browserContextId", std::string());
    if (opts.download_dir.empty())
        co_return browser_context(conn, id, timeout);
    auto dir = co_await allow_downloads(conn, timeout, id, opts.download_dir);
    co_return browser_context(conn, id, timeout, std::move(dir));
}

} // namespace
} // namespace detail

task<page> browser::async_new_page()
{
    return detail::new_page(impl_->conn, impl_->command_timeout, std::string());
}

task<browser_context> browser::async_new_context(context_options opts)
{
    return detail::new_context(impl_->conn, impl_->command_timeout, std::move(opts));
}

task<void> browser::async_close(std::chrono::milliseconds grace)
{
    auto impl = impl_;
    if (!impl)
        co_return;
    auto conn = impl->conn;
    if (!impl->process)
    {
        co_await conn->async_disconnect(impl->closed_by_weft(), grace);
        co_return;
    }
    if (conn->is_open())
    {
        conn->post_call("Browser.close", detail::json::object(), "");
        auto const deadline = detail::clock::now() + grace;
        while (conn->is_open() && detail::clock::now() < deadline)
            co_await conn->closed_notifier().async_wait(deadline);
    }
    impl->process->terminate(); // kills a browser that ignored Browser.close, reaps it
    conn->close(impl->closed_by_weft());
    impl->remove_temp_dir();
}

task<void> browser::async_disconnect(std::chrono::milliseconds grace)
{
    return async_close(grace); // the difference is whether the process is ours
}

task<void> browser::async_ping(std::chrono::milliseconds timeout)
{
    auto conn = impl_->conn;
    co_await conn->async_call("Browser.getVersion", detail::json::object(), "", timeout);
}

bool browser::is_connected() const noexcept
{
    return impl_ && impl_->conn && impl_->conn->is_open();
}

std::string browser::close_reason() const
{
    return impl_ && impl_->conn ? impl_->conn->close_reason() : std::string("not launched");
}

int browser::pid() const noexcept
{
    return impl_ && impl_->process ? impl_->process->pid() : -1;
}

std::string const& browser::endpoint() const noexcept
{
    return impl_->endpoint;
}

std::string const& browser::version() const noexcept
{
    return impl_->version;
}

void browser::kill() noexcept
{
    if (impl_ && impl_->process)
        impl_->process->kill();
}

void browser::abandon(std::string const& reason) noexcept
{
    if (!impl_)
        return;
    if (impl_->process)
        impl_->process->kill();
    else if (impl_->conn)
        impl_->conn->close(reason);
}

executor browser::get_executor() const
{
    return impl_->conn->get_executor();
}

} // namespace weft::chromium
