// libFuzzer: weft's tree builder gives gumbo's tree (html5lib format, text nodes unmerged and
// typed) for arbitrary text, the way document::parse prepares it (valid UTF-8, nesting limit).
// A difference aborts with both trees. Skipped: inputs that touch the differences made on
// purpose (tree_builder.hpp: <isindex>, numeric references past U+10FFFF, "</>", a NUL with
// CDATA) and those that may make gumbo abort (<select> with <math> or <svg>). A NUL after a space
// or '/' is given to both as U+FFFD; unknown end tags are compared with gumbo's rule (build_tree's
// gumbo_quirks).
#include <weft/html/encoding.hpp>

#include "html/arena.hpp"
#include "html/nesting.hpp"
#include "html/tree_builder.hpp"
#include "support/html_tree_dump.hpp"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace
{

// Whether s contains word (lower-case), in any case.
bool contains_ci(std::string_view s, std::string_view word)
{
    for (std::size_t i = 0; i + word.size() <= s.size(); ++i)
    {
        std::size_t k = 0;
        while (k < word.size() && std::tolower(static_cast<unsigned char>(s[i + k])) == word[k])
            ++k;
        if (k == word.size())
            return true;
    }
    return false;
}

// gumbo 0.10.1 aborts (assert in parser.c's node_qualified_tag_is) on some <select> inside
// foreign content, e.g. `<table><caption><math><select><mi><table><table>` (the unit test "a page
// on which gumbo aborts" holds weft to the spec's tree there): no gumbo tree to compare with.
bool may_abort_gumbo(std::string_view s)
{
    return contains_ci(s, "select") && (contains_ci(s, "math") || contains_ci(s, "svg"));
}

// "&#" and more than six digits (or five hex digits after x): may overflow gumbo's number.
bool has_long_numeric_reference(std::string_view s)
{
    for (std::size_t i = s.find("&#"); i != std::string_view::npos; i = s.find("&#", i + 1))
    {
        std::size_t k = i + 2;
        bool const hex = k < s.size() && (s[k] | 0x20) == 'x';
        k += hex;
        std::size_t digits = 0;
        while (k < s.size() && (std::isxdigit(static_cast<unsigned char>(s[k])) != 0))
            ++k, ++digits;
        if (digits > (hex ? 5u : 6u))
            return true;
    }
    return false;
}

// Gumbo keeps a NUL that starts an attribute name (`<a \0>`) or a bogus comment (`</\0`) as
// is, cutting the C string short (the spec and weft: U+FFFD). NULs after a space or '/' are
// given as U+FFFD to both parsers.
std::string without_gumbo_nul_bug(std::string const& s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i)
    {
        char const prev = i ? s[i - 1] : 'x';
        if (s[i] == '\0' &&
            (prev == ' ' || prev == '\t' || prev == '\n' || prev == '\f' || prev == '\r' || prev == '/'))
            out += "\xEF\xBF\xBD";
        else
            out.push_back(s[i]);
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view const bytes(reinterpret_cast<char const*>(data), size);
    auto utf8 = weft::html::to_utf8(bytes, "UTF-8");
    std::string text = utf8 ? std::move(*utf8) : std::string();
    if (auto limited = weft::html::detail::prepare_source(text))
        text = std::move(*limited);
    text = without_gumbo_nul_bug(text);
    bool const nul_in_cdata = text.find('\0') != std::string::npos && contains_ci(text, "[cdata[");
    if (contains_ci(text, "isindex") || may_abort_gumbo(text) || nul_in_cdata || has_long_numeric_reference(text) ||
        text.find("</>") != std::string::npos)
        return 0;
    weft::test::tree_dump_options o;
    o.whitespace_kind = true;
    // Every error recorded: past document.cpp's max_errors gumbo 0.10 stops clearing a dropped
    // duplicate attribute's name, which then prefixes the next attribute's (`<d b/b/n>` after
    // 100 errors gives b="" and "bn"="") - a gumbo bug weft does not copy.
    GumboOptions options = kGumboDefaultOptions;
    GumboOutput* g = gumbo_parse_with_options(&options, text.data(), text.size());
    auto const expected = weft::test::dump_tree(g, o);
    gumbo_destroy_output(&options, g);
    weft::html::detail::arena memory;
    auto const actual = weft::test::dump_tree(weft::html::detail::build_tree(text, memory, true), o);
    if (auto d = weft::test::first_difference(expected, actual); !d.empty())
    {
        std::fprintf(stderr, "trees differ (A: gumbo, B: weft)\n%s", d.c_str());
        std::abort();
    }
    return 0;
}
