// weft's tree builder gives gumbo's tree, node for node, on every page of three real
// documentation sites installed from Debian (scripts/setup.sh): python3.11-doc,
// libboost1.81-doc and postgresql-doc-15. Missing docs fail the test: they are its input.
//
// Both parsers get the text document::parse would give them (decoded to UTF-8, the nesting
// limit applied); trees are compared in html5lib's format, text nodes unmerged and marked
// whitespace / CDATA as gumbo types them. A failure names the page and the first differing line
// with the lines above it. Under ASan+UBSan (10-20x slower: over 3 minutes for boost's 3,903
// pages on 2 cores) every fourth page is compared; the plain build compares every page.
#include <weft/html/encoding.hpp>

#include "html/arena.hpp"
#include "html/nesting.hpp"
#include "html/tree_builder.hpp"
#include "support/html_tree_dump.hpp"
#include "support/sanitizer.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace
{

std::string read_file(fs::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct site_result
{
    std::size_t pages = 0;
    std::size_t differing = 0;
    std::string first;
};

site_result compare_site(fs::path const& root)
{
    site_result r;
    std::vector<fs::path> files;
    for (auto const& e : fs::recursive_directory_iterator(root))
        if (e.is_regular_file() && (e.path().extension() == ".html" || e.path().extension() == ".htm"))
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    weft::test::tree_dump_options o;
    o.whitespace_kind = true;
    std::size_t const stride = weft::test::under_sanitizer ? 4 : 1;
    for (std::size_t i = 0; i < files.size(); i += stride)
    {
        auto const& f = files[i];
        std::string const bytes = read_file(f);
        auto const enc = weft::html::detect_encoding(bytes);
        auto utf8 = weft::html::to_utf8(bytes, enc);
        std::string text = utf8 ? std::move(*utf8) : std::string();
        if (auto limited = weft::html::detail::prepare_source(text))
            text = std::move(*limited);
        GumboOutput* g = gumbo_parse_with_options(&kGumboDefaultOptions, text.data(), text.size());
        auto const expected = weft::test::dump_tree(g, o);
        gumbo_destroy_output(&kGumboDefaultOptions, g);
        weft::html::detail::arena memory;
        auto const actual = weft::test::dump_tree(weft::html::detail::build_tree(text, memory), o);
        ++r.pages;
        if (auto d = weft::test::first_difference(expected, actual); !d.empty())
        {
            if (r.differing++ == 0)
                r.first = f.string() + " (A: gumbo, B: weft)\n" + d;
        }
    }
    return r;
}

void check_site(fs::path const& root, char const* package)
{
    INFO("install the docs: apt-get install " << package << " (scripts/setup.sh)");
    REQUIRE(fs::is_directory(root));
    auto const r = compare_site(root);
    WARN(package << ": " << r.pages << " pages, " << r.differing << " with a different tree");
    INFO(r.first);
    CHECK(r.pages > (weft::test::under_sanitizer ? 25u : 100u));
    CHECK(r.differing == 0);
}

} // namespace

TEST_CASE("weft's tree builder gives gumbo's tree on every python3.11-doc page", "[integration][tree_builder]")
{
    check_site("/usr/share/doc/python3.11/html", "python3.11-doc");
}

TEST_CASE("weft's tree builder gives gumbo's tree on every libboost1.81-doc page", "[integration][tree_builder]")
{
    check_site("/usr/share/doc/libboost1.81-doc/doc/html", "libboost1.81-doc");
}

TEST_CASE("weft's tree builder gives gumbo's tree on every postgresql-doc-15 page", "[integration][tree_builder]")
{
    check_site("/usr/share/doc/postgresql-doc-15/html", "postgresql-doc-15");
}
