#include <weft/html/document.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <utility>

using weft::html::document;

TEST_CASE("document::parse builds an HTML5 tree with html, head and body", "[html][document]")
{
    auto const doc = document::parse("<title>T</title><p>hi");
    CHECK(doc.root().tag() == "html");
    CHECK(doc.css("html > head > title").size() == 1);
    CHECK(doc.css("html > body > p").size() == 1);
    CHECK(doc.title() == "T");
    CHECK(doc.size() == 5);
    CHECK(doc.encoding() == "windows-1252");
}

TEST_CASE("document::parse of empty or garbage input still has a root", "[html][document]")
{
    for (std::string_view in : {std::string_view(), std::string_view("\0\0\0", 3), std::string_view("</p></html>>>"),
                                std::string_view("<<<!--"), std::string_view("\xff\xfe\x00")})
    {
        auto const doc = document::parse(in);
        CHECK(doc.root().tag() == "html");
        CHECK(doc.css("body").size() == 1);
    }
}

TEST_CASE("title() collapses whitespace and ignores svg titles", "[html][document]")
{
    CHECK(document::from_utf8("<svg><title>no</title></svg><title>\n  A \t B\n</title>").title() == "A B");
    CHECK(document::from_utf8("<p>no title").title().empty());
}

TEST_CASE("base_href() is the first base element with an href", "[html][document]")
{
    auto const doc = document::from_utf8("<head><base target=_blank><base href='/x/'><base href='/y/'></head>");
    REQUIRE(doc.base_href().has_value());
    CHECK(*doc.base_href() == "/x/");
    CHECK_FALSE(document::from_utf8("<p>").base_href().has_value());
    CHECK(document::from_utf8("<base href=''>").base_href() == std::string_view());
}

TEST_CASE("elements stay valid when their document is moved", "[html][document]")
{
    auto doc = document::from_utf8("<ul><li id=a>1<li id=b>2</ul>");
    auto const li = doc.css("li");
    document moved = std::move(doc);
    CHECK(li.at(0).text() == "1");
    CHECK(li.at(1).attr("id") == "b");
    document assigned = document::from_utf8("<p>");
    assigned = std::move(moved);
    CHECK(li.at(1).parent()->tag() == "ul");
    CHECK(assigned.css_first("#b") == li.at(1));
}

TEST_CASE("document convenience accessors", "[html][document]")
{
    auto const doc = document::from_utf8("<h1> Hello <b>world</b> </h1><a href=/x>x</a><a>y</a>");
    CHECK(doc.text("h1") == "Hello world");
    CHECK(doc.text("h2").empty());
    CHECK(doc.attr("a", "href") == "/x");
    CHECK_FALSE(doc.attr("a:nth-of-type(2)", "href").has_value());
    CHECK_FALSE(doc.attr("nav", "href").has_value());
    CHECK_FALSE(doc.css_first("nav").has_value());
}

TEST_CASE("html() serializes the whole document with its doctype", "[html][document]")
{
    auto const doc = document::from_utf8("<!DOCTYPE html><p class=x>a &amp; b</p>");
    CHECK(doc.html() == "<!DOCTYPE html><html><head></head><body><p class=\"x\">a &amp; b</p></body></html>");
}

TEST_CASE("parse_options select the encoding", "[html][document]")
{
    std::string_view const bytes = "<p>caf\xE9</p>";
    CHECK(document::parse(bytes).text("p") == "caf\xC3\xA9");
    weft::html::parse_options o;
    o.override_encoding = "utf-8";
    auto const forced = document::parse(bytes, o);
    CHECK(forced.encoding() == "UTF-8");
    CHECK(forced.text("p") == "caf\xEF\xBF\xBD");
    CHECK(document::parse(bytes, "text/html; charset=iso-8859-1").encoding() == "windows-1252");
    CHECK(document::parse(bytes, "ISO-8859-15").text("p") == "caf\xC3\xA9");
}
