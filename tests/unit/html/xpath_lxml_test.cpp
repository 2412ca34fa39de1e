// XPath 1.0 against lxml: every expression of tests/data/xpath/make_expected.py, over its
// documents, must give what lxml.html (libxml2) gave. The answers are committed JSON
// (tests/data/xpath/expected/), so no Python runs here; the script says which differences
// between libxml2's HTML 4 tree and gumbo's HTML 5 tree the documents avoid.
#include <weft/html/document.hpp>
#include <weft/html/xpath.hpp>

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace
{

using weft::html::document;
using weft::html::element;
using weft::html::xpath_node;
using weft::html::xpath_value;

std::string read_file(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    REQUIRE(in);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The same notation as make_expected.py's node_repr.
std::string element_path(element e)
{
    std::string path;
    for (std::optional<element> cur = e; cur; cur = cur->parent())
    {
        int pos = 1;
        for (auto p = cur->prev(); p; p = p->prev())
            ++pos;
        path = "/" + std::string(cur->tag()) + "[" + std::to_string(pos) + "]" + path;
    }
    return path;
}

std::string node_repr(xpath_node const& n)
{
    auto const parent = n.parent();
    std::string const where = parent ? element_path(*parent) : std::string();
    switch (n.type())
    {
    case xpath_node::kind::element:
        return element_path(*n.as_element());
    case xpath_node::kind::attribute:
        return where + "/@" + std::string(n.name()) + "=" + n.string_value();
    case xpath_node::kind::text:
        return where + "/text()=" + n.string_value();
    case xpath_node::kind::comment:
        return where + "/comment()=" + n.string_value();
    case xpath_node::kind::document:
        return "/";
    }
    return {};
}

nlohmann::json number_json(double d)
{
    if (std::isnan(d))
        return "NaN";
    if (std::isinf(d))
        return d > 0 ? "Infinity" : "-Infinity";
    return d;
}

// What weft answers, in the JSON form of the expected answers.
nlohmann::json answer(document const& doc, std::string const& expr)
{
    nlohmann::json out;
    out["xpath"] = expr;
    xpath_value const v = doc.evaluate(expr);
    if (v.is_node_set())
    {
        out["nodes"] = nlohmann::json::array();
        for (auto const& n : v.nodes())
            out["nodes"].push_back(node_repr(n));
    }
    else if (v.is_boolean())
        out["boolean"] = v.boolean();
    else if (v.is_number())
        out["number"] = number_json(v.number());
    else
        out["string"] = v.string();
    return out;
}

void compare_document(std::string const& name)
{
    std::filesystem::path const dir = WEFT_SOURCE_DIR "/tests/data/xpath";
    auto const expected = nlohmann::json::parse(read_file(dir / "expected" / (name + ".json")));
    auto page = dir / "docs" / (name + ".html");
    if (!std::filesystem::exists(page))
        page = std::filesystem::path(WEFT_SOURCE_DIR "/tests/data/selector/pages") / (name + ".html");
    auto const doc = document::parse(read_file(page));
    std::size_t compared = 0;
    for (auto const& c : expected.at("cases"))
    {
        auto const expr = c.at("xpath").get<std::string>();
        INFO(name << ": " << expr);
        nlohmann::json got;
        REQUIRE_NOTHROW(got = answer(doc, expr));
        if (c.contains("number") && c.at("number").is_number() && got.contains("number") &&
            got.at("number").is_number())
            CHECK(got.at("number").get<double>() == Approx(c.at("number").get<double>()).epsilon(1e-12));
        else
            CHECK(got.dump(1) == c.dump(1));
        ++compared;
    }
    CHECK(compared >= 30);
}

} // namespace

TEST_CASE("XPath gives lxml's answers on a page of links, lists and comments", "[html][xpath][lxml]")
{
    compare_document("basic");
}

TEST_CASE("XPath gives lxml's answers on tables and definition lists", "[html][xpath][lxml]")
{
    compare_document("tables");
}

TEST_CASE("XPath gives lxml's answers on text with entities, whitespace and comments, and on the core functions",
          "[html][xpath][lxml]")
{
    compare_document("text");
}

TEST_CASE("XPath gives lxml's answers on a real documentation page", "[html][xpath][lxml]")
{
    compare_document("about");
}
