// The weft executable's robots command: the RFC 9309 matcher on a file.
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using weft::test::run_process;
using weft::test::weft_cli_path;

TEST_CASE("weft robots prints allowed or disallowed per URL, in order", "[cli][robots]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "robots.txt").string();
    std::ofstream(path) << "User-agent: weftbot\nDisallow: /private\nAllow: /private/ok$\n\n"
                           "User-agent: *\nDisallow: /\n";
    auto r = run_process({weft_cli_path(), "robots", path, "WeftBot/1.0",
                          "http://a.test/public", "http://a.test/private/x", "http://a.test/private/ok",
                          "http://a.test/private/ok/more"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "allowed\ndisallowed\nallowed\ndisallowed\n");

    auto other = run_process({weft_cli_path(), "robots", path, "otherbot", "http://a.test/public"});
    CHECK(other.out == "disallowed\n");
}

TEST_CASE("weft robots exits 2 on an unreadable file", "[cli][robots]")
{
    auto r = run_process({weft_cli_path(), "robots", "/nonexistent/robots.txt", "bot", "http://a.test/"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("/nonexistent/robots.txt") != std::string::npos);
}
