// Job directories protect themselves (README, "Reliability"): one crawl at a time (a lock naming
// its holder), only the job they were made for, and no frontier scratch files left behind by
// crawls that died.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

namespace
{

std::vector<std::string> crawl(std::string const& url, std::filesystem::path const& job,
                               std::vector<std::string> extra = {})
{
    std::vector<std::string> a{weft::test::weft_cli_path(), "crawl", url, "--job-dir", job.string(), "-q",
                               "--ignore-robots"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

// The pid of a process that has exited and been reaped: no process has it (until reused).
pid_t dead_pid()
{
    auto pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

} // namespace

TEST_CASE("a second crawl on a job directory in use exits 2 naming the process that holds it", "[cli][crawl][job]")
{
    weft::test::test_server server;
    weft::test::temp_dir dir;
    auto const job = dir / "job";
    std::filesystem::create_directories(job);
    // This test process holds the lock as a running crawl does (flock, its pid in the file).
    int fd = ::open((job / "lock").c_str(), O_RDWR | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    auto const pid = std::to_string(::getpid());
    REQUIRE(::write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size()));

    auto r = weft::test::run_process(crawl(server.url("/"), job));
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("in use by another crawl (pid " + pid + ")") != std::string::npos);
    CHECK(server.total_requests() == 0);

    ::close(fd); // the other crawl ended: the job is free again
    auto again = weft::test::run_process(crawl(server.url("/"), job));
    INFO(again.err);
    CHECK(again.exit_code == 0);
    CHECK(server.total_requests() > 0);
}

TEST_CASE("a job directory made for other start URLs is refused unless --resume-anyway", "[cli][crawl][job]")
{
    weft::test::test_server server;
    weft::test::temp_dir dir;
    auto const job = dir / "job";
    auto first = weft::test::run_process(crawl(server.url("/"), job));
    INFO(first.err);
    REQUIRE(first.exit_code == 0);

    auto other = weft::test::run_process(crawl(server.url("/other"), job));
    INFO(other.err);
    CHECK(other.exit_code == 2);
    CHECK(other.err.find(server.url("/")) != std::string::npos); // what the job was made for
    CHECK(other.err.find("--resume-anyway") != std::string::npos);

    auto same = weft::test::run_process(crawl(server.url("/"), job));
    CHECK(same.exit_code == 0); // its own job resumes

    auto anyway = weft::test::run_process(crawl(server.url("/other"), job, {"--resume-anyway"}));
    INFO(anyway.err);
    CHECK(anyway.exit_code == 0);
}

TEST_CASE("a job whose job.json a kill left empty resumes; one with garbage is refused naming the file",
          "[cli][crawl][job]")
{
    weft::test::test_server server;
    weft::test::temp_dir dir;
    auto const job = dir / "job";
    std::filesystem::create_directories(job);
    std::ofstream(job / "job.json").flush(); // created, killed before a byte was written (older weft)
    auto empty = weft::test::run_process(crawl(server.url("/"), job));
    INFO(empty.err);
    CHECK(empty.exit_code == 0);
    CHECK(std::filesystem::file_size(job / "job.json") > 0); // the job has its identity now
    CHECK_FALSE(std::filesystem::exists(job / "job.json.tmp"));

    std::ofstream(job / "job.json") << "{\"spider\": \"li"; // not something weft writes: refused
    auto torn = weft::test::run_process(crawl(server.url("/"), job));
    INFO(torn.err);
    CHECK(torn.exit_code == 2);
    CHECK(torn.err.find((job / "job.json").string() + " is not valid JSON") != std::string::npos);
    CHECK(torn.err.find("remove it") != std::string::npos);
}

TEST_CASE("weft crawl removes the frontier spill files of dead processes and keeps live ones", "[cli][crawl][job]")
{
    weft::test::test_server server;
    weft::test::temp_dir dir;
    auto const stale = dir / ("weft-frontier-" + std::to_string(dead_pid()) + "-0.db");
    auto const live = dir / ("weft-frontier-" + std::to_string(::getpid()) + "-0.db");
    std::ofstream(stale) << "left by a crawl killed with kill -9";
    std::ofstream(live) << "another crawl's, running";

    auto r = weft::test::run_process({"/usr/bin/env", "TMPDIR=" + dir.path().string(), weft::test::weft_cli_path(),
                                      "crawl", server.url("/"), "-q", "--ignore-robots"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK_FALSE(std::filesystem::exists(stale));
    CHECK(std::filesystem::exists(live));
    // and its own spill file is gone when it ends
    std::size_t left = 0;
    for (auto const& e : std::filesystem::directory_iterator(dir.path()))
        left += e.path().filename().string().starts_with("weft-frontier-") ? 1 : 0;
    CHECK(left == 1);
}
