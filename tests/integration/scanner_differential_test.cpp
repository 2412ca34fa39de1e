// The streaming scanner agrees with DOM-based link extraction on every page of two real
// documentation sites, installed from Debian (scripts/setup.sh): python3.11-doc and
// libboost1.81-doc. Missing docs fail the test: they are part of the test's input.
//
// Compared per page: links (url, source, nofollow, rel, in order), <base href>, and the title.
// The scanner reads the DOM's decoded text (document::source()), so both see the same UTF-8.
// Deliberate differences (see scanner.hpp) do not occur on these sites; none are excused here.
#include <weft/html/document.hpp>
#include <weft/html/links.hpp>
#include <weft/html/scanner.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

std::vector<fs::path> html_files(fs::path const& root)
{
    std::vector<fs::path> out;
    for (auto const& e : fs::recursive_directory_iterator(root))
    {
        auto ext = e.path().extension();
        if (e.is_regular_file() && (ext == ".html" || ext == ".htm"))
            out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string describe(std::vector<weft::html::link> const& links)
{
    std::string s;
    for (auto const& l : links)
        s += std::string(weft::html::to_string(l.source)) + (l.nofollow ? " nofollow " : " ") + l.url + "\n";
    return s;
}

struct site_result
{
    std::size_t pages = 0;
    std::size_t links = 0;
    std::size_t disagreements = 0;
};

site_result compare_site(fs::path const& root)
{
    site_result r;
    for (auto const& path : html_files(root))
    {
        auto bytes = read_file(path);
        auto doc = weft::html::document::parse(bytes);
        std::string url = "file://" + path.string();
        auto dom_links = weft::html::extract_links(doc, url);
        auto scanned = weft::html::scan(doc.source(), url);
        ++r.pages;
        r.links += dom_links.size();
        auto dom_base = doc.base_href();
        bool same_base =
            dom_base.has_value() == scanned.base_href.has_value() && (!dom_base || *dom_base == *scanned.base_href);
        bool same = dom_links == scanned.links && same_base && doc.title() == scanned.title;
        if (!same)
        {
            ++r.disagreements;
            if (r.disagreements <= 5)
            {
                INFO("page: " << path.string());
                INFO("dom title: " << doc.title() << "\nscan title: " << scanned.title);
                INFO("dom links:\n" << describe(dom_links) << "scanner links:\n" << describe(scanned.links));
                CHECK(same);
            }
        }
    }
    return r;
}

} // namespace

TEST_CASE("the scanner agrees with DOM link extraction on every python3.11-doc page", "[integration][scanner]")
{
    fs::path root = "/usr/share/doc/python3.11/html";
    INFO("install the docs: apt-get install python3.11-doc (scripts/setup.sh)");
    REQUIRE(fs::is_directory(root));
    auto r = compare_site(root);
    WARN("python3.11-doc: " << r.pages << " pages, " << r.links << " links, " << r.disagreements << " disagreements");
    CHECK(r.pages >= 500);
    CHECK(r.links > 10000);
    CHECK(r.disagreements == 0);
}

TEST_CASE("the scanner agrees with DOM link extraction on every libboost1.81-doc page", "[integration][scanner]")
{
    fs::path root = "/usr/share/doc/libboost1.81-doc/doc/html";
    INFO("install the docs: apt-get install libboost1.81-doc (scripts/setup.sh)");
    REQUIRE(fs::is_directory(root));
    auto r = compare_site(root);
    WARN("libboost1.81-doc: " << r.pages << " pages, " << r.links << " links, " << r.disagreements << " disagreements");
    CHECK(r.pages >= 3000);
    CHECK(r.links > 10000);
    CHECK(r.disagreements == 0);
}
