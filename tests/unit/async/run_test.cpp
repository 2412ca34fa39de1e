#include <weft/async/run.hpp>

#include <weft/async/signals.hpp>
#include <weft/async/sleep.hpp>

#include <boost/asio/error.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <stdexcept>
#include <string>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace
{

int pipe_fd = -1; // the child's report channel

void report(char c)
{
    if (pipe_fd >= 0)
        (void)::write(pipe_fd, &c, 1);
}

struct child_result
{
    int status = -1;
    std::string out; // bytes written by the child with report() and on stderr
};

// Runs f() in a forked child process whose stderr and report() go to a pipe; returns its exit
// code. The test runner's signal dispositions are never touched.
template <class F>
child_result in_child(F f)
{
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0)
    {
        ::close(fds[0]);
        ::dup2(fds[1], 2);
        pipe_fd = fds[1];
        ::_exit(f());
    }
    ::close(fds[1]);
    child_result r;
    char buf[256];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0)
        r.out.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
    return r;
}

weft::task<int> returns_seven()
{
    co_await weft::sleep(1ms);
    co_return 7;
}

weft::task<void> throws_boom()
{
    co_await weft::sleep(1ms);
    throw std::runtime_error("boom");
}

weft::task<void> interrupted(int signo)
{
    co_await weft::sleep(5ms);
    ::raise(signo);
    try
    {
        co_await weft::sleep(10s);
    }
    catch (boost::system::system_error const& e)
    {
        if (e.code() == boost::asio::error::operation_aborted)
            report('A');
        if (weft::stop_requested())
            report('S');
        throw;
    }
    report('X');
}

weft::task<void> ignores_stop()
{
    co_await weft::sleep(5ms);
    ::raise(SIGINT);
    try
    {
        co_await weft::sleep(10s);
    }
    catch (...)
    {
        report('A');
    }
    // Stuck without returning to the event loop: only the second ^C can end it.
    ::raise(SIGINT);
    std::this_thread::sleep_for(10s);
    report('X');
}

} // namespace

TEST_CASE("run returns 0 or the task's int", "[async][run]")
{
    CHECK(in_child([] { return weft::run(weft::sleep(1ms)); }).status == 0);
    CHECK(in_child([] { return weft::run(returns_seven()); }).status == 7);
}

TEST_CASE("run prints an uncaught exception and returns 1", "[async][run]")
{
    auto r = in_child([] { return weft::run(throws_boom()); });
    CHECK(r.status == 1);
    CHECK(r.out == "weft: boom\n");
}

TEST_CASE("SIGINT cancels the running task and run returns 130", "[async][run][signal]")
{
    auto t0 = clk::now();
    auto r = in_child([] { return weft::run(interrupted(SIGINT)); });
    CHECK(r.status == 130);
    CHECK(r.out == "AS");
    CHECK(clk::now() - t0 < 5s);
}

TEST_CASE("SIGTERM stops run like SIGINT", "[async][run][signal]")
{
    auto r = in_child([] { return weft::run(interrupted(SIGTERM)); });
    CHECK(r.status == 130);
    CHECK(r.out == "AS");
}

TEST_CASE("a second SIGINT exits at once even if the loop is blocked", "[async][run][signal]")
{
    auto t0 = clk::now();
    auto r = in_child([] { return weft::run(ignores_stop()); });
    CHECK(r.status == 130);
    CHECK(r.out == "A");
    CHECK(clk::now() - t0 < 5s);
}
