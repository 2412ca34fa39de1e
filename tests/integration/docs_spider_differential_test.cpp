// The docs spider's items are the same, byte for byte, whichever parser builds the pages' DOM:
// gumbo-parser (the parser before weft had its own) or weft's tree builder (the default). One
// `weft crawl docs` per parser over each of three real documentation sites installed from Debian
// (scripts/setup.sh), served by the test server; missing docs fail the test: they are its input.
//
// tree_builder_differential_test.cpp compares the two trees node for node; this compares what a
// user gets: titles, headings, ids and code blocks through selectors, text() and attributes.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace
{

namespace fs = std::filesystem;

// The items as JSON lines, sorted: pages finish in a different order from run to run.
std::vector<std::string> sorted_lines(fs::path const& p)
{
    std::vector<std::string> lines;
    std::ifstream in(p, std::ios::binary);
    for (std::string line; std::getline(in, line);)
        lines.push_back(std::move(line));
    std::sort(lines.begin(), lines.end());
    return lines;
}

std::vector<std::string> crawl_with(std::string const& start, std::string_view parser, fs::path const& out)
{
    auto const items = out / (std::string(parser) + ".jsonl");
    auto const r = weft::test::run_process({weft::test::weft_cli_path(), "crawl", "docs", "-a", "url=" + start, "-s",
                                            "html_parser=" + std::string(parser), "-o", items.string(), "-q"},
                                           {}, 600s);
    INFO("html_parser=" << parser << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    return sorted_lines(items);
}

void check_site(fs::path const& root, std::string const& start_path, char const* package)
{
    INFO("install the docs: apt-get install " << package << " (scripts/setup.sh)");
    REQUIRE(fs::is_regular_file(root / start_path.substr(1)));
    weft::test::test_server server({.tls = false, .root = root});
    weft::test::temp_dir out;
    auto const start = server.url(start_path);
    auto const gumbo = crawl_with(start, "gumbo", out.path());
    auto const weft = crawl_with(start, "weft", out.path());
    WARN(package << ": " << gumbo.size() << " items with gumbo, " << weft.size() << " with weft's tree builder");
    CHECK(gumbo.size() > 100);
    REQUIRE(gumbo.size() == weft.size());
    auto const [g, w] = std::mismatch(gumbo.begin(), gumbo.end(), weft.begin());
    if (g != gumbo.end())
        FAIL_CHECK("the first differing item\ngumbo: " << *g << "\nweft:  " << *w);
}

} // namespace

TEST_CASE("the docs spider's items on python3.11-doc are the same with either HTML parser",
          "[integration][tree_builder][docs]")
{
    check_site("/usr/share/doc/python3.11/html", "/index.html", "python3.11-doc");
}

TEST_CASE("the docs spider's items on postgresql-doc-15 are the same with either HTML parser",
          "[integration][tree_builder][docs]")
{
    check_site("/usr/share/doc/postgresql-doc-15/html", "/index.html", "postgresql-doc-15");
}

TEST_CASE("the docs spider's items on libboost1.81-doc are the same with either HTML parser",
          "[integration][tree_builder][docs]")
{
    check_site("/usr/share/doc/libboost1.81-doc/doc/html", "/index.html", "libboost1.81-doc");
}
