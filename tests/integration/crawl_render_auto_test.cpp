// `weft crawl --render auto|always`: pages fetched over HTTP first and rendered in Chromium only
// when they need it, on a local site of static pages and pages built by script side by side.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

using weft::test::html_response;
using weft::test::received_request;
using weft::test::run_process;
using weft::test::weft_cli_path;

namespace
{

constexpr int app_pages = 5;
constexpr char const* prose = "Static pages carry their content in the HTML as served: no browser is needed for them.";

// "/": links to two static pages, a script-only page and the app pages. An app page is an empty
// #app filled by its script, with a link to a page nothing else links to (/hidden/N.html).
void add_mixed_site(weft::test::test_server& s)
{
    std::string index = std::string("<!doctype html><title>Home</title><h1>Home</h1><p>") + prose +
                        "</p><a href=/s1.html>s1</a><a href=/s2.html>s2</a><a href=/bare.html>bare</a>";
    for (int i = 1; i <= app_pages; ++i)
        index += "<a href=/app/" + std::to_string(i) + "/view.html>app</a>";
    s.add_handler("/", [index](received_request const&) { return html_response(index); });
    for (auto path : {"/s1.html", "/s2.html"})
        s.add_handler(path,
                      [](received_request const&)
                      {
                          return html_response(std::string("<!doctype html><title>Static</title><p>") + prose +
                                               "</p><a href=/>home</a><script>var analytics = 1;</script>");
                      });
    s.add_handler("/bare.html",
                  [](received_request const&)
                  {
                      return html_response(R"(<!doctype html><title>Bare</title><body><script>
                          document.body.innerHTML = '<h1>Bare</h1><a href="/hidden/9.html">more</a>';</script>)");
                  });
    for (int i = 1; i <= app_pages; ++i)
        s.add_handler("/app/" + std::to_string(i) + "/view.html",
                      [i](received_request const&)
                      {
                          auto const n = std::to_string(i);
                          return html_response(R"(<!doctype html><title>App</title><body><div id="app"></div><script>
                              document.getElementById('app').innerHTML = '<h1>App )" + n +
                                               R"(</h1><a href="/hidden/)" + n + R"(.html">more</a>';</script>)");
                      });
    for (int i : {1, 2, 3, 4, 5, 9})
        s.add_handler("/hidden/" + std::to_string(i) + ".html",
                      [](received_request const&)
                      { return html_response(std::string("<!doctype html><title>Hidden</title><p>") + prose); });
}

struct crawl_run
{
    weft::test::process_result r;
    std::map<std::string, nlohmann::json> items; // by path
    nlohmann::json stats;
};

crawl_run crawl(weft::test::test_server const& server, std::vector<std::string> flags)
{
    weft::test::temp_dir dir;
    auto const stats = (dir / "stats.json").string();
    std::vector<std::string> argv{weft_cli_path(), "crawl", "-q", "-c", "1", "--stats", stats};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back(server.url("/"));
    crawl_run c{run_process(argv), {}, {}};
    for (auto& item : weft::test::json_lines(c.r.out))
    {
        auto url = item["url"].get<std::string>();
        c.items[url.substr(server.url("/").size() - 1)] = std::move(item);
    }
    if (std::ifstream in(stats); in)
        c.stats = nlohmann::json::parse(in);
    return c;
}

std::uint64_t custom(nlohmann::json const& stats, char const* key)
{
    auto const& c = stats.at("custom");
    return c.contains(key) ? c.at(key).get<std::uint64_t>() : 0;
}

} // namespace

TEST_CASE("weft crawl --render auto renders only the pages built by script and learns their URL pattern",
          "[cli][render][render_auto]")
{
    weft::test::test_server server;
    add_mixed_site(server);
    auto c = crawl(server, {"--render", "auto"});
    INFO(c.r.err);
    REQUIRE(c.r.exit_code == 0);
    // Every page, the ones only script-built pages link to included.
    CHECK(c.items.size() == 1 + 2 + 1 + app_pages + 6);
    for (int i : {1, 2, 3, 4, 5, 9})
        CHECK(c.items.count("/hidden/" + std::to_string(i) + ".html") == 1);
    for (int i = 1; i <= app_pages; ++i)
        CHECK(c.items.at("/app/" + std::to_string(i) + "/view.html")["links"] == 1); // as rendered
    // Static pages were fetched once, over HTTP, and kept.
    CHECK(server.request_count("/s1.html") == 1);
    CHECK(server.request_count("/hidden/1.html") == 1);
    CHECK(custom(c.stats, "render_auto_http") == 1 + 2 + 6);
    // Pages judged and rendered were fetched twice (HTTP, then Chromium); once 3 app pages had
    // needed it, the rest of their pattern went straight to Chromium.
    auto const direct = custom(c.stats, "render_auto_direct");
    CHECK(direct == app_pages - 3);
    CHECK(custom(c.stats, "render_auto_rendered") == 1 + 3);
    std::size_t app_requests = 0;
    for (int i = 1; i <= app_pages; ++i)
        app_requests += server.request_count("/app/" + std::to_string(i) + "/view.html");
    CHECK(app_requests == 2 * app_pages - direct);
}

TEST_CASE("weft crawl --render auto gives the items --render always gives, with fewer renders",
          "[cli][render][render_auto]")
{
    weft::test::test_server server;
    add_mixed_site(server);
    auto const adaptive = crawl(server, {"--render", "auto"});
    auto const always = crawl(server, {"--render", "always"});
    INFO(adaptive.r.err << always.r.err);
    REQUIRE(adaptive.r.exit_code == 0);
    REQUIRE(always.r.exit_code == 0);
    REQUIRE(adaptive.items.size() == always.items.size());
    for (auto const& [path, item] : always.items)
    {
        INFO(path);
        REQUIRE(adaptive.items.count(path) == 1);
        CHECK(adaptive.items.at(path)["title"] == item["title"]);
        CHECK(adaptive.items.at(path)["links"] == item["links"]);
    }
    CHECK_FALSE(always.stats.at("custom").contains("render_auto_http"));
}

TEST_CASE("weft crawl --render-wait-for renders the pages that lack the selector and waits for it",
          "[cli][render][render_auto]")
{
    weft::test::test_server server;
    server.add_handler("/", [](received_request const&)
                       { return html_response(R"(<title>i</title><a href=/served.html>1</a><a href=/late.html>2</a>)"); });
    server.add_handler("/served.html", [](received_request const&)
                       { return html_response(std::string("<title>s</title><p class=price>3.50</p><p>") + prose); });
    // Text enough to pass for static, but the price comes later, from a script.
    server.add_handler("/late.html",
                       [](received_request const&)
                       {
                           return html_response(std::string("<title>l</title><p>") + prose + R"(</p><script>
                               setTimeout(() => { document.body.insertAdjacentHTML('beforeend',
                                   '<p class="price">4.20</p><a href="/after.html">a</a>'); }, 300);</script>)");
                       });
    server.add_handler("/after.html", [](received_request const&) { return html_response("<title>a</title>"); });
    auto c = crawl(server, {"--render-wait-for", ".price", "-s", "render_wait_timeout=2"});
    INFO(c.r.err);
    REQUIRE(c.r.exit_code == 0);
    CHECK(server.request_count("/served.html") == 1);
    CHECK(server.request_count("/late.html") == 2);
    CHECK(c.items.count("/after.html") == 1); // linked only once the script ran
    // The index and /after.html never have a price: rendered, waited for, then kept as served
    // (not failed: a crawl-wide selector is what pages worth rendering have).
    CHECK(c.items.size() == 4);
    CHECK(custom(c.stats, "render_auto_kept") == 2);
    CHECK(custom(c.stats, "render_auto_rendered") == 3);
    CHECK(c.stats.at("errors") == 0);
}

TEST_CASE("weft crawl refuses an unknown --render mode and a --render-wait-for that does not parse",
          "[cli][render][render_auto]")
{
    auto bad_mode = run_process({weft_cli_path(), "crawl", "--render", "sometimes", "http://127.0.0.1:9/"});
    CHECK(bad_mode.exit_code == 2);
    CHECK_THAT(bad_mode.err, Catch::Contains("--render") && Catch::Contains("auto"));
    auto bad_selector = run_process({weft_cli_path(), "crawl", "--render-wait-for", "div[[", "http://127.0.0.1:9/"});
    CHECK(bad_selector.exit_code == 2);
    CHECK_THAT(bad_selector.err, Catch::Contains("--render-wait-for") && Catch::Contains("div[["));
}
