#include "process.hpp"

#include "cdp.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace weft::chromium::detail
{
namespace
{

// Moves fd to a number >= 10 (close-on-exec), so that the dup2s onto 3 and 4 in the child
// cannot clobber each other.
int move_high(int fd)
{
    int const high = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
    ::close(fd);
    return high;
}

void close_all(std::initializer_list<int> fds)
{
    for (int fd : fds)
        if (fd >= 0)
            ::close(fd);
}

} // namespace

std::shared_ptr<browser_process> browser_process::spawn(executor ex, std::string const& exe,
                                                        std::vector<std::string> const& args,
                                                        std::string const& log_path, pipe_ends* pipe)
{
    int to[2] = {-1, -1}, from[2] = {-1, -1};
    if (pipe)
    {
        if (::pipe2(to, O_CLOEXEC) != 0 || ::pipe2(from, O_CLOEXEC) != 0)
        {
            int const e = errno;
            close_all({to[0], to[1], from[0], from[1]});
            fail(error::launch_failed, std::string("chromium: pipe: ") + std::strerror(e));
        }
        for (int* fd : {&to[0], &to[1], &from[0], &from[1]})
            *fd = move_high(*fd);
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (pipe)
    {
        posix_spawn_file_actions_adddup2(&actions, to[0], 3);   // the browser reads commands from fd 3
        posix_spawn_file_actions_adddup2(&actions, from[1], 4); // and writes answers to fd 4
    }

    // The child starts with default signal dispositions and an empty mask, whatever ours are.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    // Its own process group, so that its renderers and helpers can be killed with it.
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(exe.c_str()));
    for (auto const& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    pid_t pid = -1;
    int const rc = ::posix_spawn(&pid, exe.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close_all({to[0], from[1]});
    if (rc != 0)
    {
        close_all({to[1], from[0]});
        fail(error::launch_failed, "chromium: cannot start " + exe + ": " + std::strerror(rc) +
                                       " (install Debian's chromium, or set WEFT_CHROMIUM or "
                                       "launch_options::executable)");
    }
    if (pipe)
        *pipe = pipe_ends{to[1], from[0]};
    return std::make_shared<browser_process>(ex, pid);
}

browser_process::~browser_process()
{
    terminate();
}

void browser_process::watch(std::function<void(std::string)> on_exit)
{
    // Nothing to report an escaped exception to: on_exit only closes the connection, and a
    // watcher that failed leaves the transport's end to say why.
    asio::co_spawn(ex_, watch_exit(shared_from_this(), std::move(on_exit)), [](std::exception_ptr) {});
}

task<void> browser_process::watch_exit(std::shared_ptr<browser_process> self, std::function<void(std::string)> on_exit)
{
    // A pidfd becomes readable when the process exits: no SIGCHLD handler, no polling. Kernels
    // before 5.3 lack it; then poll waitpid.
    int const pidfd = self->exited_ ? -1 : static_cast<int>(::syscall(SYS_pidfd_open, self->pid_, 0));
    if (pidfd >= 0)
    {
        asio::posix::stream_descriptor d(self->ex_, pidfd);
        for (;;)
        {
            auto [ec] = co_await d.async_wait(asio::posix::descriptor_base::wait_read, asio::as_tuple(asio::deferred));
            if (ec != asio::error::operation_aborted)
                break;
        }
    }
    else
    {
        asio::steady_timer t(self->ex_);
        while (!self->reap(false))
        {
            t.expires_after(std::chrono::milliseconds(250));
            co_await t.async_wait(asio::as_tuple(asio::deferred));
        }
    }
    if (self->reap(true))
        on_exit(self->describe());
}

bool browser_process::reap(bool block) noexcept
{
    if (exited_ || pid_ <= 0)
        return true;
    int status = 0;
    pid_t r;
    do
        r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == pid_ || (r < 0 && errno == ECHILD))
    {
        exited_ = true;
        status_ = status;
        return true;
    }
    return false;
}

std::string browser_process::describe() const
{
    std::string who = "chromium (pid " + std::to_string(pid_) + ")";
    if (!exited_)
        return who;
    if (WIFSIGNALED(status_))
        return who + " was killed by signal " + std::to_string(WTERMSIG(status_)) + " (" +
               ::strsignal(WTERMSIG(status_)) + ")";
    if (WIFEXITED(status_))
        return who + " exited with status " + std::to_string(WEXITSTATUS(status_));
    return who + " ended";
}

void browser_process::kill() noexcept
{
    if (pid_ <= 0)
        return;
    // The whole group: helpers of a browser that crashed (or was killed) outlive it for a
    // moment, and would write into the profile being removed.
    ::kill(-pid_, SIGKILL);
    if (!exited_)
        ::kill(pid_, SIGKILL);
}

void browser_process::terminate() noexcept
{
    kill();
    reap(true);
}

} // namespace weft::chromium::detail
