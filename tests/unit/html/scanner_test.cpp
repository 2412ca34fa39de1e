#include <weft/html/scanner.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using weft::html::link_source;
using weft::html::scan;

namespace
{

constexpr char page[] = "http://example.com/dir/page.html";

std::vector<std::string> urls(std::string_view html)
{
    std::vector<std::string> out;
    for (auto const& l : scan(html, page).links)
        out.push_back(l.url);
    return out;
}

using v = std::vector<std::string>;

} // namespace

TEST_CASE("scan reports a, area, frame, iframe and link rel=next|prev|alternate", "[html][scanner]")
{
    auto r = scan(R"(<a href="a.html">a</a><map><area href="/area"></map><iframe src="if.html"></iframe>
<link rel="next" href="n.html"><link rel="stylesheet" href="style.css"><link rel="PREV ALTERNATE" href="p.html">
<link rel=icon href=fav.ico><img src="img.png"><script src="x.js"></script>)",
                  page);
    REQUIRE(r.links.size() == 5);
    CHECK(r.links[0].url == "http://example.com/dir/a.html");
    CHECK(r.links[0].source == link_source::a);
    CHECK(r.links[1].url == "http://example.com/area");
    CHECK(r.links[1].source == link_source::area);
    CHECK(r.links[2].source == link_source::iframe);
    CHECK(r.links[3].url == "http://example.com/dir/n.html");
    CHECK(r.links[3].source == link_source::link);
    CHECK(r.links[4].url == "http://example.com/dir/p.html");
}

TEST_CASE("scan counts frame only in a frameset", "[html][scanner]")
{
    CHECK(urls("<body><frame src=f.html>").empty());
    CHECK(urls("<frameset><frame src=f.html></frameset>") == v{"http://example.com/dir/f.html"});
}

TEST_CASE("scan ignores markup inside script, style, comments, textarea and title", "[html][scanner]")
{
    CHECK(urls("<script>document.write('<a href=x1>')</script><a href=ok>").size() == 1);
    CHECK(urls("<style>a{} /* <a href=x2> */</style>") == v{});
    CHECK(urls("<!-- <a href=x3> -->") == v{});
    CHECK(urls("<textarea><a href=x4></textarea>") == v{});
    CHECK(urls("<title><a href=x5></title>") == v{});
    CHECK(urls("<xmp><a href=x6></xmp><noembed><a href=x7></noembed><noframes><a href=x8></noframes>") == v{});
    CHECK(urls("<iframe><a href=x9></iframe>") == v{});
    CHECK(urls("<plaintext><a href=x10></plaintext><a href=x11>") == v{});
    CHECK(urls("<?php <a href=x12> ?><a href=x13>") ==
          v{"http://example.com/dir/x13"}); // bogus comment to the first '>'
    CHECK(urls("<!DOCTYPE html><a href=after>") == v{"http://example.com/dir/after"});
}

TEST_CASE("scan ends raw text only at the matching end tag", "[html][scanner]")
{
    CHECK(urls("<script>x='</scriptx><a href=in>'</script ><a href=out>") == v{"http://example.com/dir/out"});
    CHECK(urls("<STYLE></Style><a href=out>") == v{"http://example.com/dir/out"});
    CHECK(urls("<title></title foo='>'><a href=out>") == v{"http://example.com/dir/out"});
    CHECK(urls("<textarea></textarea/><a href=out>") == v{"http://example.com/dir/out"});
}

TEST_CASE("scan follows script data's escape states", "[html][scanner]")
{
    // Inside <!-- <script> ... the first </script> does not end the script.
    CHECK(urls("<script><!--<script></script><a href=in></script><a href=out>") == v{"http://example.com/dir/out"});
    CHECK(urls("<script><!-- </script><a href=out>") == v{"http://example.com/dir/out"});
    CHECK(urls("<script><!--<script>--></script><a href=out>") == v{"http://example.com/dir/out"});
}

TEST_CASE("scan handles comment edge cases", "[html][scanner]")
{
    CHECK(urls("<!--><a href=a1>") == v{"http://example.com/dir/a1"});
    CHECK(urls("<!---><a href=a2>") == v{"http://example.com/dir/a2"});
    CHECK(urls("<!-- x --!><a href=a3>") == v{"http://example.com/dir/a3"});
    CHECK(urls("<!-- x --><a href=a4>") == v{"http://example.com/dir/a4"});
    CHECK(urls("<!-- -- > <a href=no> --->") == v{});
    CHECK(urls("<!-- unterminated <a href=no>") == v{});
    CHECK(urls("<! bogus <a href=no> ><a href=a5>") == v{"http://example.com/dir/a5"});
}

TEST_CASE("scan reads every attribute quoting", "[html][scanner]")
{
    CHECK(urls(R"(<a href="d q">)") == v{"http://example.com/dir/d%20q"});
    CHECK(urls(R"(<a href='s"q'>)") == v{"http://example.com/dir/s%22q"});
    CHECK(urls(R"(<a href=unq>)") == v{"http://example.com/dir/unq"});
    CHECK(urls(R"(<a href = "spaced" >)") == v{"http://example.com/dir/spaced"});
    CHECK(urls(R"(<a class=x href=y/>)") == v{"http://example.com/dir/y/"});
    CHECK(urls(R"(<a title=">" href=z>)") == v{"http://example.com/dir/z"});
    CHECK(urls(R"(<a href="first" href="second">)") == v{"http://example.com/dir/first"});
    CHECK(urls(R"(<a HREF="upper">)") == v{"http://example.com/dir/upper"});
    CHECK(urls(R"(<A Href=upper2></A>)") == v{"http://example.com/dir/upper2"});
    CHECK(urls(R"(<a href="x"title="t">)") == v{"http://example.com/dir/x"});
    CHECK(urls(R"(<a href>)") == v{"http://example.com/dir/page.html"});
    CHECK(urls(R"(<a =href=x>)") == v{});
    CHECK(urls(R"(<a href="unterminated)") == v{});
    CHECK(urls(R"(<a href=x)") == v{}); // EOF inside a tag drops it
}

TEST_CASE("scan decodes character references in attribute values", "[html][scanner]")
{
    CHECK(urls(R"(<a href="?a=1&amp;b=2">)") == v{"http://example.com/dir/page.html?a=1&b=2"});
    CHECK(urls(R"(<a href="?a=1&b=2">)") == v{"http://example.com/dir/page.html?a=1&b=2"});
    CHECK(urls(R"(<a href="&#47;abs">)") == v{"http://example.com/abs"});
    CHECK(urls(R"(<a href="&#x2F;hex&#X2f;">)") == v{"http://example.com/hex/"});
    // Legacy references without ';' are not decoded before '=' or alphanumerics in attributes.
    CHECK(urls(R"(<a href="?x=1&copy=2">)") == v{"http://example.com/dir/page.html?x=1&copy=2"});
    CHECK(urls(R"(<a href="?x&copy;">)") == v{"http://example.com/dir/page.html?x%C2%A9"});
    CHECK(urls(R"(<a href="?x&copy">)") == v{"http://example.com/dir/page.html?x%C2%A9"});
    CHECK(urls(R"(<a href="?x&ampz">)") == v{"http://example.com/dir/page.html?x&ampz"});
    CHECK(urls(R"(<a href="?x&notin;">)") == v{"http://example.com/dir/page.html?x%E2%88%89"});
    CHECK(urls(R"(<a href="?&#128;&#x9F;">)") == v{"http://example.com/dir/page.html?%E2%82%AC%C5%B8"});
    CHECK(urls(R"(<a href="?&#0;&#xD800;&#x110000;">)") ==
          v{"http://example.com/dir/page.html?%EF%BF%BD%EF%BF%BD%EF%BF%BD"});
    CHECK(urls(R"(<a href="?&unknown;&#;&#x;">)") ==
          v{"http://example.com/dir/page.html?&unknown;&"}); // '#' starts the fragment
}

TEST_CASE("scan resolves against the first base href, wherever it is", "[html][scanner]")
{
    auto r =
        scan(R"(<a href="x">1</a><base href="http://other.example/base/"><base href="/ignored/"><a href=y>)", page);
    REQUIRE(r.base_href);
    CHECK(*r.base_href == "http://other.example/base/");
    REQUIRE(r.links.size() == 2);
    CHECK(r.links[0].url == "http://other.example/base/x");
    CHECK(r.links[1].url == "http://other.example/base/y");
    CHECK(urls(R"(<base href="sub/"><a href=x>)") == v{"http://example.com/dir/sub/x"});
    CHECK(urls(R"(<base target=_blank><base href="/b/"><a href=x>)") == v{"http://example.com/b/x"});
    CHECK(urls(R"(<base href="http://exa mple.com/"><a href=x>)") == v{"http://example.com/dir/x"});
}

TEST_CASE("scan reports nofollow and rel", "[html][scanner]")
{
    auto r = scan(R"(<a href=a rel="external NoFollow">a</a><a href=b rel=nofollowing>b</a><a href=c>)", page);
    REQUIRE(r.links.size() == 3);
    CHECK(r.links[0].nofollow);
    CHECK(r.links[0].rel == "external NoFollow");
    CHECK_FALSE(r.links[1].nofollow);
    CHECK_FALSE(r.links[2].nofollow);
}

TEST_CASE("scan drops javascript, mailto, tel and data links and unparseable ones", "[html][scanner]")
{
    CHECK(urls(R"(<a href="javascript:void%200"><a href=" JavaScript:x"><a href="java&#x09;script:x">
<a href="mailto:a@b.c"><a href="tel:+123"><a href="data:text/html,hi"><a href="http://exa mple.com/">
<a href="http://[::1/"><a href="ftp://ftp.example.com/f">)") == v{"ftp://ftp.example.com/f"});
}

TEST_CASE("scan de-duplicates canonical URLs in document order", "[html][scanner]")
{
    CHECK(
        urls(R"(<a href="b#one"><a href="a"><a href="b#two"><a href="./b"><a href="HTTP://EXAMPLE.COM:80/dir/%61">)") ==
        v{"http://example.com/dir/b", "http://example.com/dir/a"});
}

TEST_CASE("scan extracts title, meta charset, robots, refresh and canonical", "[html][scanner]")
{
    auto r = scan(R"(<html><head><meta charset="UTF-8"><title>  A &amp; B
  &mdash; <b>C</b> </title><title>second</title>
<meta name="ROBOTS" content="noindex, nofollow"><meta http-equiv="Refresh" content="5; url=/next">
<link rel=canonical href="/canon"></head></html>)",
                  page);
    CHECK(r.title == "A & B \xE2\x80\x94 <b>C</b>");
    CHECK(r.meta_charset.value() == "UTF-8");
    CHECK(r.meta_robots.value() == "noindex, nofollow");
    CHECK(r.meta_refresh.value() == "5; url=/next");
    CHECK(r.canonical.value() == "http://example.com/canon");
    auto r2 = scan(R"(<meta http-equiv="content-type" content="text/html; charset=iso-8859-1">)", page);
    CHECK(r2.meta_charset.value() == "iso-8859-1");
    CHECK(scan("<svg><title>not it</title></svg><title>it</title>", page).title == "it");
}

TEST_CASE("scan knows CDATA only in foreign content", "[html][scanner]")
{
    CHECK(urls("<svg><![CDATA[ <a href=no> ]]></svg><a href=yes>") == v{"http://example.com/dir/yes"});
    // In HTML, <![CDATA[ is a bogus comment that ends at the first '>'.
    CHECK(urls("<div><![CDATA[ x ]]><a href=html>") == v{"http://example.com/dir/html"});
    // In svg, <style> is not raw text.
    CHECK(urls("<svg><style><a href=svg-a></style></svg>") == v{"http://example.com/dir/svg-a"});
    // foreignObject is an HTML integration point: <style> is raw text again.
    CHECK(urls("<svg><foreignObject><style><a href=no></style></foreignObject></svg>") == v{});
    // A breakout tag leaves foreign content.
    CHECK(urls("<svg><p><style><a href=no></style>") == v{});
}

TEST_CASE("for_each_tag reports tags with lower-cased names and decoded attributes", "[html][scanner]")
{
    std::vector<std::string> seen;
    weft::html::for_each_tag(R"(<DIV Class="a&amp;b" id=x></DIV><script><b></script><br/>)",
                             [&](weft::html::tag_token const& t)
                             {
                                 std::string s = (t.end_tag ? "/" : "") + std::string(t.name);
                                 if (t.self_closing)
                                     s += "/";
                                 for (auto const& a : t.attributes)
                                     s += " " + std::string(a.name) + "=" + std::string(a.value);
                                 seen.push_back(s);
                                 return true;
                             });
    CHECK(seen == v{"div class=a&b id=x", "/div", "script", "/script", "br/"});
    int count = 0;
    weft::html::for_each_tag("<a><b><c>", [&](auto const&) { return ++count < 2; });
    CHECK(count == 2);
}
