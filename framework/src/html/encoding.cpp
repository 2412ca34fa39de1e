#include <weft/html/encoding.hpp>
#include "text/utf8.hpp"

#include "document_impl.hpp"
#include "html/encoding_detail.hpp"

#include <iconv.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace weft::html
{
namespace
{

// windows-1252 0x80..0x9F (WHATWG index-windows-1252); undefined bytes map to the C1 control.
constexpr std::uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

void put(std::string& out, std::uint32_t cp) { weft::detail::append_utf8(out, cp); }

constexpr std::uint32_t replacement_char = 0xFFFD;

// WHATWG UTF-8 decoder: each maximal invalid subpart becomes one U+FFFD.
std::string decode_utf8(std::string_view s)
{
    // Most pages are valid throughout: one copy, no per-byte appends.
    std::size_t i = valid_utf8_prefix(s);
    if (i == s.size())
        return std::string(s);
    std::string out;
    out.reserve(s.size());
    out.append(s.substr(0, i));
    auto const n = s.size();
    while (i < n)
    {
        auto const b = static_cast<unsigned char>(s[i]);
        if (b < 0x80)
        {
            out += char(b);
            ++i;
            continue;
        }
        int need = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (b >= 0xC2 && b <= 0xDF)
            need = 1;
        else if (b >= 0xE0 && b <= 0xEF)
        {
            need = 2;
            if (b == 0xE0)
                lo = 0xA0;
            if (b == 0xED)
                hi = 0x9F;
        }
        else if (b >= 0xF0 && b <= 0xF4)
        {
            need = 3;
            if (b == 0xF0)
                lo = 0x90;
            if (b == 0xF4)
                hi = 0x8F;
        }
        else
        {
            put(out, replacement_char);
            ++i;
            continue;
        }
        std::size_t j = i + 1;
        bool ok = true;
        for (int k = 0; k < need; ++k, ++j)
        {
            if (j >= n)
            {
                ok = false;
                break;
            }
            auto const c = static_cast<unsigned char>(s[j]);
            if (c < lo || c > hi)
            {
                ok = false;
                break;
            }
            lo = 0x80;
            hi = 0xBF;
        }
        if (ok)
            out.append(s.substr(i, j - i));
        else
            put(out, replacement_char);
        i = j; // the offending byte is looked at again
    }
    return out;
}

std::string decode_utf16(std::string_view s, bool big_endian)
{
    std::string out;
    out.reserve(s.size());
    auto unit = [&](std::size_t i)
    {
        auto const a = static_cast<unsigned char>(s[i]), b = static_cast<unsigned char>(s[i + 1]);
        return big_endian ? std::uint32_t(a << 8 | b) : std::uint32_t(b << 8 | a);
    };
    std::size_t i = 0;
    for (; i + 1 < s.size(); i += 2)
    {
        std::uint32_t const u = unit(i);
        if (u >= 0xD800 && u <= 0xDBFF)
        {
            if (i + 3 < s.size())
            {
                std::uint32_t const u2 = unit(i + 2);
                if (u2 >= 0xDC00 && u2 <= 0xDFFF)
                {
                    put(out, 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00));
                    i += 2;
                    continue;
                }
            }
            put(out, replacement_char);
        }
        else if (u >= 0xDC00 && u <= 0xDFFF)
            put(out, replacement_char);
        else
            put(out, u);
    }
    if (i < s.size())
        put(out, replacement_char);
    return out;
}

std::string decode_single_byte(std::string_view s, bool user_defined)
{
    std::string out;
    out.reserve(s.size() + s.size() / 4);
    for (char ch : s)
    {
        auto const b = static_cast<unsigned char>(ch);
        if (b < 0x80)
            out += ch;
        else if (user_defined)
            put(out, 0xF780 + b - 0x80);
        else if (b < 0xA0)
            put(out, cp1252_high[b - 0x80]);
        else
            put(out, b);
    }
    return out;
}

boost::system::result<std::string> decode_iconv(std::string_view s, char const* name)
{
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == reinterpret_cast<iconv_t>(-1))
        return make_error_code(error::bad_encoding);
    std::string out;
    out.resize(s.size() * 2 + 16);
    char* in = const_cast<char*>(s.data());
    std::size_t in_left = s.size();
    std::size_t used = 0;
    while (in_left > 0)
    {
        char* o = out.data() + used;
        std::size_t o_left = out.size() - used;
        std::size_t const r = iconv(cd, &in, &in_left, &o, &o_left);
        used = out.size() - o_left;
        if (r != static_cast<std::size_t>(-1))
            break;
        int const err = errno;
        if (err == E2BIG)
        {
            out.resize(out.size() * 2);
            continue;
        }
        if (out.size() - used < 8)
            out.resize(out.size() * 2);
        out.replace(used, 3, "\xEF\xBF\xBD");
        used += 3;
        if (err == EILSEQ)
        {
            ++in; // skip the offending byte
            --in_left;
            iconv(cd, nullptr, nullptr, nullptr, nullptr); // back to the initial shift state
        }
        else // EINVAL: truncated sequence at the end
            break;
    }
    // Flush any shift state (ISO-2022-JP).
    for (;;)
    {
        if (out.size() - used < 16)
            out.resize(out.size() + 16);
        char* o = out.data() + used;
        std::size_t o_left = out.size() - used;
        iconv(cd, nullptr, nullptr, &o, &o_left);
        used = out.size() - o_left;
        break;
    }
    iconv_close(cd);
    out.resize(used);
    return out;
}

// The charset value in a Content-Type style string (HTML "extracting a character encoding from a
// meta element"), or empty.
std::string_view extract_charset(std::string_view s) noexcept
{
    std::size_t pos = 0;
    for (;;)
    {
        std::size_t found = std::string_view::npos;
        for (std::size_t i = pos; i + 7 <= s.size(); ++i)
            if (text::iequals(s.substr(i, 7), "charset"))
            {
                found = i;
                break;
            }
        if (found == std::string_view::npos)
            return {};
        pos = found + 7;
        while (pos < s.size() && text::is_html_space(s[pos]))
            ++pos;
        if (pos >= s.size() || s[pos] != '=')
            continue; // look for the next "charset"
        ++pos;
        while (pos < s.size() && text::is_html_space(s[pos]))
            ++pos;
        if (pos >= s.size())
            return {};
        if (s[pos] == '"' || s[pos] == '\'')
        {
            char const q = s[pos];
            auto const end = s.find(q, pos + 1);
            if (end == std::string_view::npos)
                return {};
            return s.substr(pos + 1, end - pos - 1);
        }
        std::size_t end = pos;
        while (end < s.size() && !text::is_html_space(s[end]) && s[end] != ';')
            ++end;
        return s.substr(pos, end - pos);
    }
}

// HTML "prescan a byte stream to determine its encoding" over the first 1024 bytes.
class prescanner
{
public:
    explicit prescanner(std::string_view s) : s_(s.substr(0, 1024)) {}

    std::optional<std::string_view> run()
    {
        while (p_ < s_.size())
        {
            if (starts("<!--"))
            {
                auto const end = s_.find("-->", p_ + 2);
                if (end == std::string_view::npos)
                    return std::nullopt;
                p_ = end + 3;
            }
            else if (starts_i("<meta") && p_ + 5 < s_.size() && (text::is_html_space(s_[p_ + 5]) || s_[p_ + 5] == '/'))
            {
                p_ += 5;
                if (auto e = meta())
                    return e;
            }
            else if (s_[p_] == '<' && p_ + 1 < s_.size() &&
                     (is_alpha(s_[p_ + 1]) || (s_[p_ + 1] == '/' && p_ + 2 < s_.size() && is_alpha(s_[p_ + 2]))))
            {
                while (p_ < s_.size() && !text::is_html_space(s_[p_]) && s_[p_] != '>')
                    ++p_;
                std::string name, value;
                while (attribute(name, value))
                {
                }
                ++p_;
            }
            else if (starts("<!") || starts("</") || starts("<?"))
            {
                auto const end = s_.find('>', p_ + 2);
                if (end == std::string_view::npos)
                    return std::nullopt;
                p_ = end + 1;
            }
            else
                ++p_;
        }
        return std::nullopt;
    }

private:
    std::string_view s_;
    std::size_t p_ = 0;

    static bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
    bool starts(std::string_view x) const noexcept { return s_.substr(p_, x.size()) == x; }
    bool starts_i(std::string_view x) const noexcept
    {
        return p_ + x.size() <= s_.size() && text::iequals(s_.substr(p_, x.size()), x);
    }

    std::optional<std::string_view> meta()
    {
        std::vector<std::string> seen;
        bool got_pragma = false;
        int need_pragma = -1; // -1 null, 0 false, 1 true
        std::optional<std::string_view> charset;
        std::string name, value;
        while (attribute(name, value))
        {
            if (std::find(seen.begin(), seen.end(), name) != seen.end())
                continue;
            seen.push_back(name);
            if (name == "http-equiv")
            {
                if (value == "content-type")
                    got_pragma = true;
            }
            else if (name == "content")
            {
                if (!charset)
                {
                    auto const c = extract_charset(value);
                    if (!c.empty())
                    {
                        charset = encoding_for_label(c);
                        if (!charset)
                            charset = std::string_view(); // failure, but "charset" is set
                        need_pragma = 1;
                    }
                }
            }
            else if (name == "charset")
            {
                charset = encoding_for_label(value);
                if (!charset)
                    charset = std::string_view();
                need_pragma = 0;
            }
        }
        if (need_pragma == -1 || (need_pragma == 1 && !got_pragma) || !charset || charset->empty())
            return std::nullopt;
        if (*charset == "UTF-16BE" || *charset == "UTF-16LE")
            return std::string_view("UTF-8");
        if (*charset == "x-user-defined")
            return std::string_view("windows-1252");
        return charset;
    }

    // HTML "get an attribute"; false when there is none (at '>' or the end).
    bool attribute(std::string& name, std::string& value)
    {
        name.clear();
        value.clear();
        while (p_ < s_.size() && (text::is_html_space(s_[p_]) || s_[p_] == '/'))
            ++p_;
        if (p_ >= s_.size() || s_[p_] == '>')
            return false;
        for (;;)
        {
            if (p_ >= s_.size())
                return false;
            char const c = s_[p_];
            if (c == '=' && !name.empty())
            {
                ++p_;
                break;
            }
            if (text::is_html_space(c))
            {
                while (p_ < s_.size() && text::is_html_space(s_[p_]))
                    ++p_;
                if (p_ >= s_.size())
                    return false;
                if (s_[p_] != '=')
                    return true;
                ++p_;
                break;
            }
            if (c == '/' || c == '>')
                return true;
            name += text::to_lower(c);
            ++p_;
        }
        while (p_ < s_.size() && text::is_html_space(s_[p_]))
            ++p_;
        if (p_ >= s_.size())
            return false;
        if (s_[p_] == '"' || s_[p_] == '\'')
        {
            char const q = s_[p_++];
            for (;;)
            {
                if (p_ >= s_.size())
                    return false;
                if (s_[p_] == q)
                {
                    ++p_;
                    return true;
                }
                value += text::to_lower(s_[p_++]);
            }
        }
        if (s_[p_] == '>')
            return true;
        for (;;)
        {
            if (p_ >= s_.size())
                return false;
            char const c = s_[p_];
            if (text::is_html_space(c) || c == '>')
                return true;
            value += text::to_lower(c);
            ++p_;
        }
    }
};

} // namespace


detected_encoding detect_encoding_ex(std::string_view bytes, std::string_view content_type_charset) noexcept
{
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF")
        return {"UTF-8", encoding_source::bom};
    if (bytes.substr(0, 2) == "\xFE\xFF")
        return {"UTF-16BE", encoding_source::bom};
    if (bytes.substr(0, 2) == "\xFF\xFE")
        return {"UTF-16LE", encoding_source::bom};
    if (!content_type_charset.empty())
    {
        std::string_view label = content_type_charset;
        if (auto const c = extract_charset(content_type_charset); !c.empty())
            label = c;
        if (auto e = encoding_for_label(label))
            return {*e, encoding_source::transport};
    }
    try
    {
        if (auto e = prescanner(bytes).run())
            return {*e, encoding_source::meta};
    }
    catch (...) // std::bad_alloc from the attribute buffers: fall through to the default
    {
    }
    // HTML's "frequency analysis" step, as browsers do it: a page that declares nothing but is
    // valid UTF-8 with non-ASCII in it is UTF-8 (windows-1252 would turn "é" into "Ã©"). Pure
    // ASCII decodes the same either way and keeps the fallback's name.
    if (detail::looks_like_utf8(bytes))
        return {"UTF-8", encoding_source::content};
    return {"windows-1252", encoding_source::fallback};
}

namespace
{

// What a UTF-8 lead byte fixes: the sequence's length (0: not a lead byte) and the range of its
// first continuation byte (no overlong forms, no surrogates, nothing above U+10FFFF: Unicode
// table 3-7).
struct utf8_lead
{
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;

    explicit utf8_lead(unsigned char c) noexcept
    {
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF)
        {
            len = 3;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        }
        else if (c >= 0xF0 && c <= 0xF4)
        {
            len = 4;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        }
    }
    // Continuation byte k (1..len-1) is b allowed?
    bool fits(std::size_t k, unsigned char b) const noexcept
    {
        return b >= (k == 1 ? lo : 0x80) && b <= (k == 1 ? hi : 0xBF);
    }
};

} // namespace

bool detail::looks_like_utf8(std::string_view bytes) noexcept
{
    bool non_ascii = false;
    std::size_t i = 0;
    auto const n = bytes.size();
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
    while (i < n)
    {
        unsigned char const c = byte(i);
        if (c < 0x80)
        {
            ++i;
            continue;
        }
        non_ascii = true;
        utf8_lead const lead(c);
        if (lead.len == 0)
            return false;
        for (std::size_t k = 1; k < lead.len; ++k)
        {
            if (i + k >= n)
                return true; // cut short by the end of a truncated body
            if (!lead.fits(k, byte(i + k)))
                return false;
        }
        i += lead.len;
    }
    return non_ascii;
}

std::size_t valid_utf8_prefix(std::string_view bytes) noexcept
{
    auto const* p = reinterpret_cast<unsigned char const*>(bytes.data());
    std::size_t const n = bytes.size();
    std::size_t i = 0;
    while (i < n)
    {
        // ASCII runs eight bytes at a time
        while (i + 8 <= n)
        {
            std::uint64_t w;
            std::memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char const c = p[i];
        if (c < 0x80)
        {
            ++i;
            continue;
        }
        utf8_lead const lead(c);
        if (lead.len == 0 || i + lead.len > n)
            return i;
        for (std::size_t k = 1; k < lead.len; ++k)
            if (!lead.fits(k, p[i + k]))
                return i;
        i += lead.len;
    }
    return n;
}

boost::system::result<std::string> to_utf8(std::string_view bytes, std::string_view label)
{
    auto const name = encoding_for_label(label);
    if (!name)
        return make_error_code(error::bad_encoding);
    if (*name == "UTF-8")
    {
        if (bytes.substr(0, 3) == "\xEF\xBB\xBF")
            bytes.remove_prefix(3);
        return decode_utf8(bytes);
    }
    if (*name == "UTF-16LE" || *name == "UTF-16BE")
    {
        bool const be = *name == "UTF-16BE";
        if (bytes.substr(0, 2) == (be ? "\xFE\xFF" : "\xFF\xFE"))
            bytes.remove_prefix(2);
        return decode_utf16(bytes, be);
    }
    if (*name == "windows-1252" || *name == "x-user-defined")
        return decode_single_byte(bytes, *name == "x-user-defined");
    if (*name == "replacement")
        return bytes.empty() ? std::string() : std::string("\xEF\xBF\xBD");
    if (auto iconv_name = detail::iconv_name_for(*name))
    {
        auto r = decode_iconv(bytes, std::string(*iconv_name).c_str());
        if (!r)
            return r;
        // iconv output is UTF-8 already; re-validate cheaply for safety.
        return decode_utf8(*r);
    }
    return make_error_code(error::bad_encoding);
}

} // namespace weft::html
