// running_chromium: a Chromium started outside weft, for the tests that attach to one.
#pragma once

#include <weft/async/sleep.hpp>
#include <weft/async/task.hpp>
#include <weft/http/fetcher_registry.hpp>

#include <support/run_sync.hpp>
#include <support/temp_dir.hpp>

#include <boost/asio/this_coro.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <set>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <vector>

extern char** environ;

namespace weft::test
{

/// A Chromium the test starts itself, as a user would for puppeteer.connect: on a port it
/// picks (--remote-debugging-port=0), read back from DevToolsActivePort. Killed at the end.
/// @throws std::runtime_error when it cannot start ($WEFT_CHROMIUM, else /usr/bin/chromium):
/// the test fails rather than skips.
class running_chromium
{
public:
    running_chromium()
    {
        using namespace std::chrono_literals;
        char const* env = std::getenv("WEFT_CHROMIUM");
        std::string const exe = env && *env ? env : "/usr/bin/chromium";
        auto const profile = (dir_ / "profile").string();
        std::vector<std::string> args{exe,
                                      "--headless=new",
                                      "--no-sandbox",
                                      "--disable-gpu",
                                      "--no-first-run",
                                      "--disable-dev-shm-usage",
                                      "--disable-background-networking",
                                      "--remote-debugging-port=0",
                                      "--user-data-dir=" + profile,
                                      "about:blank"};
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        posix_spawnattr_setpgroup(&attr, 0); // its helpers die with it
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
        int const rc = ::posix_spawn(&pid_, exe.c_str(), &actions, &attr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        if (rc != 0)
            throw std::runtime_error("cannot start " + exe + " (install chromium or set WEFT_CHROMIUM)");

        auto const give_up = std::chrono::steady_clock::now() + 20s;
        std::string const guid_path = "/devtools/browser/" + std::string(36, '-');
        while (std::chrono::steady_clock::now() < give_up)
        {
            std::ifstream in(profile + "/DevToolsActivePort");
            std::string text(std::istreambuf_iterator<char>(in), {});
            if (auto nl = text.find('\n'); nl != std::string::npos && text.size() - nl - 1 == guid_path.size())
            {
                port_ = text.substr(0, nl);
                path_ = text.substr(nl + 1);
                return;
            }
            std::this_thread::sleep_for(20ms);
        }
        stop();
        throw std::runtime_error("chromium wrote no DevToolsActivePort within 20 s");
    }
    ~running_chromium() { stop(); }
    running_chromium(running_chromium const&) = delete;
    running_chromium& operator=(running_chromium const&) = delete;

    int pid() const { return pid_; }
    std::string http_endpoint() const { return "http://127.0.0.1:" + port_; }
    std::string ws_endpoint() const { return "ws://127.0.0.1:" + port_ + path_; }
    /// Still running (not exited, not a zombie).
    bool alive() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }
    /// Waits up to `limit` for it to end (its sockets close a moment before it is reapable).
    bool ends_within(std::chrono::milliseconds limit) const
    {
        using namespace std::chrono_literals;
        for (auto const give_up = std::chrono::steady_clock::now() + limit; alive();)
        {
            if (std::chrono::steady_clock::now() > give_up)
                return false;
            std::this_thread::sleep_for(10ms);
        }
        return true;
    }

    /// The target ids of its open tabs, from GET /json/list: what any client opened, as the
    /// browser itself sees it. Blocks (briefly: a local browser answers at once).
    /// @throws std::runtime_error or system_error when the browser does not answer.
    std::set<std::string> tabs() const
    {
        auto const list = nlohmann::json::parse(get("/json/list"));
        std::set<std::string> ids;
        for (auto const& t : list)
            if (t.value("type", std::string()) == "page")
                ids.insert(t.value("id", std::string()));
        return ids;
    }

    /// GET `path` from its DevTools HTTP endpoint with weft's Beast fetcher; the body. Runs its
    /// own io_context, so it may be called from a coroutine of another.
    /// @throws system_error when the browser does not answer, std::runtime_error on a non-200.
    std::string get(std::string const& path) const
    {
        auto res = run_sync(
            [](std::string url) -> task<http::response>
            {
                auto f = http::make_fetcher("beast", co_await boost::asio::this_coro::executor);
                http::request req{url};
                co_return co_await f->async_fetch(std::move(req));
            }(http_endpoint() + path),
            std::chrono::seconds(10));
        if (res.status != 200)
            throw std::runtime_error("GET " + path + ": HTTP " + std::to_string(res.status));
        return std::move(res.body);
    }

private:
    void stop()
    {
        if (pid_ <= 0)
            return;
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

    temp_dir dir_;
    pid_t pid_ = -1;
    std::string port_;
    std::string path_;
};

/// Polls `running`'s tab list (closing a tab completes a moment after its command) until
/// `done(tabs)` holds or 3 s pass; returns whether it held. Sleeps on the loop, so closing work
/// on the same loop runs meanwhile.
template <class Pred>
task<bool> tabs_become(running_chromium const* running, Pred done)
{
    using namespace std::chrono_literals;
    for (auto const give_up = std::chrono::steady_clock::now() + 3s;;)
    {
        if (done(running->tabs()))
            co_return true;
        if (std::chrono::steady_clock::now() > give_up)
            co_return false;
        co_await weft::sleep(50ms);
    }
}

} // namespace weft::test
