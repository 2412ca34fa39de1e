// weft::text ASCII helpers: case folding, case-insensitive comparison, hex digits, whitespace and trimming for
// protocol text (HTTP fields, HTML tokens, URLs, robots.txt, sitemaps).
//
// Only A-Z and a-z change case, whatever the C locale: std::tolower and std::isspace follow the
// locale (and are undefined for negative chars), and protocol keywords are ASCII by definition.
// Bytes of UTF-8 sequences pass through unchanged. Everything here is noexcept but lower_copy, which allocates.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace weft::text
{

constexpr char to_lower(char c) noexcept
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr char to_upper(char c) noexcept
{
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

/// `s` lowered: `host = to_lower(std::move(host))` reuses its buffer.
inline std::string to_lower(std::string s) noexcept
{
    for (auto& c : s)
        c = to_lower(c);
    return s;
}

inline std::string lower_copy(std::string_view s)
{
    return to_lower(std::string(s));
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (to_lower(a[i]) != to_lower(b[i]))
            return false;
    return true;
}

constexpr bool istarts_with(std::string_view s, std::string_view prefix) noexcept
{
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

constexpr bool is_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

constexpr bool is_hex_digit(char c) noexcept
{
    return is_digit(c) || (to_lower(c) >= 'a' && to_lower(c) <= 'f');
}

/// The value of the hex digit `c` (0 to 15); `c` must be one (is_hex_digit).
constexpr int hex_value(char c) noexcept
{
    return is_digit(c) ? c - '0' : to_lower(c) - 'a' + 10;
}

// Three whitespace sets, because the formats disagree and the callers keep their format's.

/// HTTP's optional whitespace (RFC 9110 §5.6.3): space and horizontal tab.
constexpr bool is_http_space(char c) noexcept
{
    return c == ' ' || c == '\t';
}

/// HTML's and CSS's ASCII whitespace (WHATWG Infra): space, tab, LF, FF, CR; no vertical tab.
constexpr bool is_html_space(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/// std::isspace in the "C" locale: HTML's set plus vertical tab (sitemaps, media types).
constexpr bool is_c_space(char c) noexcept
{
    return is_html_space(c) || c == '\v';
}

/// `s` without the leading and trailing characters `is_space` accepts, e.g. trim(v, is_http_space).
constexpr std::string_view trim(std::string_view s, bool (*is_space)(char) noexcept) noexcept
{
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

} // namespace weft::text
