// weft::html::strings: the strings a selector gives (`::text`, `::attr(name)`, texts(), attrs()),
// with parsel's re() and re_first() on them.
//
// Regular expressions are RE2 syntax (https://github.com/google/re2/wiki/Syntax): Python's `re`
// without backreferences and lookaround. As in Python (parsel), `\w`, `\d` and `\s` are
// Unicode (`\w+` matches "café"); `\b` is ASCII-only (RE2 has no Unicode word boundary).
// Matching takes linear time, so a pattern from configuration cannot hang a crawl.
//
// The results follow parsel's Selector.re(): a pattern with a group named `extract` gives that
// group of the first match (nothing when it did not take part); otherwise every match gives its
// groups in order (the whole match when the pattern has no group; "" for a group that did not
// take part). Unlike parsel, character references in the results are not decoded again (the
// strings come from a DOM: they were decoded once already).
//
// Errors: a pattern that does not compile throws weft::system_error with code
// weft::error::bad_regex (condition weft::condition::parse); what() quotes the pattern and RE2's
// reason.
//
// Thread safety: strings is a value; the functions share nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::html
{

/// What text() and attr() give for every match: a std::vector<std::string> with re()/re_first().
class strings : public std::vector<std::string>
{
public:
    using std::vector<std::string>::vector;
    strings() = default;
    strings(std::vector<std::string> v) noexcept : std::vector<std::string>(std::move(v)) {}

    /// re(s, pattern) of every string, concatenated.
    strings re(std::string_view pattern) const;
    /// The first result of re(pattern), or nullopt.
    std::optional<std::string> re_first(std::string_view pattern) const;
};

/// The matches of pattern in text (the groups, as above).
strings re(std::string_view text, std::string_view pattern);
/// The first of re(text, pattern), or nullopt.
std::optional<std::string> re_first(std::string_view text, std::string_view pattern);

} // namespace weft::html
