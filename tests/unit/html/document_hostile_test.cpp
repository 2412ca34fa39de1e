// Documents built to exhaust the parser: parse errors by the million, nesting by the 100,000.
#include <weft/html/document.hpp>

#include "html/document_impl.hpp"
#include "html/nesting.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace
{

using weft::html::document;
namespace detail = weft::html::detail;

std::size_t depth_of(document const& doc, std::uint32_t i)
{
    auto const& nodes = doc.root().owner().nodes;
    std::size_t d = 0;
    for (auto p = i; p != detail::npos; p = nodes[p].parent)
        ++d;
    return d;
}

std::size_t max_depth(document const& doc)
{
    std::size_t m = 0;
    for (std::uint32_t i = 0; i < doc.size(); ++i)
        m = std::max(m, depth_of(doc, i));
    return m;
}

} // namespace

TEST_CASE("a document of megabytes of NUL bytes parses and keeps few parse errors", "[html][hostile]")
{
    // Every NUL is a parse error, and gumbo kept each with a copy of the open-element stack:
    // 10 MB of NULs cost 2 GB before the cap.
    std::string const nuls(4'000'000, '\0');
    auto const doc = document::parse(nuls);
    REQUIRE(doc.root().owner().output != nullptr);
    CHECK(doc.root().owner().output->errors.length <= unsigned(detail::max_parse_errors));
    CHECK(doc.css("body").size() == 1);
}

TEST_CASE("100,000 nested elements parse, flattened past the nesting limit", "[html][hostile]")
{
    std::string page = "<!DOCTYPE html><body><section>";
    for (int i = 0; i < 100'000; ++i)
        page += "<div class=d>";
    page += "deep";
    auto const doc = document::from_utf8(page);
    auto const divs = doc.css("div.d");
    // Every element survives, attributes and all; none lies deeper than the limit (give or take
    // the <html> and <body> the source leaves implied): the rest are siblings at the limit.
    CHECK(divs.size() == 100'000);
    CHECK(max_depth(doc) > detail::max_nesting_depth - 2);
    CHECK(max_depth(doc) <= detail::max_nesting_depth + 2);
    CHECK(doc.css_first("section")->text() == "deep");
    CHECK(doc.css("section div div div div").size() == 100'000 - 3);
}

TEST_CASE("the nesting limit flattens like a browser and keeps end tags balanced", "[html][hostile]")
{
    // Limit 3 for a small picture: html(1) body(2) then a(3); b and c become a's children's
    // siblings, and their end tags are dropped, so the outer elements close where they did.
    auto const limited = detail::prepare_source("<html><body><a><b><c>x</c>y</b>z</a><p>after", 3);
    REQUIRE(limited);
    CHECK(*limited == "<html><body><a><b></b><c></c>xyz</a><p>after");
    auto const doc = document::from_utf8(*limited);
    CHECK(doc.css("body > a > b + c").size() == 1);
    CHECK(doc.css("body > p").size() == 1);
}

TEST_CASE("pages within the nesting limit are not rewritten", "[html][hostile]")
{
    // Unclosed <p>, <li>, <option>, <td> do not nest in the tree, nor in the approximation.
    std::string page = "<!DOCTYPE html><body><ul>";
    for (int i = 0; i < 2'000; ++i)
        page += "<li><p>item<p>more";
    page += "</ul><select>";
    for (int i = 0; i < 2'000; ++i)
        page += "<option>o";
    page += "</select><table>";
    for (int i = 0; i < 2'000; ++i)
        page += "<tr><td>a<td>b";
    page += "</table><script>" + std::string(3'000, '<') + "div></script><!--" + std::string(600, '<') + "x>-->";
    for (int i = 0; i < 600; ++i)
        page += "<br><img src=x><input/><span/>";
    CHECK(!detail::prepare_source(page));
    auto const doc = document::from_utf8(page);
    CHECK(doc.source() == page);
    CHECK(doc.css("li").size() == 2'000);
    CHECK(doc.css("option").size() == 2'000);
    CHECK(doc.css("td").size() == 4'000);
}
