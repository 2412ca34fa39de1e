// `weft crawl --frontier`, `weft status`, `weft export`: what the command line checks before a
// shared crawl state is opened. (The crawl against a real Redis is tested with its backend.)
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

namespace
{
using weft::test::run_process;
using weft::test::weft_cli_path;
} // namespace

TEST_CASE("weft crawl --frontier with an unknown scheme exits 2 naming the address without its password",
          "[cli][crawl][frontier]")
{
    weft::test::test_server server;
    auto r = run_process({weft_cli_path(), "crawl", server.url("/html"), "-q", "--frontier",
                          "nosuch://:hunter2@127.0.0.1:6379/0", "--crawl-id", "books"});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("nosuch://:***@127.0.0.1:6379/0") != std::string::npos);
    CHECK(r.err.find("hunter2") == std::string::npos);
    CHECK(server.total_requests() == 0);
}

TEST_CASE("weft crawl refuses --frontier with --job-dir", "[cli][crawl][frontier]")
{
    weft::test::test_server server;
    weft::test::temp_dir dir;
    auto r = run_process({weft_cli_path(), "crawl", server.url("/html"), "-q", "--frontier",
                          "redis://:hunter2@127.0.0.1:6379/0", "--job-dir", (dir / "job").string()});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--job-dir") != std::string::npos);
    CHECK(r.err.find("hunter2") == std::string::npos);
    CHECK(server.total_requests() == 0);
}

TEST_CASE("weft status and weft export need a known address and say so", "[cli][frontier]")
{
    weft::test::temp_dir dir;
    auto s = run_process({weft_cli_path(), "status", "nosuch://:hunter2@127.0.0.1:1", "--crawl-id", "x"});
    CHECK(s.exit_code == 2);
    CHECK(s.err.find("nosuch://:***@127.0.0.1:1") != std::string::npos);
    CHECK(s.err.find("hunter2") == std::string::npos);
    auto e = run_process({weft_cli_path(), "export", "nosuch://:hunter2@127.0.0.1:1", "--crawl-id", "x", "-o",
                          (dir / "out.jsonl").string()});
    CHECK(e.exit_code == 2);
    CHECK(e.err.find("hunter2") == std::string::npos);
    CHECK(!std::filesystem::exists(dir / "out.jsonl"));
    auto no_out = run_process({weft_cli_path(), "export", "nosuch://127.0.0.1:1"});
    CHECK(no_out.exit_code == 2);
}
