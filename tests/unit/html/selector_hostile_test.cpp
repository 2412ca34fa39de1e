// Selector matching on hostile documents: chains of descendant and sibling combinators used to
// cost depth^combinators (`p div div div div` on 200 nested divs took 9.6 s), and the memoized
// matcher must still give exactly what the plain right-to-left walk gives.
#include <weft/html/document.hpp>
#include <weft/html/selector.hpp>

#include "html/selector_impl.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace
{

using weft::html::document;
using weft::html::selector;
namespace detail = weft::html::detail;

std::string nested(std::string_view outer, int depth)
{
    std::string s = "<!DOCTYPE html><body><" + std::string(outer) + ">";
    for (int i = 0; i < depth; ++i)
        s += "<div>";
    return s;
}

std::string siblings(std::string_view first, int count)
{
    std::string s = "<!DOCTYPE html><body><" + std::string(first) + "></" + std::string(first) + ">";
    for (int i = 0; i < count; ++i)
        s += "<span></span>";
    return s;
}

// The matcher before memoization, combinators walked plainly (exponential on hostile input):
// the reference the memoized one must agree with.
bool reference_at(detail::document_impl const& d, detail::complex_selector const& cx, std::size_t k, std::uint32_t e)
{
    if (!detail::matches_compound(d, cx.compounds[k], e, detail::npos))
        return false;
    if (k == 0)
        return true;
    auto const& n = d.nodes;
    switch (cx.combinators[k - 1])
    {
    case detail::combinator::child:
        return n[e].parent != detail::npos && reference_at(d, cx, k - 1, n[e].parent);
    case detail::combinator::descendant:
        for (auto p = n[e].parent; p != detail::npos; p = n[p].parent)
            if (reference_at(d, cx, k - 1, p))
                return true;
        return false;
    case detail::combinator::next_sibling:
        return n[e].prev != detail::npos && reference_at(d, cx, k - 1, n[e].prev);
    case detail::combinator::subsequent_sibling:
        for (auto p = n[e].prev; p != detail::npos; p = n[p].prev)
            if (reference_at(d, cx, k - 1, p))
                return true;
        return false;
    case detail::combinator::none:
        break;
    }
    return false;
}

std::vector<std::uint32_t> reference_select(document const& doc, selector const& s)
{
    auto const& d = doc.root().owner();
    std::vector<std::uint32_t> out;
    for (std::uint32_t i = 0; i < d.nodes.size(); ++i)
        for (auto const& cx : s.compiled().items)
            if (reference_at(d, cx, cx.compounds.size() - 1, i))
            {
                out.push_back(i);
                break;
            }
    return out;
}

std::vector<std::uint32_t> indexes(std::vector<weft::html::element> const& v)
{
    std::vector<std::uint32_t> out;
    for (auto const& e : v)
        out.push_back(e.index());
    return out;
}

// A random tree of a few tags and classes, nested up to ~12 deep, with many siblings.
std::string random_page(std::mt19937& rng)
{
    static constexpr char const* tags[] = {"div", "span", "a", "b", "section"};
    static constexpr char const* classes[] = {"", " class=x", " class=y", " class='x y'"};
    std::string s = "<!DOCTYPE html><body>";
    std::vector<char const*> open;
    for (int i = 0; i < 120; ++i)
    {
        auto const r = rng() % 10;
        if ((r < 3 && !open.empty()) || open.size() > 12)
        {
            s += std::string("</") + open.back() + ">";
            open.pop_back();
            continue;
        }
        char const* t = tags[rng() % 5];
        s += std::string("<") + t + classes[rng() % 4] + ">";
        open.push_back(t);
    }
    return s;
}

std::string random_selector(std::mt19937& rng)
{
    static constexpr char const* compounds[] = {"div", "span", "a", "b", "section", ".x", ".y", "*",
                                                "div.x", ":first-child", ":not(.x)", "span:last-child"};
    static constexpr char const* combinators[] = {" ", " > ", " + ", " ~ "};
    std::string s = compounds[rng() % 12];
    auto const n = rng() % 5;
    for (unsigned i = 0; i < n; ++i)
        s += std::string(combinators[rng() % 4]) + compounds[rng() % 12];
    return s;
}

} // namespace

TEST_CASE("memoized selector matching gives what the plain combinator walk gives", "[html][selector][hostile]")
{
    std::mt19937 rng(20261205);
    for (int page = 0; page < 40; ++page)
    {
        auto const doc = document::from_utf8(random_page(rng));
        for (int i = 0; i < 25; ++i)
        {
            selector const s(random_selector(rng));
            INFO("selector " << s.text() << " on " << doc.source());
            CHECK(indexes(doc.css(s)) == reference_select(doc, s));
            // From an element too: the subtree search with its sparse memo.
            auto const body = doc.css_first("body");
            REQUIRE(body);
            auto const all = reference_select(doc, s);
            std::vector<std::uint32_t> inside;
            for (auto i : all)
                if (i > body->index() && i < doc.root().owner().nodes[body->index()].end)
                    inside.push_back(i);
            // element::css is relative to the element ("scope"): no leading combinator here, so it
            // is the document's matches restricted to the subtree.
            CHECK(indexes(body->css(s)) == inside);
        }
    }
}

TEST_CASE("descendant combinator chains on deep nesting complete", "[html][selector][hostile]")
{
    // Exponential before: 200 deep took 9.6 s for four combinators; 10,000 deep took minutes
    // for two.
    auto const doc = document::from_utf8(nested("section", 10'000));
    auto const divs = doc.css("div").size();
    REQUIRE(divs == 10'000);
    CHECK(doc.css("p div div div div").empty());
    CHECK(doc.css("p div div").empty());
    CHECK(!doc.css_first("p div div div div"));
    // Every div with three div ancestors inside the section matches.
    CHECK(doc.css("section div div div div").size() == divs - 3);
    CHECK(doc.css("section > div div > div div").size() == divs - 3);
    auto const first = doc.css_first("section > div");
    REQUIRE(first);
    CHECK(first->css("p div div div").empty());
    // Ancestors outside the subtree count (querySelectorAll semantics): the second div has one.
    CHECK(first->css("div div div").size() == divs - 2);
}

TEST_CASE("sibling combinator chains on many siblings complete", "[html][selector][hostile]")
{
    auto const doc = document::from_utf8(siblings("i", 10'000));
    CHECK(doc.css("p ~ span ~ span ~ span ~ span").empty());
    CHECK(doc.css("i ~ span ~ span ~ span ~ span").size() == 10'000 - 3);
    CHECK(doc.css("i + span ~ span + span ~ span").size() == 10'000 - 3);
    CHECK(doc.css("body > i ~ span span").empty());
}

TEST_CASE("one element matched against a deep chain completes", "[html][selector][hostile]")
{
    auto const doc = document::from_utf8(nested("section", 3'000));
    auto const divs = doc.css("div");
    REQUIRE(divs.size() == 3'000);
    selector const miss("p div div div div div");
    selector const hit("section div div div div div");
    CHECK(!miss.matches(divs.back()));
    CHECK(hit.matches(divs.back()));
    CHECK(!hit.matches(divs[3]));
    CHECK(hit.matches(divs[4]));
}
