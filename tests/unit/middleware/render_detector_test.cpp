// The adaptive renderer's judge (is an HTML page as served missing what a render adds?) and its
// memory of URL patterns.
#include "middleware/render_detector.hpp"

#include <weft/html/selector.hpp>

#include <catch2/catch.hpp>

using weft::middleware::detail::judge_http_page;
using weft::middleware::detail::render_memory;
using weft::middleware::detail::render_outcome;
using weft::middleware::detail::render_pattern;

namespace
{

constexpr char const* text =
    "Static pages carry their content in the HTML as served, so a crawler needs no browser for them.";

std::string page(std::string body)
{
    return "<!doctype html><html><head><title>t</title></head><body>" + body + "</body></html>";
}

} // namespace

TEST_CASE("a page with its text and links as served needs no render, analytics scripts or not", "[render_auto]")
{
    auto const p = page(std::string("<h1>Docs</h1><p>") + text + "</p><a href=a>a</a><script>var ga=1;</script>");
    auto v = judge_http_page(p, "text/html", "");
    CHECK_FALSE(v.render);
    CHECK(v.reason == "has its content as served");
}

TEST_CASE("an empty mount point of a script framework needs a render", "[render_auto]")
{
    for (auto mount : {R"(<div id="root"></div>)", R"(<div id="app">  </div>)", R"(<div id="__next"></div>)",
                       R"(<app-root></app-root>)", R"(<div ng-app="shop"></div>)"})
    {
        INFO(mount);
        // Text elsewhere on the page (a header, a footer) does not make the app's content served.
        auto v = judge_http_page(page(std::string("<header>") + text + "</header>" + mount + "<script src=app.js></script>"),
                                 "text/html", "");
        CHECK(v.render);
        CHECK_THAT(v.reason, Catch::StartsWith("empty "));
    }
    // Server-rendered: the mount point holds the content.
    CHECK_FALSE(judge_http_page(page(std::string(R"(<div id="root"><p>)") + text + "</p></div><script></script>"),
                                "text/html", "")
                    .render);
}

TEST_CASE("a body of scripts and almost no text needs a render; a short page without scripts does not",
          "[render_auto]")
{
    CHECK(judge_http_page(page("<script>document.body.innerHTML = '<h1>Built</h1>';</script>"), "text/html", "")
              .render);
    CHECK(judge_http_page(page("<p>Loading…</p><script src=main.js></script>"), "text/html", "").render);
    CHECK_FALSE(judge_http_page(page("<p>Gone fishing.</p>"), "text/html", "").render);
}

TEST_CASE("a noscript asking for JavaScript on a page without links needs a render", "[render_auto]")
{
    auto const asks = page(std::string("<p>") + text +
                           "</p><noscript>You need to enable JavaScript to run this app.</noscript>");
    CHECK(judge_http_page(asks, "text/html", "").render);
    auto const with_links = page(std::string("<p>") + text +
                                 "</p><a href=1>1</a><a href=2>2</a><a href=3>3</a>"
                                 "<noscript>Enable JavaScript for comments.</noscript>");
    CHECK_FALSE(judge_http_page(with_links, "text/html", "").render);
}

TEST_CASE("with a selector to wait for, only its presence decides", "[render_auto]")
{
    auto const served = page(std::string("<p>") + text + "</p><div class=price></div>");
    CHECK_FALSE(judge_http_page(served, "text/html", ".price").render);
    auto v = judge_http_page(served, "text/html", ".reviews li");
    CHECK(v.render);
    CHECK(v.reason == "lacks .reviews li");
    // An app shell that has the selector is kept as served.
    CHECK_FALSE(judge_http_page(page(R"(<div id="app"></div><span class="ready"></span>)"), "", ".ready").render);
    CHECK_THROWS_AS(judge_http_page(served, "text/html", "div[["), weft::html::selector_error);
}

TEST_CASE("URL patterns keep host, first folder, depth and extension; ids become *", "[render_auto]")
{
    CHECK(render_pattern("https://shop.test/p/123/reviews") == "shop.test/p/3");
    CHECK(render_pattern("https://shop.test/p/456/reviews?page=2") == "shop.test/p/3");
    CHECK(render_pattern("https://docs.test/guide/intro.html?x=1#top") == "docs.test/guide/2.html");
    CHECK(render_pattern("https://docs.test/2024/05/post.html") == "docs.test/*/3.html");
    CHECK(render_pattern("https://a.test/about.html") == "a.test//1.html");
    CHECK(render_pattern("https://a.test/contact.html") == render_pattern("https://a.test/about.html"));
    CHECK(render_pattern("http://a.test/") == "a.test//0");
    CHECK(render_pattern("http://a.test") == "a.test//0");
    CHECK(render_pattern("https://shop.test/p/1") != render_pattern("https://shop.test/cart/1"));
    CHECK(render_pattern("https://shop.test/p/1") != render_pattern("https://other.test/p/1"));
}

TEST_CASE("a pattern is rendered at once after 3 pages were helped by it, and 1 in 10 is judged again",
          "[render_auto]")
{
    render_memory m;
    CHECK_FALSE(m.render_directly("s/p/2"));
    m.learn("s/p/2", render_outcome::render_helped);
    m.learn("s/p/2", render_outcome::render_helped);
    CHECK_FALSE(m.render_directly("s/p/2"));
    m.learn("s/p/2", render_outcome::render_helped);
    int direct = 0;
    for (int i = 0; i < 20; ++i)
        direct += m.render_directly("s/p/2");
    CHECK(direct == 18); // the 10th and 20th were judged over HTTP first
    CHECK_FALSE(m.render_useless("s/p/2"));

    // One page in ten of a pattern that had its content as served keeps the pattern judged.
    render_memory mixed;
    for (int i = 0; i < 5; ++i)
        mixed.learn("s/x/1", render_outcome::render_helped);
    mixed.learn("s/x/1", render_outcome::served_enough);
    CHECK_FALSE(mixed.render_directly("s/x/1"));
    // Other patterns are not affected.
    CHECK_FALSE(m.render_directly("s/other/2"));
}

TEST_CASE("a pattern whose renders never had the selector is kept as served after 3 pages", "[render_auto]")
{
    render_memory m;
    for (int i = 0; i < 3; ++i)
    {
        CHECK_FALSE(m.render_useless("s/list/2"));
        m.learn("s/list/2", render_outcome::render_no_help);
    }
    CHECK(m.render_useless("s/list/2"));
    CHECK_FALSE(m.render_directly("s/list/2"));
}

TEST_CASE("the pattern memory is bounded", "[render_auto]")
{
    render_memory m;
    for (std::size_t i = 0; i < render_memory::max_patterns + 50; ++i)
        m.learn("h/" + std::to_string(i), render_outcome::render_helped);
    CHECK(m.size() == render_memory::max_patterns);
}
