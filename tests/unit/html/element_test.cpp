#include <weft/html/element.hpp>

#include <weft/html/document.hpp>

#include <catch2/catch.hpp>

#include <string>

using weft::html::document;

TEST_CASE("tag() is lower case, attr() is case-insensitive", "[html][element]")
{
    auto const doc = document::from_utf8("<DIV ID=x Data-Foo='Bar' hidden><My-Tag></My-Tag></DIV>");
    auto const div = doc.css_first("div").value();
    CHECK(div.tag() == "div");
    CHECK(div.attr("id") == "x");
    CHECK(div.attr("ID") == "x");
    CHECK(div.attr("data-foo") == "Bar");
    CHECK(div.attr("DATA-FOO") == "Bar");
    CHECK(div.attr("hidden") == "");
    CHECK_FALSE(div.attr("nope").has_value());
    CHECK(div.has_attr("hidden"));
    CHECK(div.id() == "x");
    REQUIRE(div.attrs().size() == 3);
    CHECK(div.attrs()[1].name == "data-foo");
    CHECK(div.attrs()[1].value == "Bar");
    CHECK(div.children().at(0).tag() == "my-tag");
}

TEST_CASE("attribute values are decoded", "[html][element]")
{
    auto const doc = document::from_utf8("<a href='/a?x=1&amp;y=2&copy' title=\"&lt;&quot;&#x41;\">");
    auto const a = doc.css_first("a").value();
    CHECK(a.attr("href") == "/a?x=1&y=2\xC2\xA9");
    CHECK(a.attr("title") == "<\"A");
}

TEST_CASE("has_class() tests whitespace-separated tokens, case-sensitively", "[html][element]")
{
    auto const doc = document::from_utf8("<p class=' a\tBb  c\n'>");
    auto const e = doc.css_first("p").value();
    CHECK(e.has_class("a"));
    CHECK(e.has_class("Bb"));
    CHECK(e.has_class("c"));
    CHECK_FALSE(e.has_class("bb"));
    CHECK_FALSE(e.has_class(""));
    CHECK_FALSE(e.has_class("a Bb"));
}

TEST_CASE("text() collapses whitespace and skips script and style; raw_text() keeps everything", "[html][element]")
{
    auto const doc =
        document::from_utf8("<div>\n  Hello,\t<b>big</b>\n\n world!  <script>var x = '<b>';</script><style>p{}</style>"
                            "<!-- c -->&nbsp;x</div>");
    auto const div = doc.css_first("div").value();
    CHECK(div.text() == "Hello, big world! \xC2\xA0x");
    CHECK(div.raw_text() == "\n  Hello,\tbig\n\n world!  var x = '<b>';p{}\xC2\xA0x");
    CHECK(doc.css_first("script")->text() == "var x = '<b>';");
    CHECK(document::from_utf8("<p>   </p>").text("p").empty());
}

TEST_CASE("inner_html() and outer_html() serialize as the HTML standard says", "[html][element]")
{
    auto const doc = document::from_utf8(
        "<div id=d title='a&quot;b&amp;c<>'>x &lt; y &amp; z &gt; w&nbsp;\"q\"<br><img src=a.png>"
        "<!--note--><script>if (a < b && c) {}</script><style>a > b {}</style><textarea>&lt;t&gt;</textarea></div>");
    auto const div = doc.css_first("div").value();
    CHECK(div.outer_html() ==
          "<div id=\"d\" title=\"a&quot;b&amp;c&lt;&gt;\">x &lt; y &amp; z &gt; w&nbsp;\"q\"<br><img src=\"a.png\">"
          "<!--note--><script>if (a < b && c) {}</script><style>a > b {}</style><textarea>&lt;t&gt;</textarea></div>");
    CHECK(div.inner_html().rfind("x &lt; y", 0) == 0);
    CHECK(doc.css_first("br")->outer_html() == "<br>");
    CHECK(doc.css_first("br")->inner_html().empty());
}

TEST_CASE("serialization of foreign content and templates", "[html][element]")
{
    auto const doc = document::from_utf8("<svg><a xlink:href='#x'/><![CDATA[c]]></svg><template><b>t</b></template>");
    CHECK(doc.css_first("svg")->outer_html() == "<svg><a xlink:href=\"#x\"></a><![CDATA[c]]></svg>");
    CHECK(doc.css_first("template")->inner_html() == "<b>t</b>");
}

TEST_CASE("navigation: parent, children, siblings", "[html][element]")
{
    auto const doc = document::from_utf8("<ul><li id=a>1</li> text <!--c--><li id=b>2</li><li id=c>3</li></ul>");
    auto const ul = doc.css_first("ul").value();
    auto const kids = ul.children();
    REQUIRE(kids.size() == 3);
    CHECK(kids[0].id() == "a");
    CHECK(kids[0].next()->id() == "b");
    CHECK(kids[1].prev()->id() == "a");
    CHECK_FALSE(kids[0].prev().has_value());
    CHECK_FALSE(kids[2].next().has_value());
    CHECK(kids[1].parent() == ul);
    CHECK(ul.first_child()->id() == "a");
    CHECK(ul.last_child()->id() == "c");
    CHECK_FALSE(kids[0].first_child().has_value());
    CHECK_FALSE(doc.root().parent().has_value());
    CHECK(doc.root().children().size() == 2);
}

TEST_CASE("element convenience: css, css_first, text(sel), attr(sel, name), matches", "[html][element]")
{
    auto const doc = document::from_utf8("<div><a href=1>one</a><p><a href=2>two</a></p></div><a href=3>x</a>");
    auto const div = doc.css_first("div").value();
    CHECK(div.css("a").size() == 2);
    CHECK(div.css_first("p a")->text() == "two");
    CHECK(div.text("a") == "one");
    CHECK(div.text("span").empty());
    CHECK(div.attr("p > a", "href") == "2");
    CHECK_FALSE(div.attr("span", "href").has_value());
    CHECK(div.matches("body > div"));
    CHECK_FALSE(div.matches("p"));
    weft::html::selector const s("a[href]");
    CHECK(div.css(s).size() == 2);
    CHECK(doc.css(s).size() == 3);
}

TEST_CASE("element handles compare by identity and are cheap", "[html][element]")
{
    static_assert(std::is_trivially_copyable_v<weft::html::element>);
    auto const doc = document::from_utf8("<p>a</p><p>a</p>");
    auto const ps = doc.css("p");
    CHECK(ps[0] != ps[1]);
    CHECK(ps[0] == doc.css_first("p"));
    CHECK(ps[0].index() < ps[1].index());
}
