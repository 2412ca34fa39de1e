// parsel's `::text` / `::attr()` selectors and re()/re_first(), against parsel's own answers.
//
// tests/data/selector/expected.json holds what parsel 1.7 (Debian's python3-parsel) gives on the
// same documents; tests/data/selector/make_expected.py writes it, so no Python runs here.
#include <weft/html/document.hpp>
#include <weft/html/strings.hpp>

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace
{

using weft::html::document;
using weft::html::strings;

nlohmann::json const& expected()
{
    static nlohmann::json const j = []
    {
        std::ifstream in(WEFT_SOURCE_DIR "/tests/data/selector/expected.json", std::ios::binary);
        REQUIRE(in);
        return nlohmann::json::parse(in);
    }();
    return j;
}

std::string read_page(std::string const& name)
{
    std::ifstream in(WEFT_SOURCE_DIR "/tests/data/selector/pages/" + name, std::ios::binary);
    REQUIRE(in);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> as_vector(nlohmann::json const& j)
{
    return j.get<std::vector<std::string>>();
}

// Where weft knowingly answers otherwise than parsel (lxml):
// - attribute names are ASCII case-insensitive in HTML (lxml's XPath compares them exactly, so
//   `a::attr(HREF)` finds nothing there).
std::set<std::string> const known_differences = {"a::attr(HREF)"};

} // namespace

TEST_CASE("::text and ::attr() select what parsel selects on small documents", "[html][selector][pseudo]")
{
    auto const& j = expected();
    auto const doc = document::from_utf8(j.at("shape_html").get<std::string>());
    std::size_t compared = 0;
    for (auto const& [sel, want] : j.at("shapes").items())
    {
        if (known_differences.count(sel))
            continue;
        INFO("selector: " << sel);
        CHECK(std::vector<std::string>(doc.texts(sel)) == as_vector(want));
        // text() is the first string, or "" without one (parsel's .get(default="")).
        CHECK(doc.text(sel) == (want.empty() ? std::string() : want.front().get<std::string>()));
        ++compared;
    }
    CHECK(compared >= 30);
    CHECK(doc.texts("a::attr(HREF)") == strings{"/x", "/y"});
}

TEST_CASE("from an element, ::text and ::attr() search the element and its descendants as parsel does",
          "[html][selector][pseudo]")
{
    auto const& j = expected();
    auto const doc = document::from_utf8(j.at("shape_html").get<std::string>());
    auto const div = doc.css_first("div");
    REQUIRE(div);
    for (auto const& [sel, want] : j.at("from_div").items())
    {
        INFO("selector: " << sel);
        CHECK(std::vector<std::string>(div->texts(sel)) == as_vector(want));
    }
    // The Scrapy loop: for a in response.css("a"): a.css("::attr(href)").get()
    std::vector<std::string> hrefs;
    for (auto const& a : doc.css("a"))
        hrefs.push_back(a.text("::attr(href)"));
    CHECK(hrefs == std::vector<std::string>{"/x", "/y"});
}

TEST_CASE("::text and ::attr() agree with parsel on pages of Python's documentation", "[html][selector][pseudo]")
{
    auto const& j = expected();
    std::size_t compared = 0, nonempty = 0;
    for (auto const& [page, cases] : j.at("pages").items())
    {
        auto const doc = document::parse(read_page(page), "utf-8");
        for (auto const& [sel, want] : cases.items())
        {
            INFO(page << ": " << sel);
            CHECK(std::vector<std::string>(doc.texts(sel)) == as_vector(want));
            ++compared;
            nonempty += !want.empty();
        }
    }
    CHECK(compared == 60);
    CHECK(nonempty >= 50); // the cases select something: the comparison is not vacuous
}

TEST_CASE("re() and re_first() give parsel's groups, extract group and findall results", "[html][selector][re]")
{
    for (auto const& c : expected().at("re"))
    {
        auto const doc = document::from_utf8(c.at("html").get<std::string>());
        auto const pattern = c.at("pattern").get<std::string>();
        INFO("selector: " << c.at("selector").get<std::string>() << " pattern: " << pattern);
        strings const found = doc.texts(c.at("selector").get<std::string>());
        CHECK(std::vector<std::string>(found.re(pattern)) == as_vector(c.at("re")));
        std::optional<std::string> want_first;
        if (!c.at("re_first").is_null())
            want_first = c.at("re_first").get<std::string>();
        CHECK(found.re_first(pattern) == want_first);
    }
}

TEST_CASE("re() on one string and on lists", "[html][selector][re]")
{
    CHECK(weft::html::re("a=1, b=22", R"((\w)=(\d+))") == strings{"a", "1", "b", "22"});
    CHECK(weft::html::re_first("no match", R"(\d)") == std::nullopt);
    CHECK(weft::html::re_first("x 42 43", R"(\d+)") == "42");
    CHECK(strings{}.re("x").empty());
    // Python's \d, \w, \s are Unicode (parsel); RE2's alone would be ASCII.
    CHECK(weft::html::re("٣ 7", R"(\d)") == strings{"٣", "7"});
    CHECK(weft::html::re("a\u00a0b", R"(\S+)") == strings{"a", "b"});
    CHECK(weft::html::re("é-x_1", R"([\w]+)") == strings{"é", "x_1"});
    CHECK(weft::html::re("ab", R"(b\Z)") == strings{"b"});
    CHECK(weft::html::re("a]b", R"([]a]+)") == strings{"a]"});
    CHECK(weft::html::re("aB1", R"([[:upper:]\d]+)") == strings{"B1"});
}

TEST_CASE("a regular expression that does not compile throws bad_regex naming it", "[html][selector][re]")
{
    try
    {
        (void)weft::html::re("x", "(a");
        FAIL("no exception");
    }
    catch (boost::system::system_error const& e)
    {
        CHECK(e.code() == weft::error::bad_regex);
        CHECK(e.code() == weft::condition::parse);
        CHECK_THAT(e.what(), Catch::Contains("invalid regular expression '(a'"));
    }
    // Lookaround is Python's, not RE2's: refused, not misread.
    CHECK_THROWS_AS(strings{"x"}.re_first("(?=x)"), boost::system::system_error);
}
