#include <weft/html/encoding.hpp>
#include "text/utf8.hpp"

#include "document_impl.hpp"

#include <iconv.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace weft::html
{
namespace
{

struct label_entry
{
    std::string_view label;
    std::string_view name;
};

// WHATWG Encoding §4.2 "Names and labels".
constexpr label_entry labels[] = {
    {"unicode-1-1-utf-8", "UTF-8"},
    {"unicode11utf8", "UTF-8"},
    {"unicode20utf8", "UTF-8"},
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"x-unicode20utf8", "UTF-8"},
    {"866", "IBM866"},
    {"cp866", "IBM866"},
    {"csibm866", "IBM866"},
    {"ibm866", "IBM866"},
    {"csisolatin2", "ISO-8859-2"},
    {"iso-8859-2", "ISO-8859-2"},
    {"iso-ir-101", "ISO-8859-2"},
    {"iso8859-2", "ISO-8859-2"},
    {"iso88592", "ISO-8859-2"},
    {"iso_8859-2", "ISO-8859-2"},
    {"iso_8859-2:1987", "ISO-8859-2"},
    {"l2", "ISO-8859-2"},
    {"latin2", "ISO-8859-2"},
    {"csisolatin3", "ISO-8859-3"},
    {"iso-8859-3", "ISO-8859-3"},
    {"iso-ir-109", "ISO-8859-3"},
    {"iso8859-3", "ISO-8859-3"},
    {"iso88593", "ISO-8859-3"},
    {"iso_8859-3", "ISO-8859-3"},
    {"iso_8859-3:1988", "ISO-8859-3"},
    {"l3", "ISO-8859-3"},
    {"latin3", "ISO-8859-3"},
    {"csisolatin4", "ISO-8859-4"},
    {"iso-8859-4", "ISO-8859-4"},
    {"iso-ir-110", "ISO-8859-4"},
    {"iso8859-4", "ISO-8859-4"},
    {"iso88594", "ISO-8859-4"},
    {"iso_8859-4", "ISO-8859-4"},
    {"iso_8859-4:1988", "ISO-8859-4"},
    {"l4", "ISO-8859-4"},
    {"latin4", "ISO-8859-4"},
    {"csisolatincyrillic", "ISO-8859-5"},
    {"cyrillic", "ISO-8859-5"},
    {"iso-8859-5", "ISO-8859-5"},
    {"iso-ir-144", "ISO-8859-5"},
    {"iso8859-5", "ISO-8859-5"},
    {"iso88595", "ISO-8859-5"},
    {"iso_8859-5", "ISO-8859-5"},
    {"iso_8859-5:1988", "ISO-8859-5"},
    {"arabic", "ISO-8859-6"},
    {"asmo-708", "ISO-8859-6"},
    {"csiso88596e", "ISO-8859-6"},
    {"csiso88596i", "ISO-8859-6"},
    {"csisolatinarabic", "ISO-8859-6"},
    {"ecma-114", "ISO-8859-6"},
    {"iso-8859-6", "ISO-8859-6"},
    {"iso-8859-6-e", "ISO-8859-6"},
    {"iso-8859-6-i", "ISO-8859-6"},
    {"iso-ir-127", "ISO-8859-6"},
    {"iso8859-6", "ISO-8859-6"},
    {"iso88596", "ISO-8859-6"},
    {"iso_8859-6", "ISO-8859-6"},
    {"iso_8859-6:1987", "ISO-8859-6"},
    {"csisolatingreek", "ISO-8859-7"},
    {"ecma-118", "ISO-8859-7"},
    {"elot_928", "ISO-8859-7"},
    {"greek", "ISO-8859-7"},
    {"greek8", "ISO-8859-7"},
    {"iso-8859-7", "ISO-8859-7"},
    {"iso-ir-126", "ISO-8859-7"},
    {"iso8859-7", "ISO-8859-7"},
    {"iso88597", "ISO-8859-7"},
    {"iso_8859-7", "ISO-8859-7"},
    {"iso_8859-7:1987", "ISO-8859-7"},
    {"sun_eu_greek", "ISO-8859-7"},
    {"csiso88598e", "ISO-8859-8"},
    {"csisolatinhebrew", "ISO-8859-8"},
    {"hebrew", "ISO-8859-8"},
    {"iso-8859-8", "ISO-8859-8"},
    {"iso-8859-8-e", "ISO-8859-8"},
    {"iso-ir-138", "ISO-8859-8"},
    {"iso8859-8", "ISO-8859-8"},
    {"iso88598", "ISO-8859-8"},
    {"iso_8859-8", "ISO-8859-8"},
    {"iso_8859-8:1988", "ISO-8859-8"},
    {"visual", "ISO-8859-8"},
    {"csiso88598i", "ISO-8859-8-I"},
    {"iso-8859-8-i", "ISO-8859-8-I"},
    {"logical", "ISO-8859-8-I"},
    {"csisolatin6", "ISO-8859-10"},
    {"iso-8859-10", "ISO-8859-10"},
    {"iso-ir-157", "ISO-8859-10"},
    {"iso8859-10", "ISO-8859-10"},
    {"iso885910", "ISO-8859-10"},
    {"l6", "ISO-8859-10"},
    {"latin6", "ISO-8859-10"},
    {"iso-8859-13", "ISO-8859-13"},
    {"iso8859-13", "ISO-8859-13"},
    {"iso885913", "ISO-8859-13"},
    {"iso-8859-14", "ISO-8859-14"},
    {"iso8859-14", "ISO-8859-14"},
    {"iso885914", "ISO-8859-14"},
    {"csisolatin9", "ISO-8859-15"},
    {"iso-8859-15", "ISO-8859-15"},
    {"iso8859-15", "ISO-8859-15"},
    {"iso885915", "ISO-8859-15"},
    {"iso_8859-15", "ISO-8859-15"},
    {"l9", "ISO-8859-15"},
    {"iso-8859-16", "ISO-8859-16"},
    {"cskoi8r", "KOI8-R"},
    {"koi", "KOI8-R"},
    {"koi8", "KOI8-R"},
    {"koi8-r", "KOI8-R"},
    {"koi8_r", "KOI8-R"},
    {"koi8-ru", "KOI8-U"},
    {"koi8-u", "KOI8-U"},
    {"csmacintosh", "macintosh"},
    {"mac", "macintosh"},
    {"macintosh", "macintosh"},
    {"x-mac-roman", "macintosh"},
    {"dos-874", "windows-874"},
    {"iso-8859-11", "windows-874"},
    {"iso8859-11", "windows-874"},
    {"iso885911", "windows-874"},
    {"tis-620", "windows-874"},
    {"windows-874", "windows-874"},
    {"cp1250", "windows-1250"},
    {"windows-1250", "windows-1250"},
    {"x-cp1250", "windows-1250"},
    {"cp1251", "windows-1251"},
    {"windows-1251", "windows-1251"},
    {"x-cp1251", "windows-1251"},
    {"ansi_x3.4-1968", "windows-1252"},
    {"ascii", "windows-1252"},
    {"cp1252", "windows-1252"},
    {"cp819", "windows-1252"},
    {"csisolatin1", "windows-1252"},
    {"ibm819", "windows-1252"},
    {"iso-8859-1", "windows-1252"},
    {"iso-ir-100", "windows-1252"},
    {"iso8859-1", "windows-1252"},
    {"iso88591", "windows-1252"},
    {"iso_8859-1", "windows-1252"},
    {"iso_8859-1:1987", "windows-1252"},
    {"l1", "windows-1252"},
    {"latin1", "windows-1252"},
    {"us-ascii", "windows-1252"},
    {"windows-1252", "windows-1252"},
    {"x-cp1252", "windows-1252"},
    {"cp1253", "windows-1253"},
    {"windows-1253", "windows-1253"},
    {"x-cp1253", "windows-1253"},
    {"cp1254", "windows-1254"},
    {"csisolatin5", "windows-1254"},
    {"iso-8859-9", "windows-1254"},
    {"iso-ir-148", "windows-1254"},
    {"iso8859-9", "windows-1254"},
    {"iso88599", "windows-1254"},
    {"iso_8859-9", "windows-1254"},
    {"iso_8859-9:1989", "windows-1254"},
    {"l5", "windows-1254"},
    {"latin5", "windows-1254"},
    {"windows-1254", "windows-1254"},
    {"x-cp1254", "windows-1254"},
    {"cp1255", "windows-1255"},
    {"windows-1255", "windows-1255"},
    {"x-cp1255", "windows-1255"},
    {"cp1256", "windows-1256"},
    {"windows-1256", "windows-1256"},
    {"x-cp1256", "windows-1256"},
    {"cp1257", "windows-1257"},
    {"windows-1257", "windows-1257"},
    {"x-cp1257", "windows-1257"},
    {"cp1258", "windows-1258"},
    {"windows-1258", "windows-1258"},
    {"x-cp1258", "windows-1258"},
    {"x-mac-cyrillic", "x-mac-cyrillic"},
    {"x-mac-ukrainian", "x-mac-cyrillic"},
    {"chinese", "GBK"},
    {"csgb2312", "GBK"},
    {"csiso58gb231280", "GBK"},
    {"gb2312", "GBK"},
    {"gb_2312", "GBK"},
    {"gb_2312-80", "GBK"},
    {"gbk", "GBK"},
    {"iso-ir-58", "GBK"},
    {"x-gbk", "GBK"},
    {"gb18030", "gb18030"},
    {"big5", "Big5"},
    {"big5-hkscs", "Big5"},
    {"cn-big5", "Big5"},
    {"csbig5", "Big5"},
    {"x-x-big5", "Big5"},
    {"cseucpkdfmtjapanese", "EUC-JP"},
    {"euc-jp", "EUC-JP"},
    {"x-euc-jp", "EUC-JP"},
    {"csiso2022jp", "ISO-2022-JP"},
    {"iso-2022-jp", "ISO-2022-JP"},
    {"csshiftjis", "Shift_JIS"},
    {"ms932", "Shift_JIS"},
    {"ms_kanji", "Shift_JIS"},
    {"shift-jis", "Shift_JIS"},
    {"shift_jis", "Shift_JIS"},
    {"sjis", "Shift_JIS"},
    {"windows-31j", "Shift_JIS"},
    {"x-sjis", "Shift_JIS"},
    {"cseuckr", "EUC-KR"},
    {"csksc56011987", "EUC-KR"},
    {"euc-kr", "EUC-KR"},
    {"iso-ir-149", "EUC-KR"},
    {"korean", "EUC-KR"},
    {"ks_c_5601-1987", "EUC-KR"},
    {"ks_c_5601-1989", "EUC-KR"},
    {"ksc5601", "EUC-KR"},
    {"ksc_5601", "EUC-KR"},
    {"windows-949", "EUC-KR"},
    {"csiso2022kr", "replacement"},
    {"hz-gb-2312", "replacement"},
    {"iso-2022-cn", "replacement"},
    {"iso-2022-cn-ext", "replacement"},
    {"iso-2022-kr", "replacement"},
    {"replacement", "replacement"},
    {"unicodefffe", "UTF-16BE"},
    {"utf-16be", "UTF-16BE"},
    {"csunicode", "UTF-16LE"},
    {"iso-10646-ucs-2", "UTF-16LE"},
    {"ucs-2", "UTF-16LE"},
    {"unicode", "UTF-16LE"},
    {"unicodefeff", "UTF-16LE"},
    {"utf-16", "UTF-16LE"},
    {"utf-16le", "UTF-16LE"},
    {"x-user-defined", "x-user-defined"},
};

// glibc iconv names for the encodings decoded through iconv (WHATWG names on the left).
constexpr label_entry iconv_names[] = {
    {"IBM866", "IBM866"},
    {"ISO-8859-2", "ISO-8859-2"},
    {"ISO-8859-3", "ISO-8859-3"},
    {"ISO-8859-4", "ISO-8859-4"},
    {"ISO-8859-5", "ISO-8859-5"},
    {"ISO-8859-6", "ISO-8859-6"},
    {"ISO-8859-7", "ISO-8859-7"},
    {"ISO-8859-8", "ISO-8859-8"},
    {"ISO-8859-8-I", "ISO-8859-8"},
    {"ISO-8859-10", "ISO-8859-10"},
    {"ISO-8859-13", "ISO-8859-13"},
    {"ISO-8859-14", "ISO-8859-14"},
    {"ISO-8859-15", "ISO-8859-15"},
    {"ISO-8859-16", "ISO-8859-16"},
    {"KOI8-R", "KOI8-R"},
    {"KOI8-U", "KOI8-U"},
    {"macintosh", "MACINTOSH"},
    {"windows-874", "CP874"},
    {"windows-1250", "CP1250"},
    {"windows-1251", "CP1251"},
    {"windows-1253", "CP1253"},
    {"windows-1254", "CP1254"},
    {"windows-1255", "CP1255"},
    {"windows-1256", "CP1256"},
    {"windows-1257", "CP1257"},
    {"windows-1258", "CP1258"},
    {"x-mac-cyrillic", "MAC-CYRILLIC"},
    {"GBK", "GB18030"},
    {"gb18030", "GB18030"},
    {"Big5", "BIG5-HKSCS"},
    {"EUC-JP", "EUC-JP"},
    {"ISO-2022-JP", "ISO-2022-JP"},
    {"Shift_JIS", "CP932"},
    {"EUC-KR", "CP949"},
};

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
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
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

std::optional<std::string_view> encoding_for_label(std::string_view label) noexcept
{
    while (!label.empty() && text::is_html_space(label.front()))
        label.remove_prefix(1);
    while (!label.empty() && text::is_html_space(label.back()))
        label.remove_suffix(1);
    for (auto const& e : labels)
        if (text::iequals(e.label, label))
            return e.name;
    return std::nullopt;
}

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
    return {"windows-1252", encoding_source::fallback};
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
    for (auto const& e : iconv_names)
        if (e.label == *name)
        {
            auto r = decode_iconv(bytes, std::string(e.name).c_str());
            if (!r)
                return r;
            // iconv output is UTF-8 already; re-validate cheaply for safety.
            return decode_utf8(*r);
        }
    return make_error_code(error::bad_encoding);
}

} // namespace weft::html
