// Selectors of strings through the API a spider uses: texts(), attrs(), text(), and the errors
// that point Scrapy habits (XPath, css("h2::text")) at what weft takes.
#include <weft/html/document.hpp>
#include <weft/spider/response.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace
{

using weft::html::document;
using weft::html::selector;
using weft::html::strings;

constexpr char const* page = R"(<html><body>
<h2>One</h2><h2>Two <small>2</small></h2>
<a href="/a" class=n>A</a> <a href="/b">B</a> <a name=x>no href</a>
<p class=date>Posted 2026-12-05</p>
</body></html>)";

weft::response html_response(std::string body)
{
    weft::http::response res;
    res.status = 200;
    res.url = "http://x.test/";
    res.final_url = "http://x.test/";
    res.headers.add("Content-Type", "text/html; charset=utf-8");
    res.body = std::move(body);
    return weft::response(std::move(res), weft::request{"http://x.test/"});
}

std::string message_of(std::string_view sel)
{
    weft::html::selector_diagnostics diag;
    auto r = selector::parse(sel, &diag);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == weft::error::bad_selector);
    return diag.message;
}

} // namespace

TEST_CASE("a spider reads strings with texts(), text(), attrs() and attr()", "[html][selector][pseudo]")
{
    auto const res = html_response(page);
    CHECK(res.texts("h2::text") == strings{"One", "Two "});
    CHECK(res.texts("h2 ::text") == strings{"One", "Two ", "2"});
    CHECK(res.texts("h2") == strings{"One", "Two 2"}); // without a pseudo-element: text() of each
    CHECK(res.text("a::attr(href)") == "/a");
    CHECK(res.text("a::attr(title)").empty());
    CHECK(res.texts("a::attr(href)") == strings{"/a", "/b"});
    CHECK(res.attrs("a", "href") == strings{"/a", "/b"});
    CHECK(res.attr("a.n", "href") == "/a");
    CHECK(res.texts("p.date::text").re_first(R"((\d{4})-\d\d)") == "2026");
    CHECK(res.texts("a::attr(href)").re(R"(/(\w))") == strings{"a", "b"});
    // Scrapy's response.follow_all(css="a::attr(href)")
    auto const follows = res.follow_all("a::attr(href)");
    REQUIRE(follows.size() == 2);
    CHECK(follows[0].url() == "http://x.test/a");
    CHECK(follows[1].url() == "http://x.test/b");
    CHECK(res.follow_all("a").size() == 2);
    int n = 0;
    for (auto const& s : res.texts("h2::text"))
        n += !s.empty();
    CHECK(n == 2);
}

TEST_CASE("a parsed selector of strings is reusable and says it selects strings", "[html][selector][pseudo]")
{
    selector const s("a::attr(href)");
    CHECK(s.selects_strings());
    CHECK_FALSE(selector("a[href]").selects_strings());
    auto const doc = document::from_utf8(page);
    CHECK(doc.texts(s) == strings{"/a", "/b"});
    CHECK(doc.root().texts(s) == strings{"/a", "/b"});
}

TEST_CASE("css() of a selector of strings throws, pointing at texts() and text()", "[html][selector][pseudo]")
{
    auto const doc = document::from_utf8(page);
    try
    {
        (void)doc.css("h2::text");
        FAIL("no exception");
    }
    catch (weft::html::selector_error const& e)
    {
        CHECK(e.code() == weft::error::bad_selector);
        CHECK_THAT(e.what(), Catch::Contains("selects strings") && Catch::Contains("texts(\"h2::text\")") &&
                                 Catch::Contains("css()"));
    }
    CHECK_THROWS_AS(doc.css_first("a::attr(href)"), weft::html::selector_error);
    CHECK_THROWS_AS(doc.root().css("::text"), weft::html::selector_error);
    CHECK_THROWS_WITH(doc.attrs("a::attr(href)", "href"), Catch::Contains("already selects strings"));
    CHECK_THROWS_AS(html_response(page).css("h2::text"), weft::html::selector_error);
}

TEST_CASE("pseudo-element mistakes get messages that say what weft takes", "[html][selector][pseudo]")
{
    CHECK(message_of("p::before") ==
          "invalid CSS selector 'p::before': unknown pseudo-element '::before' (supported: parsel's '::text' "
          "and '::attr(name)'; browsers' ::before, ::after, ::first-line... select nothing in a parsed page) at "
          "position 2");
    CHECK_THAT(message_of("p::text()"), Catch::Contains("unknown pseudo-element '::text()'"));
    CHECK_THAT(message_of("p::attr"), Catch::Contains("unknown pseudo-element '::attr'"));
    CHECK_THAT(message_of("p:text"), Catch::Contains("the pseudo-element is '::text', two colons"));
    CHECK_THAT(message_of("a:attr(href)"), Catch::Contains("'::attr(name)', two colons"));
    CHECK(message_of("p::text b") ==
          "invalid CSS selector 'p::text b': '::text' must end the selector (it selects strings, which have no "
          "descendants) at position 2");
    CHECK_THAT(message_of("p::attr(x).y"), Catch::Contains("'::attr(x)' must end the selector"));
    CHECK_THAT(message_of(":is(p::text)"), Catch::Contains("cannot be used inside :is()"));
    CHECK_THAT(message_of("a, p::text"), Catch::Contains("mixes items ending in ::text or ::attr()"));
    CHECK_THAT(message_of("p::attr()"), Catch::Contains("expected an attribute name"));
    CHECK_THAT(message_of("p::attr(a b)"), Catch::Contains("expected ')'"));
}

TEST_CASE("XPath given as CSS is named as XPath, with the CSS for common shapes", "[html][selector][hint]")
{
    struct row
    {
        char const* xpath;
        char const* css; // "" when only the general advice fits
    };
    constexpr row rows[] = {
        {"//a/@href", "a::attr(href)"},
        {"//p/text()", "p::text"},
        {"//div//text()", "div ::text"},
        {"//div[@class=\"quote\"]//span[@class='text']/text()", "div[class=\"quote\"] span[class=\"text\"]::text"},
        {"//*[@id='main']/ul/li[2]", "*#main > ul > li:nth-of-type(2)"},
        {"//a[contains(@href, 'page')]/@href", "a[href*=\"page\"]::attr(href)"},
        {"//a[starts-with(@href,'/')]", "a[href^=\"/\"]"},
        {"//img[@alt]/@src", "img[alt]::attr(src)"},
        {"/html/body/h1", "html > body > h1"},
        {"./li/a", "> li > a"},
        {".//a/@href", "a::attr(href)"},
        {"//@href", "::attr(href)"},
        {"a[@href]", ""},
        {"//a[last()]", ""},
        {"(//a)[1]", ""},
        {"descendant::a", ""},
        {"p/text()", ""},
    };
    for (auto const& r : rows)
    {
        INFO("xpath: " << r.xpath);
        std::string const msg = message_of(r.xpath);
        CHECK_THAT(msg, Catch::Contains("looks like XPath") && Catch::Contains("use xpath()/xpath_texts()"));
        if (*r.css)
        {
            CHECK_THAT(msg, Catch::EndsWith(std::string("in CSS: '") + r.css + "'"));
            // The suggestion parses.
            CHECK(selector::parse(r.css).has_value());
        }
        else
            CHECK_THAT(msg, Catch::Contains("write it in CSS: '//a/@href' is 'a::attr(href)'"));
    }
    // Not XPath: an '@' in a quoted value, a comment, a plain syntax error.
    CHECK(selector::parse("a[title='@home']").has_value());
    CHECK(selector::parse("/* c */ a").has_value());
    CHECK_THAT(message_of("a[title='@home'"), !Catch::Contains("XPath"));
    CHECK_THAT(message_of("p::text()"), !Catch::Contains("XPath"));
}
