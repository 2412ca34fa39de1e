// The weft executable's fetch command, run as a user runs it, against the local test server.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

using weft::test::run_process;
using weft::test::weft_cli_path;

namespace {

std::string const fetchers[] = {"curl", "beast"};

} // namespace

TEST_CASE("weft fetch prints the body, and -i the status line and headers first", "[cli][fetch]")
{
    weft::test::test_server server;
    for (auto const& f : fetchers)
    {
        INFO("fetcher " << f);
        auto r = run_process({weft_cli_path(), "fetch", "--fetcher", f, server.url("/bytes?n=1000")});
        CHECK(r.exit_code == 0);
        CHECK(r.out == weft::test::test_server::pattern_body(1000));

        auto with_head = run_process({weft_cli_path(), "fetch", "-i", "--fetcher", f, server.url("/bytes?n=10")});
        CHECK(with_head.exit_code == 0);
        CHECK(with_head.out.rfind("HTTP/1.1 200", 0) == 0);
        auto blank = with_head.out.find("\r\n\r\n");
        REQUIRE(blank != std::string::npos);
        CHECK(with_head.out.substr(blank + 4) == weft::test::test_server::pattern_body(10));
    }
}

TEST_CASE("weft fetch sends -H headers and -X/-d bodies", "[cli][fetch]")
{
    weft::test::test_server server;
    auto r = run_process({weft_cli_path(), "fetch", "-X", "POST", "-d", "hello", "-H", "X-Weft-Test: yes", server.url("/echo")});
    CHECK(r.exit_code == 0);
    auto req = server.last_request("/echo");
    REQUIRE(req);
    CHECK(req->method == "POST");
    CHECK(req->body == "hello");
    CHECK(req->headers.get("X-Weft-Test") == "yes");
}

TEST_CASE("weft fetch -o writes the body to a file", "[cli][fetch]")
{
    weft::test::test_server server;
    weft::test::temp_dir dir;
    auto out = (dir / "body.bin").string();
    auto r = run_process({weft_cli_path(), "fetch", "-o", out, server.url("/gzip?n=5000")});
    CHECK(r.exit_code == 0);
    CHECK(r.out.empty());
    std::ifstream in(out, std::ios::binary);
    std::string body{std::istreambuf_iterator<char>(in), {}};
    CHECK(body == weft::test::test_server::pattern_body(5000));
}

TEST_CASE("weft fetch fails with exit code 1 and one line naming the URL and cause", "[cli][fetch]")
{
    auto port = weft::test::unused_port();
    auto url = "http://127.0.0.1:" + std::to_string(port) + "/nothing-here";
    for (auto const& f : fetchers)
    {
        INFO("fetcher " << f);
        auto r = run_process({weft_cli_path(), "fetch", "--fetcher", f, url});
        CHECK(r.exit_code == 1);
        CHECK(r.err.find(url) != std::string::npos);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
}

TEST_CASE("weft fetch --timeout ends a slow transfer with a timeout error", "[cli][fetch][timeout]")
{
    weft::test::test_server server;
    auto r = run_process({weft_cli_path(), "fetch", "--timeout", "0.3", server.url("/slow-headers?ms=5000")});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("/slow-headers") != std::string::npos);
    CHECK(r.err.find("timed out") != std::string::npos);
}

TEST_CASE("weft fetch -f fails on 4xx, and without it a 404 is printed", "[cli][fetch]")
{
    weft::test::test_server server;
    CHECK(run_process({weft_cli_path(), "fetch", server.url("/status/404")}).exit_code == 0);
    auto r = run_process({weft_cli_path(), "fetch", "-f", server.url("/status/404")});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("404") != std::string::npos);
}

TEST_CASE("weft fetch refuses bad usage with exit code 2", "[cli][fetch]")
{
    CHECK(run_process({weft_cli_path(), "fetch"}).exit_code == 2);
    auto r = run_process({weft_cli_path(), "fetch", "--fetcher", "nope", "http://127.0.0.1:1/"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("nope") != std::string::npos);
    CHECK(run_process({weft_cli_path(), "fetch", "-H", "no-colon", "http://127.0.0.1:1/"}).exit_code != 0);
    auto proxy = run_process({weft_cli_path(), "fetch", "-x", "ftp://bob:s3cret@p.test", "http://127.0.0.1:1/"});
    CHECK(proxy.exit_code == 2);
    CHECK(proxy.err.find("--proxy") != std::string::npos);
    CHECK(proxy.err.find("s3cret") == std::string::npos);
}

TEST_CASE("weft fetch -x goes through the proxy", "[cli][fetch][proxy]")
{
    weft::test::test_server proxy;
    auto r = run_process({weft_cli_path(), "fetch", "-x", proxy.url(""), "http://weft-fetch.invalid/bytes?n=10"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == weft::test::test_server::pattern_body(10));
    REQUIRE(proxy.last_request("/bytes"));
    CHECK(proxy.last_request("/bytes")->proxied_for == "http://weft-fetch.invalid");
}

TEST_CASE("weft fetch verifies TLS by default and -k skips verification", "[cli][fetch][tls]")
{
    weft::test::test_server::options opts;
    opts.tls = true;
    weft::test::test_server server(opts);
    auto verified = run_process({weft_cli_path(), "fetch", server.url("/bytes?n=5")});
    CHECK(verified.exit_code == 1);
    CHECK(verified.err.find(server.url("/bytes?n=5")) != std::string::npos);
    auto insecure = run_process({weft_cli_path(), "fetch", "-k", server.url("/bytes?n=5")});
    CHECK(insecure.exit_code == 0);
    CHECK(insecure.out == weft::test::test_server::pattern_body(5));
}

TEST_CASE("weft fetch -o replaces FILE only once the fetch succeeded, leaving no partial file", "[cli][fetch]")
{
    weft::test::test_server server;
    weft::test::temp_dir dir;
    auto const out = (dir / "body.bin").string();
    std::ofstream(out) << "before";
    auto slurp = [&]
    {
        std::ifstream in(out, std::ios::binary);
        return std::string{std::istreambuf_iterator<char>(in), {}};
    };
    auto files = [&]
    {
        std::vector<std::string> names;
        for (auto const& e : std::filesystem::directory_iterator(dir.path()))
            names.push_back(e.path().filename().string());
        return names;
    };
    // The body is half sent, then the connection closes: a failure after data was written.
    auto cut = run_process({weft_cli_path(), "fetch", "-o", out, server.url("/close-mid-body?n=100000")});
    CHECK(cut.exit_code == 1);
    CHECK(slurp() == "before");
    CHECK(files() == std::vector<std::string>{"body.bin"}); // no temporary file left behind

    auto fresh = (dir / "new.bin").string();
    auto refused = run_process({weft_cli_path(), "fetch", "-f", "-o", fresh, server.url("/status/404")});
    CHECK(refused.exit_code == 1);
    CHECK_FALSE(std::filesystem::exists(fresh));

    auto ok = run_process({weft_cli_path(), "fetch", "-o", out, server.url("/bytes?n=100")});
    CHECK(ok.exit_code == 0);
    CHECK(slurp() == weft::test::test_server::pattern_body(100));
    CHECK(files() == std::vector<std::string>{"body.bin"});

    auto to_dir = run_process({weft_cli_path(), "fetch", "-o", dir.path().string(), server.url("/bytes?n=1")});
    CHECK(to_dir.exit_code == 2);
    CHECK_THAT(to_dir.err, Catch::Contains("is a directory; give a file"));
}
