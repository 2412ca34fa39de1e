// Every case of the web-platform-tests URL data (tests/data/url/urltestdata.json, see LICENSE
// there) against weft::url::resolve. Where weft knowingly differs, the case is listed in
// wpt_exceptions.hpp with the reason; a listed case that starts passing fails too, so the list
// stays true.
#include <weft/url/resolve.hpp>

#include "wpt_exceptions.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace
{

nlohmann::json load_cases()
{
    std::ifstream in(WEFT_SOURCE_DIR "/tests/data/url/urltestdata.json", std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read tests/data/url/urltestdata.json under " WEFT_SOURCE_DIR);
    return nlohmann::json::parse(in);
}

// What weft makes of one case: the href, or "" for a failure.
std::string weft_href(nlohmann::json const& c)
{
    std::string base = c.contains("base") && c["base"].is_string() ? c["base"].get<std::string>() : "";
    // "about:blank" as base: the input must be absolute (a relative one fails, as weft's empty base).
    if (base == "about:blank")
        base.clear();
    auto r = weft::url::resolve(base, c["input"].get<std::string>());
    return r ? *r : std::string();
}

std::string key_of(std::string_view base, std::string_view input)
{
    return std::string(base) + '\x1f' + std::string(input);
}

} // namespace

TEST_CASE("the WHATWG URL test data parses as the standard says, but for the listed exceptions", "[url][wpt]")
{
    auto const data = load_cases();
    std::map<std::string, std::string_view> exceptions;
    for (auto const& e : weft::test::wpt_url_exceptions)
        exceptions.emplace(key_of(e.base, e.input), e.reason);

    std::size_t cases = 0, passed = 0, excepted = 0;
    std::set<std::string> seen;
    std::ostringstream unexpected, stale;
    for (auto const& c : data)
    {
        if (!c.is_object())
            continue; // comments
        ++cases;
        std::string const base = c.contains("base") && c["base"].is_string() ? c["base"].get<std::string>() : "";
        std::string const input = c["input"].get<std::string>();
        std::string const expected = c.value("failure", false) ? std::string() : c["href"].get<std::string>();
        auto const got = weft_href(c);
        auto const key = key_of(base, input);
        bool const listed = exceptions.contains(key);
        seen.insert(key);
        if (got == expected)
        {
            ++passed;
            if (listed)
                stale << "  listed but passes: base=" << base << " input=" << input << "\n";
            continue;
        }
        if (listed)
        {
            ++excepted;
            continue;
        }
        unexpected << "  base=" << base << " input=" << nlohmann::json(input).dump()
                   << "\n    expected: " << (expected.empty() ? "failure" : expected)
                   << "\n    weft:     " << (got.empty() ? "failure" : got) << "\n";
    }
    INFO(cases << " cases: " << passed << " as the standard says, " << excepted << " listed exceptions");
    CHECK(cases > 600);
    CHECK(unexpected.str() == "");
    CHECK(stale.str() == "");
    for (auto const& [key, reason] : exceptions)
    {
        INFO("an exception that is no case of the data: " << key);
        CHECK(seen.contains(key));
    }
}
