#include <weft/html/scanner.hpp>
#include "text/utf8.hpp"

#include "html/links_collector.hpp"
#include "html/scanner_tokenizer.hpp"

#include <weft/url/resolve.hpp>

namespace weft::html
{
namespace detail
{
namespace
{

// Windows-1252 meanings of the C1 controls, for numeric references &#128; to &#159;.
constexpr char16_t c1_remap[32] = {0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                   0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,   0x017D, 0x8F,
                                   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                   0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};

constexpr std::size_t longest_reference = 32; // "CounterClockwiseContourIntegral;"

} // namespace

void append_utf8(std::string& out, char32_t c) { weft::detail::append_utf8(out, c); }

std::size_t decode_char_ref(std::string_view s, std::size_t i, bool in_attribute, std::string& out)
{
    std::size_t const n = s.size();
    std::size_t j = i + 1;
    if (j >= n)
    {
        out.push_back('&');
        return j;
    }
    if (s[j] == '#')
    {
        std::size_t k = j + 1;
        bool hex = k < n && (s[k] | 0x20) == 'x';
        if (hex)
            ++k;
        std::size_t const digits = k;
        std::uint32_t v = 0;
        while (k < n && (hex ? text::is_hex_digit(s[k]) : text::is_digit(s[k])))
        {
            auto const d = static_cast<unsigned>(text::hex_value(s[k]));
            if (v <= 0x10FFFF)
                v = v * (hex ? 16 : 10) + d;
            ++k;
        }
        if (k == digits)
        {
            out.append(s.substr(i, k - i)); // "&#" or "&#x" without digits: not a reference
            return k;
        }
        if (k < n && s[k] == ';')
            ++k;
        char32_t c = v;
        if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            c = 0xFFFD;
        else if (c >= 0x80 && c <= 0x9F)
            c = c1_remap[c - 0x80];
        append_utf8(out, c);
        return k;
    }
    std::size_t k = j;
    while (k < n && k - j < longest_reference && is_alnum(static_cast<unsigned char>(s[k])))
        ++k;
    if (k == j)
    {
        out.push_back('&');
        return j;
    }
    std::size_t maxlen = k - j + (k < n && s[k] == ';' ? 1 : 0);
    for (std::size_t len = maxlen; len >= 2; --len)
    {
        auto const* r = find_named_reference(s.substr(j, len));
        if (!r)
            continue;
        if (r->name.back() != ';' && in_attribute)
        {
            std::size_t after = j + len;
            if (after < n && (s[after] == '=' || is_alnum(static_cast<unsigned char>(s[after]))))
            {
                out.push_back('&'); // legacy reference followed by '=' or alphanumerics: kept as text
                return j;
            }
        }
        out.append(r->utf8);
        return j + len;
    }
    out.push_back('&');
    return j;
}

void decode_text(std::string_view s, bool in_attribute, std::string& out)
{
    std::size_t i = 0;
    while (i < s.size())
    {
        char c = s[i];
        if (c == '&')
            i = decode_char_ref(s, i, in_attribute, out);
        else if (c == '\r')
        {
            // Input stream preprocessing (HTML §13.2.3.5): CR LF and lone CR become LF, as in the
            // DOM: `<base href="\r">` is "\n" in both.
            out.push_back('\n');
            i += i + 1 < s.size() && s[i + 1] == '\n' ? 2 : 1;
        }
        else if (auto const n = replaced_length(s, i))
        {
            out += "\xEF\xBF\xBD";
            i += n;
        }
        else
        {
            out.push_back(c);
            ++i;
        }
    }
}

namespace
{

// charset=... inside a Content-Type value (the HTML "extracting a character encoding" algorithm, simplified).
std::optional<std::string> charset_from_content(std::string_view v)
{
    for (std::size_t i = 0; i + 7 <= v.size(); ++i)
    {
        if (!text::iequals(v.substr(i, 7), "charset"))
            continue;
        std::size_t k = i + 7;
        while (k < v.size() && text::is_html_space(v[k]))
            ++k;
        if (k >= v.size() || v[k] != '=')
            continue;
        ++k;
        while (k < v.size() && text::is_html_space(v[k]))
            ++k;
        if (k >= v.size())
            return std::nullopt;
        char q = v[k];
        if (q == '"' || q == '\'')
        {
            auto close = v.find(q, k + 1);
            if (close == std::string_view::npos)
                return std::nullopt;
            return std::string(v.substr(k + 1, close - k - 1));
        }
        std::size_t e = k;
        while (e < v.size() && !text::is_html_space(v[e]) && v[e] != ';')
            ++e;
        return std::string(v.substr(k, e - k));
    }
    return std::nullopt;
}

class scan_handler
{
public:
    scan_result result;
    link_collector links;
    std::optional<std::string> canonical_raw;

    static bool wants_attributes(std::string_view n, bool end) noexcept
    {
        if (end)
            return false;
        switch (n.size())
        {
        case 1:
            return n[0] == 'a';
        case 4:
            return n == "area" || n == "link" || n == "base" || n == "meta" || n == "font";
        case 5:
            return n == "frame";
        case 6:
            return n == "iframe";
        case 14:
            return n == "annotation-xml";
        default:
            return false;
        }
    }

    bool on_tag(tag_token const& t, bool /*foreign*/)
    {
        if (t.end_tag)
            return true;
        auto n = t.name;
        if (n == "frameset")
        {
            seen_frameset_ = true;
            return true;
        }
        if (n == "base")
        {
            if (!result.base_href)
                if (auto h = t.attr("href"))
                    result.base_href = std::string(*h);
            return true;
        }
        if (n == "meta")
        {
            meta(t);
            return true;
        }
        auto source = link_source_of(n);
        if (!source)
            return true;
        if (*source == link_source::frame && !seen_frameset_)
            return true;
        auto value = t.attr(link_attribute(*source));
        auto rel = t.attr("rel").value_or("");
        if (*source == link_source::link)
        {
            if (!canonical_raw && value && rel_has(rel, "canonical"))
                canonical_raw = std::string(*value);
            if (!link_rel_followed(rel))
                return true;
        }
        if (value)
            links.add(*source, *value, rel);
        return true;
    }

    bool on_rcdata(std::string_view n, std::string_view raw)
    {
        if (n == "title" && !seen_title_)
        {
            seen_title_ = true;
            std::string decoded;
            decode_text(raw, false, decoded);
            result.title = collapse_whitespace(decoded);
        }
        return true;
    }

private:
    void meta(tag_token const& t)
    {
        if (!result.meta_charset)
        {
            if (auto cs = t.attr("charset"))
                result.meta_charset = collapse_whitespace(*cs);
            else if (auto he = t.attr("http-equiv"); he && text::iequals(collapse_whitespace(*he), "content-type"))
                if (auto content = t.attr("content"))
                    result.meta_charset = charset_from_content(*content);
        }
        if (auto name = t.attr("name");
            name && !result.meta_robots && text::iequals(collapse_whitespace(*name), "robots"))
            result.meta_robots = std::string(t.attr("content").value_or(""));
        if (auto he = t.attr("http-equiv");
            he && !result.meta_refresh && text::iequals(collapse_whitespace(*he), "refresh"))
            if (auto content = t.attr("content"))
                result.meta_refresh = std::string(*content);
    }

    bool seen_frameset_ = false;
    bool seen_title_ = false;
};

struct callback_handler
{
    std::function<bool(tag_token const&)> const& visit;
    static bool wants_attributes(std::string_view, bool) noexcept { return true; }
    bool on_tag(tag_token const& t, bool) { return visit(t); }
    static bool on_rcdata(std::string_view, std::string_view) noexcept { return true; }
};

} // namespace
} // namespace detail

scan_result scan(std::string_view utf8_html, std::string_view page_url)
{
    detail::scan_handler h;
    detail::tokenizer<detail::scan_handler> t(utf8_html, h);
    t.run();
    std::optional<std::string_view> base;
    if (h.result.base_href)
        base = *h.result.base_href;
    h.result.links = h.links.finish(base, page_url);
    if (h.canonical_raw)
        if (auto r = url::resolve(effective_base(base, page_url), *h.canonical_raw))
            h.result.canonical = std::move(*r);
    return std::move(h.result);
}

void for_each_tag(std::string_view utf8_html, std::function<bool(tag_token const&)> const& visit)
{
    detail::callback_handler h{visit};
    detail::tokenizer<detail::callback_handler> t(utf8_html, h);
    t.run();
}

} // namespace weft::html
