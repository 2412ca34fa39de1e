#include <weft/url/idna.hpp>

#include <weft/error.hpp>
#include <weft/text/ascii.hpp>

#include <cstdint>

namespace weft::url
{
namespace
{

// RFC 3492 section 5 parameters.
constexpr std::uint32_t base = 36, tmin = 1, tmax = 26, skew = 38, damp = 700, initial_bias = 72, initial_n = 128;

char encode_digit(std::uint32_t d)
{
    return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26));
}

std::uint32_t adapt(std::uint32_t delta, std::uint32_t num_points, bool first)
{
    delta = first ? delta / damp : delta / 2;
    delta += delta / num_points;
    std::uint32_t k = 0;
    while (delta > ((base - tmin) * tmax) / 2)
    {
        delta /= base - tmin;
        k += base;
    }
    return k + (base - tmin + 1) * delta / (delta + skew);
}

// Simple lower-casing beyond ASCII: Latin-1, Latin Extended-A, Greek and Cyrillic capitals.
// Enough for the IDNs seen in practice; UTS #46 proper is out of scope.
char32_t to_lower(char32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3AB && c != 0x3A2) || (c >= 0x410 && c <= 0x42F))
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F)
    {
        bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        bool is_upper = odd_upper ? (c % 2 == 1) : (c % 2 == 0);
        return is_upper ? c + 1 : c;
    }
    return c;
}

bool decode_utf8(std::string_view s, std::u32string& out)
{
    for (std::size_t i = 0; i < s.size();)
    {
        auto b = static_cast<unsigned char>(s[i]);
        std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size())
            return false;
        char32_t c = n == 1 ? b : n == 2 ? b & 0x1F : n == 3 ? b & 0x0F : b & 0x07;
        for (std::size_t k = 1; k < n; ++k)
        {
            auto cb = static_cast<unsigned char>(s[i + k]);
            if ((cb & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (cb & 0x3F);
        }
        if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10FFFF ||
            (c >= 0xD800 && c <= 0xDFFF))
            return false;
        out.push_back(c);
        i += n;
    }
    return true;
}

} // namespace

boost::system::result<std::string> punycode_encode(std::u32string_view input)
{
    std::string out;
    for (char32_t c : input)
    {
        if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return error::bad_url;
        if (c < 0x80)
            out.push_back(static_cast<char>(c));
    }
    std::uint32_t const b = static_cast<std::uint32_t>(out.size());
    std::uint32_t h = b;
    if (b > 0)
        out.push_back('-');
    std::uint32_t n = initial_n, delta = 0, bias = initial_bias;
    while (h < input.size())
    {
        std::uint32_t m = UINT32_MAX;
        for (char32_t c : input)
            if (c >= n && c < m)
                m = c;
        if ((m - n) > (UINT32_MAX - delta) / (h + 1))
            return error::bad_url;
        delta += (m - n) * (h + 1);
        n = m;
        for (char32_t c : input)
        {
            if (c < n && ++delta == 0)
                return error::bad_url;
            if (c == n)
            {
                std::uint32_t q = delta;
                for (std::uint32_t k = base;; k += base)
                {
                    std::uint32_t t = k <= bias ? tmin : k >= bias + tmax ? tmax : k - bias;
                    if (q < t)
                        break;
                    out.push_back(encode_digit(t + (q - t) % (base - t)));
                    q = (q - t) / (base - t);
                }
                out.push_back(encode_digit(q));
                bias = adapt(delta, h + 1, h == b);
                delta = 0;
                ++h;
            }
        }
        ++delta;
        ++n;
    }
    return out;
}

boost::system::result<std::u32string> punycode_decode(std::string_view input)
{
    std::u32string out;
    auto dash = input.rfind('-');
    std::size_t pos = 0;
    if (dash != std::string_view::npos)
    {
        for (std::size_t i = 0; i < dash; ++i)
        {
            if (static_cast<unsigned char>(input[i]) >= 0x80)
                return error::bad_url;
            out.push_back(static_cast<unsigned char>(input[i]));
        }
        pos = dash + 1;
    }
    std::uint32_t n = initial_n, i = 0, bias = initial_bias;
    while (pos < input.size())
    {
        std::uint32_t old_i = i, w = 1;
        for (std::uint32_t k = base;; k += base)
        {
            if (pos >= input.size())
                return error::bad_url;
            char c = input[pos++];
            std::uint32_t digit = (c >= 'a' && c <= 'z')   ? c - 'a'
                                  : (c >= 'A' && c <= 'Z') ? c - 'A'
                                  : (c >= '0' && c <= '9') ? c - '0' + 26
                                                           : base;
            if (digit >= base || digit > (UINT32_MAX - i) / w)
                return error::bad_url;
            i += digit * w;
            std::uint32_t t = k <= bias ? tmin : k >= bias + tmax ? tmax : k - bias;
            if (digit < t)
                break;
            if (w > UINT32_MAX / (base - t))
                return error::bad_url;
            w *= base - t;
        }
        auto len = static_cast<std::uint32_t>(out.size() + 1);
        bias = adapt(i - old_i, len, old_i == 0);
        if (i / len > UINT32_MAX - n)
            return error::bad_url;
        n += i / len;
        i %= len;
        if (n > 0x10FFFF || (n >= 0xD800 && n <= 0xDFFF))
            return error::bad_url;
        out.insert(out.begin() + i, static_cast<char32_t>(n));
        ++i;
    }
    return out;
}

boost::system::result<std::string> domain_to_ascii(std::string_view host)
{
    std::string out;
    out.reserve(host.size());
    bool ascii = true;
    for (char c : host)
        if (static_cast<unsigned char>(c) >= 0x80)
            ascii = false;
    if (ascii)
        return text::lower_copy(host);
    std::u32string cps;
    if (!decode_utf8(host, cps))
        return error::bad_url;
    std::u32string label;
    auto flush = [&]() -> bool
    {
        bool label_ascii = true;
        for (char32_t c : label)
            if (c >= 0x80)
                label_ascii = false;
        if (label_ascii)
        {
            for (char32_t c : label)
                out.push_back(static_cast<char>(c));
        }
        else
        {
            auto enc = punycode_encode(label);
            if (!enc)
                return false;
            out += "xn--";
            out += *enc;
        }
        label.clear();
        return true;
    };
    for (char32_t c : cps)
    {
        if (c == '.' || c == 0x3002 || c == 0xFF0E || c == 0xFF61)
        {
            if (!flush())
                return error::bad_url;
            out.push_back('.');
        }
        else if (c == 0xAD || c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF)
        {
            // UTS #46 maps these to nothing.
        }
        else if (c == 0xFFFD || (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE)
            return error::bad_url; // UTS #46: the replacement character and noncharacters are disallowed
        else if (c >= 0xFF01 && c <= 0xFF5E)
            label.push_back(to_lower(c - 0xFEE0)); // UTS #46: fullwidth ASCII is ASCII ("Ｇｏ" is "go")
        else if (c == 0x3000)
            label.push_back(' '); // UTS #46: the ideographic space is a space (forbidden in a host)
        else
            label.push_back(to_lower(c));
    }
    if (!flush())
        return error::bad_url;
    return out;
}

} // namespace weft::url
