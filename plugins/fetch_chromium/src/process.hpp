// Private to fetch_chromium: a Chromium process weft launched (a connected browser has none).
#pragma once

#include <weft/async/task.hpp>

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace weft::chromium::detail
{

/// Our ends of --remote-debugging-pipe.
struct pipe_ends
{
    int to_browser = -1;   // our write end (its fd 3)
    int from_browser = -1; // our read end (its fd 4)
};

/// A launched Chromium: its exit noticed at once (pidfd), killed with its process group and
/// reaped. Single-threaded. Destroying it kills and reaps the process.
class browser_process : public std::enable_shared_from_this<browser_process>
{
public:
    /// Starts `exe` in its own process group, stdout to /dev/null, stderr to `log_path`; with
    /// `pipe`, fds 3 and 4 are the DevTools pipe and *pipe gets our ends.
    /// @throws system_error launch_failed.
    static std::shared_ptr<browser_process> spawn(executor ex, std::string const& exe,
                                                  std::vector<std::string> const& args, std::string const& log_path,
                                                  pipe_ends* pipe);

    explicit browser_process(executor ex, pid_t pid) : ex_(ex), pid_(pid) {}
    ~browser_process();
    browser_process(browser_process const&) = delete;
    browser_process& operator=(browser_process const&) = delete;

    /// Calls `on_exit(describe())` once, when the process has ended and been reaped.
    void watch(std::function<void(std::string)> on_exit);

    pid_t pid() const noexcept { return pid_; }
    /// Reaps the process if it ended (waits for it with `block`); true once it is gone.
    bool reap(bool block) noexcept;
    /// "chromium (pid 42) was killed by signal 9 (Killed)"; "chromium (pid 42)" while running.
    std::string describe() const;
    /// SIGKILL to the group, without waiting.
    void kill() noexcept;
    /// Kills it if still running and reaps it (blocks until it is gone).
    void terminate() noexcept;

private:
    static task<void> watch_exit(std::shared_ptr<browser_process> self, std::function<void(std::string)> on_exit);

    executor ex_;
    pid_t pid_;
    bool exited_ = false;
    int status_ = 0;
};

} // namespace weft::chromium::detail
