// Private: where RAWTEXT, RCDATA and script data end (HTML §13.2.5.2-4 and the script data
// escape states), shared by weft's two tokenizers: the link scanner's (scanner_tokenizer.hpp)
// and the tree builder's (tree_tokenizer.cpp). Both find the end first and then take the text
// up to it in one run.
#pragma once

#include <weft/text/ascii.hpp>

#include <cstddef>
#include <cstring>
#include <string_view>

namespace weft::html::detail
{

/// True when q (a '<' before e) starts the end tag `</name` (name lower-case, compared without
/// case) followed by a space, '/' or '>'.
inline bool is_end_tag_at(char const* q, char const* e, std::string_view name) noexcept
{
    if (static_cast<std::size_t>(e - q) < name.size() + 3 || q[1] != '/')
        return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (text::to_lower(q[2 + i]) != name[i])
            return false;
    char const d = q[2 + name.size()];
    return text::is_html_space(d) || d == '/' || d == '>';
}

/// The '<' of the `</script` that ends script data starting at p, or e: follows the escape
/// states (`<!-- ... <script> ... </script> ... -->`), in which `</script>` does not end it.
inline char const* script_data_end(char const* p, char const* e) noexcept
{
    enum
    {
        data,
        escaped,
        escaped_dash,
        escaped_dash_dash,
        double_escaped,
        double_escaped_dash,
        double_escaped_dash_dash
    } s = data;
    auto is_letter = [](char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; };
    while (p < e)
    {
        if (s == data)
        {
            auto q = static_cast<char const*>(std::memchr(p, '<', static_cast<std::size_t>(e - p)));
            if (!q)
                return e;
            if (is_end_tag_at(q, e, "script"))
                return q;
            bool const comment = e - q >= 4 && q[1] == '!' && q[2] == '-' && q[3] == '-';
            s = comment ? escaped_dash_dash : data;
            p = comment ? q + 4 : q + 1;
            continue;
        }
        char const c = *p;
        bool const dbl = s >= double_escaped;
        if (c == '-')
        {
            s = (s == escaped || s == double_escaped)           ? (dbl ? double_escaped_dash : escaped_dash)
                : (s == escaped_dash || s == escaped_dash_dash) ? escaped_dash_dash
                                                                : double_escaped_dash_dash;
            ++p;
        }
        else if (c == '<' && !dbl)
        {
            if (is_end_tag_at(p, e, "script"))
                return p;
            s = escaped;
            char const* a = ++p;
            while (p < e && is_letter(*p))
                ++p;
            // `<script` and a delimiter: double escaped (a `</script>` there does not end the data)
            if (p < e && p - a == 6 && text::iequals(std::string_view(a, 6), "script") &&
                (text::is_html_space(*p) || *p == '/' || *p == '>'))
            {
                s = double_escaped;
                ++p;
            }
        }
        else if (c == '<')
        {
            bool const end = is_end_tag_at(p, e, "script");
            s = end ? escaped : double_escaped;
            p += end ? 9 : 1; // "</script" and the delimiter
        }
        else if (c == '>' && (s == escaped_dash_dash || s == double_escaped_dash_dash))
        {
            s = data;
            ++p;
        }
        else
        {
            s = dbl ? double_escaped : escaped;
            ++p;
        }
    }
    return e;
}

/// The '<' of the end tag `</name` that ends RAWTEXT or RCDATA starting at p (`<title>`,
/// `<style>`...), or of the `</script` that ends script data; e when there is none.
inline char const* raw_text_end(char const* p, char const* e, std::string_view name, bool script) noexcept
{
    if (script)
        return script_data_end(p, e);
    for (char const* q = p;; ++q)
    {
        q = static_cast<char const*>(std::memchr(q, '<', static_cast<std::size_t>(e - q)));
        if (!q)
            return e;
        if (is_end_tag_at(q, e, name))
            return q;
    }
}

} // namespace weft::html::detail
