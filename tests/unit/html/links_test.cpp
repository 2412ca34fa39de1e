#include <weft/html/links.hpp>

#include <weft/html/document.hpp>
#include <weft/html/scanner.hpp>

#include <catch2/catch.hpp>

using weft::html::document;
using weft::html::extract_links;
using weft::html::link_source;

namespace
{
constexpr char page[] = "http://example.com/dir/page.html";
}

TEST_CASE("extract_links applies the link rules to a document", "[html][links]")
{
    auto doc = document::from_utf8(R"(<html><head><base href="/b/"><link rel=next href=n>
<link rel=stylesheet href=s.css></head><body><a href="x?a=1&amp;b=2" rel=nofollow>x</a>
<a href="javascript:alert%281%29">j</a><a href="mailto:a@b">m</a><a href="#frag">f</a><a>no href</a>
<area href=area><iframe src=if.html></iframe><a href="X#2">dup</a><a href="x?a=1&b=2#3">dup2</a></body></html>)");
    auto links = extract_links(doc, page);
    REQUIRE(links.size() == 6);
    CHECK(links[0].url == "http://example.com/b/n");
    CHECK(links[0].source == link_source::link);
    CHECK(links[1].url == "http://example.com/b/x?a=1&b=2");
    CHECK(links[1].nofollow);
    CHECK(links[2].url == "http://example.com/b/"); // "#frag" is relative to the base
    CHECK(links[3].url == "http://example.com/b/area");
    CHECK(links[3].source == link_source::area);
    CHECK(links[4].url == "http://example.com/b/if.html");
    CHECK(links[4].source == link_source::iframe);
    CHECK(links[5].url == "http://example.com/b/X");
}

TEST_CASE("extract_links and scan agree on a small page", "[html][links]")
{
    char const* html = R"(<!doctype html><title>T</title><a href=a>a</a><script>"<a href=s>"</script>
<!-- <a href=c> --><textarea><a href=t></textarea><a href="&#x61;b" rel="NOFOLLOW">ab</a>)";
    auto doc = document::from_utf8(html);
    CHECK(extract_links(doc, page) == weft::html::scan(html, page).links);
}

TEST_CASE("effective_base falls back to the page URL", "[html][links]")
{
    CHECK(weft::html::effective_base(std::nullopt, page) == page);
    CHECK(weft::html::effective_base(std::string_view("../up/"), page) == "http://example.com/up/");
    CHECK(weft::html::effective_base(std::string_view("http://[bad"), page) == page);
}

TEST_CASE("to_string names link sources", "[html][links]")
{
    CHECK(weft::html::to_string(link_source::a) == "a");
    CHECK(weft::html::to_string(link_source::iframe) == "iframe");
}
