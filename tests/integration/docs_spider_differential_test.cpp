// The docs spider's items are the same, byte for byte, whichever parser builds the pages' DOM:
// gumbo-parser (the parser before weft had its own) or weft's tree builder (the default). One
// `weft crawl docs` per parser over each of three real documentation sites installed from Debian
// (scripts/setup.sh), served by the test server; missing docs fail the test: they are its input.
//
// tree_builder_differential_test.cpp compares the two trees node for node; this compares what a
// user gets: titles, headings, ids and code blocks through selectors, text() and attributes.
// Under ASan+UBSan (10-20x slower) each crawl stops after 120 pages (one request at a time, so
// that both fetch mostly the same pages) and the pages both fetched are compared; the plain build
// crawls and compares every page.
#include "support/process.hpp"
#include "support/sanitizer.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace
{

namespace fs = std::filesystem;

// The items as JSON lines by their page's URL (pages finish in a different order each run; a page
// reached under two URLs that redirect to it gives two items with its URL).
using items_map = std::map<std::string, std::vector<std::string>>;

items_map items_by_url(fs::path const& p)
{
    items_map items;
    std::ifstream in(p, std::ios::binary);
    for (std::string line; std::getline(in, line);)
    {
        auto const url = nlohmann::json::parse(line).at("url").get<std::string>();
        items[url].push_back(std::move(line));
    }
    for (auto& [url, lines] : items)
        std::sort(lines.begin(), lines.end());
    return items;
}

items_map crawl_with(std::string const& start, std::string_view parser, fs::path const& out)
{
    auto const items = out / (std::string(parser) + ".jsonl");
    std::vector<std::string> argv = {weft::test::weft_cli_path(), "crawl", "docs", "-a", "url=" + start, "-s",
                                     "html_parser=" + std::string(parser), "-o", items.string(), "-q"};
    if (weft::test::under_sanitizer)
        argv.insert(argv.end(), {"--max-pages", "120", "-c", "1"});
    auto const r = weft::test::run_process(argv, {}, 600s);
    INFO("html_parser=" << parser << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    return items_by_url(items);
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
    WARN(package << ": " << gumbo.size() << " pages with gumbo, " << weft.size() << " with weft's tree builder");
    CHECK(gumbo.size() > (weft::test::under_sanitizer ? 80u : 100u));
    // Which pages a stopped crawl fetched depends on timing: under ASan, the pages both fetched.
    bool const whole = !weft::test::under_sanitizer;
    if (whole)
        CHECK(gumbo.size() == weft.size());
    std::size_t compared = 0;
    for (auto const& [url, lines] : gumbo)
    {
        auto const other = weft.find(url);
        if (other == weft.end())
        {
            if (whole)
                FAIL_CHECK("only with gumbo: " << url);
            continue;
        }
        ++compared;
        if (other->second != lines)
        {
            FAIL_CHECK("the items of " << url << " differ\ngumbo: " << lines.front() << "\nweft:  "
                                       << other->second.front());
            return;
        }
    }
    CHECK(compared >= (whole ? gumbo.size() : 60u));
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
