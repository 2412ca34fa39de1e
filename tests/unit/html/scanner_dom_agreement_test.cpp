// Inputs on which the streaming scanner and the DOM disagreed (found by tests/fuzz/scanner_fuzz),
// settled by the HTML standard; both must now give the standard's answer.
#include <weft/html/document.hpp>
#include <weft/html/links.hpp>
#include <weft/html/scanner.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

namespace
{

constexpr std::string_view page = "http://example.com/dir/page.html";

struct both
{
    std::vector<weft::html::link> dom, scanner;
    std::optional<std::string> dom_base, scanner_base;
};

both run(std::string_view html)
{
    auto const doc = weft::html::document::from_utf8(html);
    auto const scanned = weft::html::scan(doc.source(), page);
    both b;
    b.dom = weft::html::extract_links(doc, page);
    b.scanner = scanned.links;
    if (auto h = doc.base_href())
        b.dom_base = std::string(*h);
    b.scanner_base = scanned.base_href;
    return b;
}

} // namespace

TEST_CASE("a vertical tab is part of a tag name, not whitespace", "[html][scanner][hostile]")
{
    // Tag name state (HTML §13.2.5.8) ends at tab, LF, FF, space, '/' or '>': "a\v" is no <a>.
    auto const b = run(std::string_view("<a\v href=x>", 11));
    CHECK(b.dom.empty());
    CHECK(b.scanner.empty());
    auto const doc = weft::html::document::from_utf8(std::string_view("<a\v href=x>", 11));
    CHECK(doc.css("a").empty());
}

TEST_CASE("a NUL starting an attribute name makes it another attribute", "[html][scanner][hostile]")
{
    // Before attribute name state: NUL starts a new attribute whose name begins with U+FFFD, so
    // "\0href" is not href.
    auto const b = run(std::string_view("<a\f\0href=x>", 11));
    CHECK(b.dom.empty());
    CHECK(b.scanner.empty());
    auto const doc = weft::html::document::from_utf8(std::string_view("<a\f\0href=x>y</a>", 15));
    REQUIRE(doc.css("a").size() == 1);
    CHECK(!doc.css("a")[0].attr("href"));
    CHECK(doc.css("a")[0].attr("\xEF\xBF\xBDhref") == "x");
    // NULs outside tags are left alone (text drops them).
    auto const text = weft::html::document::from_utf8(std::string_view("<p>a\0b</p>", 10));
    CHECK(text.css("p")[0].text() == "ab");
}

TEST_CASE("NULs in tags after a bogus comment become U+FFFD too", "[html][scanner][hostile]")
{
    // "</<!--x>" is a bogus comment ending at its '>' (end tag open state), not a comment
    // running to the end of the document; the NUL in the tag after it still starts a new
    // attribute. Found by scanner_fuzz.
    for (std::string_view html : {std::string_view("</<!--x><a\f\0href=w>", 19),
                                  std::string_view("<!--><a\f\0href=w>", 16),
                                  std::string_view("<!-- --!><a\f\0href=w>", 20),
                                  // an unquoted value holding `="`: no quoted value starts there
                                  std::string_view("<b x= y=\"z><a\f\0href=w>", 22)})
    {
        CAPTURE(html);
        auto const b = run(html);
        CHECK(b.dom.empty());
        CHECK(b.scanner.empty());
    }
}

TEST_CASE("an '=' that starts an attribute name starts no quoted value", "[html][scanner][hostile]")
{
    // Before attribute name state: '=' is the first character of a name (after '/', after a
    // quoted value, first in the tag), so `="` opens no quoted value and the tag ends at its '>';
    // the NUL in the next tag still starts a new attribute. Found by scanner_fuzz.
    for (std::string_view html : {std::string_view("<b/=\"><a\f\0href=w>", 17),
                                  std::string_view("<b =\"><a\f\0href=w>", 17),
                                  std::string_view("<b x=\"y\"=\"><a\f\0href=w>", 22)})
    {
        CAPTURE(html);
        auto const b = run(html);
        CHECK(b.dom.empty());
        CHECK(b.scanner.empty());
    }
    // After a name, '=' still starts its value, quoted or not, with spaces around it.
    auto const b = run("<b x = \"><a href=w>\"><a href=v>");
    REQUIRE(b.dom.size() == 1);
    CHECK(b.dom[0].url == "http://example.com/dir/v");
    CHECK(b.scanner == b.dom);
}

TEST_CASE("carriage returns in a base href are newlines in the scanner and the DOM", "[html][scanner][hostile]")
{
    // Input stream preprocessing turns CR and CR LF into LF before tokenization.
    for (std::string_view html : {"<base href=\"\r\">", "<base href=\"\r\n\">", "<base href=\"a\rb\">"})
    {
        CAPTURE(html);
        auto const b = run(html);
        REQUIRE(b.dom_base);
        REQUIRE(b.scanner_base);
        CHECK(*b.dom_base == *b.scanner_base);
        CHECK(b.dom_base->find('\r') == std::string::npos);
    }
}

TEST_CASE("noncharacters in a link are U+FFFD in the scanner as in the DOM", "[html][scanner][hostile]")
{
    // HTML §13.2.3.5 keeps noncharacters in the input stream (a parse error only), but gumbo
    // 0.10's input stream turns them into U+FFFD, as it does C0/C1 controls; the scanner follows
    // the DOM so that links agree. A character reference to one is not replaced by either.
    // Found by scanner_fuzz (corpus/scanner_fuzz/regression-noncharacter.bin, U+FFFF).
    struct example
    {
        std::string_view html, url;
    };
    for (auto const& e : {example{"<a href=\"/x\xEF\xBF\xBF\">", "http://example.com/x%EF%BF%BD"},
                          example{"<area href=/x\xEF\xBF\xBEy>", "http://example.com/x%EF%BF%BDy"},
                          example{"<a href='/x\xEF\xB7\x90'>", "http://example.com/x%EF%BF%BD"},
                          example{"<a href=/x\xF0\x9F\xBF\xBF>", "http://example.com/x%EF%BF%BD"},
                          example{"<a href=/x&#xFFFF;>", "http://example.com/x%EF%BF%BF"},
                          // a neighbour that is no noncharacter stays itself: U+FF5D, U+1FBFF
                          example{"<a href=/x\xEF\xBD\xBD\xF0\x9F\xAF\xBF>",
                                  "http://example.com/x%EF%BD%BD%F0%9F%AF%BF"}})
    {
        CAPTURE(e.html);
        auto const b = run(e.html);
        REQUIRE(b.dom.size() == 1);
        CHECK(b.dom[0].url == e.url);
        CHECK(b.scanner == b.dom);
    }
    auto const b = run("<base href=\"http://e.com/\xEF\xBF\xBF/\">");
    REQUIRE(b.dom_base);
    CHECK(*b.dom_base == "http://e.com/\xEF\xBF\xBD/");
    CHECK(b.scanner_base == b.dom_base);
}
