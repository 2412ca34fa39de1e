#include <weft/spider/spider.hpp>

#include <weft/spider/output.hpp>
#include <weft/spider/request.hpp>
#include <weft/spider/response.hpp>

#include <catch2/catch.hpp>

namespace
{

weft::response html_response(std::string url, std::string body, std::string content_type = "text/html; charset=utf-8")
{
    weft::http::response res;
    res.status = 200;
    res.url = url;
    res.final_url = url;
    res.headers.add("Content-Type", std::move(content_type));
    res.body = std::move(body);
    weft::request req{url};
    return weft::response(std::move(res), std::move(req));
}

class test_spider final : public weft::spider
{
public:
    test_spider() : spider{"unit-test-spider", {"http://a.test/", "http://b.test/x"}}
    {
        register_callback("parse_item", &test_spider::parse_item);
    }
    weft::generator<weft::output> parse(weft::response res) override { co_return; }
    weft::generator<weft::output> parse_item(weft::response res) { co_return; }
};

WEFT_SPIDER(test_spider)

} // namespace

TEST_CASE("response::follow resolves against the page and its <base>", "[spider][response]")
{
    auto res = html_response("http://x.test/a/b.html",
                             "<html><head><base href='/base/'><title> T  1 </title></head>"
                             "<body><a href='c.html'>c</a><a href='http://y.test/d'>d</a></body></html>");
    CHECK(res.follow("c.html").url() == "http://x.test/base/c.html");
    CHECK(res.follow("c.html").referer() == "http://x.test/a/b.html");
    CHECK(res.scan().title == "T 1");
    REQUIRE(res.links().size() == 2);
    CHECK(res.links()[0].url == "http://x.test/base/c.html");
    auto all = res.follow_all("a");
    REQUIRE(all.size() == 2);
    CHECK(all[1].url() == "http://y.test/d");
    CHECK(res.css("a").size() == 2);
    CHECK(res.text("title") == "T 1");
    auto a = res.css_first("a");
    REQUIRE(a);
    CHECK(res.follow(a->attr("href")).url() == "http://x.test/base/c.html");
    CHECK(res.follow(std::optional<std::string_view>{}).url().empty());
}

TEST_CASE("response::follow resolves against the final URL a middleware set through http()", "[spider][response]")
{
    auto res = html_response("http://x.test/a/b.html", "<a href='c.html'>c</a>");
    CHECK(res.follow("c.html").url() == "http://x.test/a/c.html");
    res.http().final_url = "http://x.test/moved/b.html"; // the base found before is not kept
    CHECK(res.base_url() == "http://x.test/moved/b.html");
    CHECK(res.follow("c.html").url() == "http://x.test/moved/c.html");
}

TEST_CASE("response takes XPath as Scrapy's response.xpath() does", "[spider][response][xpath]")
{
    auto res = html_response("http://x.test/", "<title>T</title><ul><li><a href='/1'>one</a></li>"
                                               "<li><a href='/2'>two</a></li></ul><p>price: 12.50</p>");
    CHECK(res.xpath("//li").size() == 2);
    CHECK(res.xpath_texts("//a/@href") == std::vector<std::string>{"/1", "/2"});
    CHECK(res.xpath_text("//li[2]/a/text()") == "two");
    CHECK(res.xpath_text("//nothing") == "");
    CHECK(res.xpath_texts("//p/text()").re_first(R"([\d.]+)") == "12.50");
    CHECK(res.evaluate("count(//a)").number() == 2);
    CHECK(res.xpath("//li")[1].xpath_text("a/@href") == "/2");
    CHECK_THROWS_AS(res.xpath("//a/@href"), weft::html::xpath_error);
}

TEST_CASE("response decodes the body by its charset and parses JSON", "[spider][response]")
{
    auto res = html_response("http://x.test/", "<p>caf\xe9</p>", "text/html; charset=iso-8859-1");
    CHECK(res.text() == "<p>caf\xc3\xa9</p>");
    CHECK(res.text("p") == "caf\xc3\xa9");
    auto js = html_response("http://x.test/j", R"({"a": [1, 2]})", "application/json");
    CHECK(js.json()["a"][1] == 2);
    CHECK_FALSE(js.is_html());
    CHECK(res.is_html());
}

TEST_CASE("output holds an item or a request and converts from either", "[spider][output]")
{
    weft::item it;
    it.set("k", 1);
    weft::output o1 = it;
    weft::output o2 = weft::request{"http://x.test/"};
    CHECK(o1.is_item());
    CHECK(o1.item().get<int>("k") == 1);
    CHECK(o2.is_request());
    CHECK(o2.request().url() == "http://x.test/");
}

TEST_CASE("a request round-trips through JSON with its callback name", "[spider][request]")
{
    test_spider sp;
    weft::request r{"http://x.test/p", "POST"};
    r.body("b=1").header("X-A", "1").priority(3).depth(2).referer("http://x.test/").dont_filter(true);
    r.meta("k", "v");
    r.callback(&test_spider::parse_item);
    r.redirect_chain().push_back("http://x.test/old");
    auto j = r.to_json([&](std::string const& key) { return sp.callback_name(key); });
    CHECK(j["callback"] == "parse_item");
    auto back = weft::request::from_json(j, [&](weft::request& q, std::string const& cb, std::string const&)
                                         { q.callback(sp.find_callback(cb), cb); });
    CHECK(back.url() == "http://x.test/p");
    CHECK(back.method() == "POST");
    CHECK(back.body() == "b=1");
    CHECK(back.headers().get("X-A") == "1");
    CHECK(back.priority() == 3);
    CHECK(back.depth() == 2);
    CHECK(back.referer() == "http://x.test/");
    CHECK(back.dont_filter());
    CHECK(back.meta()["k"] == "v");
    CHECK(back.original_url() == "http://x.test/old");
    CHECK(static_cast<bool>(back.callback()));
}

TEST_CASE("spiders register by name and keep their start URLs and arguments", "[spider][registry]")
{
    auto names = weft::spider_names();
    CHECK(std::find(names.begin(), names.end(), "unit-test-spider") != names.end());
    auto sp = weft::make_spider("unit-test-spider");
    REQUIRE(sp);
    CHECK(sp->start_urls().size() == 2);
    sp->set_args({{"q", "1"}});
    CHECK(sp->arg("q") == "1");
    CHECK(sp->arg("missing", "d") == "d");
    CHECK(weft::make_spider("no-such-spider") == nullptr);
}

TEST_CASE("response decodes once: UTF-8 text is the body itself, other text is decoded",
          "[spider][response]")
{
    auto utf8 = html_response("http://x.test/", "<title>caf\xc3\xa9</title>");
    CHECK(utf8.text().data() == utf8.body().data()); // no copy of a valid UTF-8 body
    CHECK(utf8.document().encoding() == "UTF-8");
    CHECK(utf8.document().source().data() == utf8.body().data());
    CHECK(utf8.text("title") == "caf\xc3\xa9");

    auto bom = html_response("http://x.test/", "\xEF\xBB\xBF<p>x</p>");
    CHECK(bom.text() == "<p>x</p>");
    CHECK(bom.text("p") == "x");

    // Invalid bytes in a UTF-8 page become U+FFFD for text() and the document alike.
    auto bad = html_response("http://x.test/", "<p>a\xff"
                                               "b</p>");
    CHECK(bad.text() == "<p>a\xef\xbf\xbd"
                        "b</p>");
    CHECK(bad.text("p") == "a\xef\xbf\xbd"
                           "b");

    auto latin1 = html_response("http://x.test/", "<p>caf\xe9</p>", "text/html; charset=iso-8859-1");
    CHECK(latin1.document().encoding() == "windows-1252");
}

TEST_CASE("a response's document survives a rewrite of the body", "[spider][response]")
{
    auto res = html_response("http://x.test/", "<html><body><p class=a>" + std::string(200, 'x') + "</p><x-y>z</x-y>");
    auto const& doc = res.document();
    auto p = res.css_first("p.a");
    REQUIRE(p);
    res.http().body = "<p>replaced</p>"; // a middleware may do this after the page was parsed
    res.http().body.shrink_to_fit();
    CHECK(p->text() == std::string(200, 'x'));
    CHECK(doc.html().find("<x-y>z</x-y>") != std::string::npos);
    CHECK(doc.source().find("<x-y>z</x-y>") != std::string::npos);
}
