// `weft fetch --render` (headless Chromium) and `weft fetch --wait-for` (polling plain HTTP), run
// as a user runs them against the local test server.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <iterator>
#include <sstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

using weft::test::canned_response;
using weft::test::html_response;
using weft::test::received_request;
using weft::test::run_process;
using weft::test::weft_cli_path;

namespace
{

void add_pages(weft::test::test_server& s)
{
    s.add_handler("/app",
                  [](received_request const&)
                  {
                      return html_response(R"(<!doctype html><html><body><div id="root"></div><img src="/pic.png"><script>
            setTimeout(() => { document.getElementById('root').innerHTML = '<p class="ready">built by script</p>'; }, 200);
            </script></body></html>)");
                  });
    s.add_handler("/pic.png", [](received_request const&) { return canned_response{200, {}, "png"}; });
}

} // namespace

TEST_CASE("weft fetch --render prints the HTML after scripts ran and waits for --wait-for", "[cli][render]")
{
    weft::test::test_server server;
    add_pages(server);
    auto plain = run_process({weft_cli_path(), "fetch", server.url("/app")});
    CHECK(plain.exit_code == 0);
    CHECK(plain.out.find(R"(<div id="root"></div>)") != std::string::npos); // as served

    auto r = run_process({weft_cli_path(), "fetch", "--render", "--wait-for", ".ready", "--block", "images,fonts",
                          server.url("/app")});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find(R"(<div id="root"><p class="ready">built by script</p></div>)") != std::string::npos);
    CHECK(server.request_count("/pic.png") == 0); // curl does not load images, and the render blocked them
}

// The timeout covers starting Chromium too: 6 s leaves room for a loaded machine.
TEST_CASE("weft fetch --render --wait-for that never matches fails after the timeout naming the selector",
          "[cli][render]")
{
    weft::test::test_server server;
    add_pages(server);
    auto r = run_process({weft_cli_path(), "fetch", "--render", "--wait-for", "#never", "--timeout", "6",
                          server.url("/app")});
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains("#never") && Catch::Contains(server.url("/app")));
    // One line says the failure; as root the launch also says once that Chromium has no sandbox.
    auto const lines = std::count(r.err.begin(), r.err.end(), '\n');
    bool const sandbox_notice = r.err.find("chromium runs without its sandbox") != std::string::npos;
    CHECK(lines == (sandbox_notice ? 2 : 1));
    CHECK(sandbox_notice == (::geteuid() == 0));
}

TEST_CASE("weft fetch --render --screenshot writes a PNG of the page", "[cli][render]")
{
    weft::test::test_server server;
    add_pages(server);
    weft::test::temp_dir dir;
    auto png = (dir / "shot.png").string();
    auto r = run_process({weft_cli_path(), "fetch", "--render", "--wait-for", ".ready", "--screenshot", png, "-o",
                          (dir / "page.html").string(), server.url("/app")});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    std::ifstream in(png, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(bytes.size() > 100);
    CHECK(bytes.substr(0, 8) == "\x89PNG\r\n\x1a\n");
}

TEST_CASE("weft fetch refuses render options without --render and unknown --block types", "[cli][render]")
{
    auto r = run_process({weft_cli_path(), "fetch", "--screenshot", "x.png", "http://127.0.0.1:9/"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("need --render"));
    // The chromium fetcher checks the names (before it starts a browser); a file named by -o is
    // left as it was.
    weft::test::temp_dir dir;
    auto kept = (dir / "kept.html").string();
    std::ofstream(kept) << "mine";
    r = run_process({weft_cli_path(), "fetch", "--render", "--block", "images,pictures", "-o", kept,
                     "http://127.0.0.1:9/"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--block: unknown resource type 'pictures' (known: images, fonts"));
    std::ifstream in(kept);
    CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "mine");
    r = run_process({weft_cli_path(), "fetch", "--render", "--fetcher", "beast", "http://127.0.0.1:9/"});
    CHECK(r.exit_code == 2);
}

TEST_CASE("weft fetch --wait-for without --render re-fetches until the selector matches", "[cli][wait]")
{
    weft::test::test_server server;
    auto polls = std::make_shared<std::atomic<int>>(0);
    server.add_handler("/report",
                       [polls](received_request const&)
                       {
                           return ++*polls < 3 ? html_response("<p class=pending>still generating</p>")
                                               : html_response("<p class=done>report ready</p>");
                       });
    auto r = run_process({weft_cli_path(), "fetch", "--wait-for", ".done", "--timeout", "20", server.url("/report")});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "<p class=done>report ready</p>");
    CHECK(server.request_count("/report") == 3);

    auto never = run_process({weft_cli_path(), "fetch", "--wait-for", ".never", "--timeout", "1", server.url("/report")});
    CHECK(never.exit_code == 1);
    CHECK_THAT(never.err, Catch::Contains(".never") && Catch::Contains("/report"));
}

TEST_CASE("weft crawl --fetcher chromium follows links that only scripts create", "[cli][render][crawl]")
{
    weft::test::test_server server;
    server.add_handler("/spa",
                       [](received_request const&)
                       {
                           return html_response(R"(<!doctype html><html><head><title>app</title></head><body><script>
            const a = document.createElement('a'); a.href = '/built-by-script'; a.textContent = 'next';
            document.body.appendChild(a);</script></body></html>)");
                       });
    server.add_handler("/built-by-script",
                       [](received_request const&) { return html_response("<html><head><title>found</title></head></html>"); });

    auto plain = run_process({weft_cli_path(), "crawl", server.url("/spa"), "--quiet", "-o", "-"});
    CHECK(plain.exit_code == 0);
    CHECK(plain.out.find("/built-by-script") == std::string::npos);

    auto r = run_process({weft_cli_path(), "crawl", server.url("/spa"), "--fetcher", "chromium", "--quiet", "-o", "-"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    bool found = false;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
    {
        auto item = nlohmann::json::parse(line);
        if (item["url"] == server.url("/built-by-script"))
            found = item["title"] == "found" && item["status"] == 200;
    }
    CHECK(found);
    CHECK(server.request_count("/built-by-script") == 1);
}

// Chromium's sandbox: kept for an ordinary user (user namespaces are on here), given up as root
// with the reason said once. The tests run as root in CI; `runuser -u nobody` is the other user.
TEST_CASE("a rendered fetch keeps Chromium's sandbox as a user and says why it cannot as root", "[cli][render][sandbox]")
{
    weft::test::test_server server;
    add_pages(server);
    std::vector<std::string> const fetch{weft_cli_path(), "fetch", "--render", "--wait-for", ".ready",
                                         server.url("/app")};
    std::string const no_sandbox = "chromium runs without its sandbox";
    auto as_me = run_process(fetch);
    INFO(as_me.err);
    CHECK(as_me.exit_code == 0);
    if (::geteuid() != 0)
    {
        CHECK(as_me.err.find(no_sandbox) == std::string::npos);
        return;
    }
    CHECK_THAT(as_me.err, Catch::Contains(no_sandbox) && Catch::Contains("running as root"));
    CHECK(as_me.err.find(no_sandbox) == as_me.err.rfind(no_sandbox)); // once

    std::vector<std::string> as_nobody{"/usr/sbin/runuser", "-u", "nobody", "--"};
    // A checkout under a directory only root may enter (/root) cannot be run by another user:
    // the choice itself is covered by the unit tests ([chromium][sandbox]).
    auto reachable = run_process({"/usr/sbin/runuser", "-u", "nobody", "--", "test", "-x", weft_cli_path()});
    if (reachable.exit_code != 0)
    {
        WARN("user nobody cannot run " << weft_cli_path() << ": the sandboxed launch is not exercised here");
        return;
    }
    as_nobody.insert(as_nobody.end(), fetch.begin(), fetch.end());
    auto r = run_process(as_nobody);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("built by script") != std::string::npos);
    CHECK(r.err.find(no_sandbox) == std::string::npos); // sandboxed
}
