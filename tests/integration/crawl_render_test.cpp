// `weft crawl --fetcher chromium` obeys the crawl as an HTTP crawl does: robots.txt over plain
// HTTP (each RFC 9309 case), none of the browser's own requests (favicon), every subresource of a
// page counted by type and subject to --block. Run as a user runs them against the local test
// server; Chromium is slow on a loaded machine, so the tests check what was requested, not when.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <string>
#include <vector>

using weft::test::canned_response;
using weft::test::html_response;
using weft::test::received_request;
using weft::test::run_process;
using weft::test::weft_cli_path;

namespace
{

// A site of two pages: / links to /a.html and /private/b.html.
void add_site(weft::test::test_server& s)
{
    s.add_handler("/", [](received_request const&)
                  { return html_response("<html><body><a href=\"/a.html\">a</a><a href=\"/private/b.html\">b</a>"
                                         "</body></html>"); });
    for (std::string path : {"/a.html", "/private/b.html"})
        s.add_handler(path, [](received_request const&) { return html_response("<html><title>t</title></html>"); });
}

canned_response text(int status, std::string body)
{
    canned_response r;
    r.status = status;
    r.headers.set("Content-Type", "text/plain");
    r.body = std::move(body);
    return r;
}

std::set<std::string> urls_of(std::string const& out)
{
    std::set<std::string> urls;
    for (auto const& item : weft::test::json_lines(out))
        if (item.contains("status"))
            urls.insert(item["url"].get<std::string>());
    return urls;
}

std::vector<std::string> rendered_crawl(weft::test::test_server const& s, std::vector<std::string> extra = {})
{
    std::vector<std::string> argv{weft_cli_path(), "crawl", s.url("/"), "--fetcher", "chromium", "-o", "-",
                                  "--timeout", "30"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

nlohmann::json read_json(std::string const& path)
{
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

} // namespace

TEST_CASE("a rendered crawl of a site whose robots.txt answers 404 crawls it all, robots.txt fetched over HTTP",
          "[cli][render][crawl][robots]")
{
    weft::test::test_server server;
    add_site(server); // no /robots.txt: the server answers 404
    auto r = run_process(rendered_crawl(server, {"-q"}));
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(urls_of(r.out) == std::set<std::string>{server.url("/"), server.url("/a.html"), server.url("/private/b.html")});
    CHECK(server.request_count("/robots.txt") == 1);
    // Fetched by the HTTP fetcher with the crawl's user agent, not rendered by Chromium.
    auto robots = server.last_request_headers("/robots.txt");
    REQUIRE(robots);
    auto const agent = robots->get("User-Agent").value_or("");
    CHECK(agent.starts_with("weft/"));
    CHECK(agent.find("Chrome") == std::string::npos);
}

TEST_CASE("a rendered crawl obeys a robots.txt of rules, reached through a redirect", "[cli][render][crawl][robots]")
{
    weft::test::test_server server;
    add_site(server);
    server.add_handler("/robots.txt",
                       [](received_request const&)
                       {
                           canned_response r;
                           r.status = 301;
                           r.headers.set("Location", "/rules.txt");
                           return r;
                       });
    server.add_handler("/rules.txt",
                       [](received_request const&) { return text(200, "User-agent: *\nDisallow: /private/\n"); });
    auto r = run_process(rendered_crawl(server, {"-q"}));
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(urls_of(r.out) == std::set<std::string>{server.url("/"), server.url("/a.html")});
    CHECK(server.request_count("/private/b.html") == 0);
    CHECK(server.request_count("/rules.txt") == 1);
}

TEST_CASE("a rendered crawl of a site whose robots.txt answers 503 fetches none of its pages and exits 1",
          "[cli][render][crawl][robots]")
{
    weft::test::test_server server;
    add_site(server);
    server.add_handler("/robots.txt", [](received_request const&) { return text(503, "busy"); });
    auto r = run_process(rendered_crawl(server, {"-q", "--retries", "0", "-s", "robots_unreachable_limit=0"}));
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(server.request_count("/") == 0); // RFC 9309: an unreachable robots.txt disallows everything
    auto const items = weft::test::json_lines(r.out);
    REQUIRE(items.size() == 1);
    auto origin = server.url("/");
    origin.pop_back();
    CHECK(items[0]["error"] == "robots.txt unreachable: HTTP 503 (" + origin + "/robots.txt)");
}

// The browser asks for a site's favicon after a page has loaded, and for prefetches and service
// worker scripts on the side: each page here holds its load for a while (a slow image), so that
// the browser has the time to ask while the crawl still runs.
TEST_CASE("a rendered crawl requests nothing its pages did not: no favicon, prefetch or service worker",
          "[cli][render][crawl]")
{
    weft::test::test_server server;
    for (int i = 0; i < 3; ++i)
        server.add_handler("/p" + std::to_string(i),
                           [i](received_request const&)
                           {
                               auto const next = "/p" + std::to_string(i + 1);
                               return html_response(
                                   "<!doctype html><html><head><link rel=prefetch href=/prefetched.html></head><body>"
                                   "<script>navigator.serviceWorker && navigator.serviceWorker.register('/sw.js')"
                                   ".catch(() => {});</script><img src='/slow-headers?ms=700&amp;p=" +
                                   std::to_string(i) + "'>" + (i < 2 ? "<a href=" + next + ">next</a>" : "") +
                                   "</body></html>");
                           });
    server.add_handler("/sw.js", [](received_request const&) { return text(200, "self.addEventListener('fetch', () => {});"); });
    auto r = run_process({weft_cli_path(), "crawl", server.url("/p0"), "--fetcher", "chromium", "-o", "-", "-q",
                          "--ignore-robots", "--timeout", "30"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(urls_of(r.out).size() == 3);
    CHECK(server.request_count("/slow-headers") == 3); // the pages' own requests went out
    CHECK(server.request_count("/favicon.ico") == 0);
    CHECK(server.request_count("/prefetched.html") == 0);
    CHECK(server.request_count("/sw.js") == 0);
}

namespace
{

// A page that loads a script, a stylesheet and an image.
void add_page_with_subresources(weft::test::test_server& s)
{
    s.add_handler("/", [](received_request const&)
                  { return html_response("<!doctype html><html><head><link rel=stylesheet href=/style.css>"
                                         "<script src=/app.js></script></head><body><img src=/pic.png></body></html>"); });
    s.add_handler("/style.css", [](received_request const&)
                  {
                      auto r = text(200, "body { color: black }");
                      r.headers.set("Content-Type", "text/css");
                      return r;
                  });
    s.add_handler("/app.js", [](received_request const&)
                  {
                      auto r = text(200, "window.loaded = true;");
                      r.headers.set("Content-Type", "text/javascript");
                      return r;
                  });
    s.add_handler("/pic.png", [](received_request const&)
                  {
                      auto r = text(200, "not really a png");
                      r.headers.set("Content-Type", "image/png");
                      return r;
                  });
}

} // namespace

TEST_CASE("a rendered crawl counts each subresource by type, and --block keeps a type from the network",
          "[cli][render][crawl][stats]")
{
    weft::test::test_server server;
    add_page_with_subresources(server);
    weft::test::temp_dir dir;
    auto const stats_file = (dir / "stats.json").string();

    auto r = run_process(rendered_crawl(server, {"--ignore-robots", "--stats", stats_file}));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto sub = read_json(stats_file)["subresources"];
    INFO(sub.dump());
    for (char const* type : {"document", "script", "stylesheet", "image"})
    {
        INFO(type);
        CHECK(sub[type]["requested"] == 1);
        CHECK(sub[type]["blocked"] == 0);
    }
    CHECK(server.request_count("/pic.png") == 1);
    CHECK_THAT(r.err, Catch::Contains("subresources:") && Catch::Contains("image=1") && Catch::Contains("script=1"));

    auto blocked = run_process(rendered_crawl(server, {"--ignore-robots", "--stats", stats_file, "--block", "images"}));
    INFO(blocked.err);
    REQUIRE(blocked.exit_code == 0);
    sub = read_json(stats_file)["subresources"];
    INFO(sub.dump());
    CHECK(sub["image"]["requested"] == 1);
    CHECK(sub["image"]["blocked"] == 1);
    CHECK(sub["script"]["blocked"] == 0);
    CHECK(server.request_count("/pic.png") == 1); // only the first crawl's
    CHECK(server.request_count("/app.js") == 2);
    CHECK_THAT(blocked.err, Catch::Contains("image=1 (1 blocked)"));
}
