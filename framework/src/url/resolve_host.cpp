// Hosts and ports of the WHATWG URL parser: IPv4 in every notation, IPv6, IDNA, default ports.
#include "resolve_detail.hpp"

#include <weft/text/ascii.hpp>
#include <weft/url/idna.hpp>

#include <boost/url/ipv6_address.hpp>

#include <algorithm>
#include <array>
#include <vector>

namespace weft::url::detail
{

std::uint16_t default_port(std::string_view scheme)
{
    if (scheme == "http" || scheme == "ws")
        return 80;
    if (scheme == "https" || scheme == "wss")
        return 443;
    if (scheme == "ftp")
        return 21;
    return 0;
}

// WHATWG IPv4 parser; nullopt-with-failure is signalled through `ok`.
namespace
{

std::optional<std::string> parse_ipv4(std::string_view host, bool& ok)
{
    ok = true;
    std::vector<std::string_view> labels;
    std::size_t i = 0;
    for (;;)
    {
        auto j = host.find('.', i);
        labels.push_back(host.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
        if (j == std::string_view::npos)
            break;
        i = j + 1;
    }
    if (labels.size() > 1 && labels.back().empty())
        labels.pop_back();
    auto last = labels.back();
    bool ends_in_number = !last.empty();
    for (char c : last)
        if (c < '0' || c > '9')
            ends_in_number = false;
    if (!ends_in_number && last.size() >= 2 && last[0] == '0' && (last[1] | 0x20) == 'x')
    {
        ends_in_number = true;
        for (char c : last.substr(2))
            if (!text::is_hex_digit(c))
                ends_in_number = false;
    }
    if (!ends_in_number)
        return std::nullopt;
    if (labels.size() > 4)
    {
        ok = false;
        return std::nullopt;
    }
    std::vector<std::uint64_t> numbers;
    for (auto label : labels)
    {
        if (label.empty())
        {
            ok = false;
            return std::nullopt;
        }
        unsigned radix = 10;
        if (label.size() >= 2 && label[0] == '0' && (label[1] | 0x20) == 'x')
        {
            radix = 16;
            label.remove_prefix(2);
        }
        else if (label.size() >= 2 && label[0] == '0')
        {
            radix = 8;
            label.remove_prefix(1);
        }
        std::uint64_t v = 0;
        for (char c : label)
        {
            unsigned d;
            if (radix == 16 && text::is_hex_digit(c))
                d = static_cast<unsigned>(text::hex_value(c));
            else if (c >= '0' && c <= '9' && static_cast<unsigned>(c - '0') < radix)
                d = static_cast<unsigned>(c - '0');
            else
            {
                ok = false;
                return std::nullopt;
            }
            v = v * radix + d;
            if (v > 0xFFFFFFFFull * 256)
                v = 0xFFFFFFFFull * 256; // saturate: already too large
        }
        numbers.push_back(v);
    }
    for (std::size_t k = 0; k + 1 < numbers.size(); ++k)
        if (numbers[k] > 255)
        {
            ok = false;
            return std::nullopt;
        }
    if (numbers.back() >= (1ull << (8 * (5 - numbers.size()))))
    {
        ok = false;
        return std::nullopt;
    }
    std::uint64_t ip = numbers.back();
    for (std::size_t k = 0; k + 1 < numbers.size(); ++k)
        ip += numbers[k] << (8 * (3 - k));
    return std::to_string((ip >> 24) & 255) + "." + std::to_string((ip >> 16) & 255) + "." +
           std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

// "[...]" in the WHATWG serialization: lower-case hex without leading zeros, the first longest
// run of two or more zero pieces as "::", an embedded IPv4 as hex ("[::127.0.0.1]" is
// "[::7f00:1]"); nullopt when the brackets do not hold an IPv6 address.
std::optional<std::string> serialize_ipv6(std::string_view bracketed)
{
    if (bracketed.size() < 2 || bracketed.back() != ']')
        return std::nullopt;
    auto parsed = boost::urls::parse_ipv6_address(bracketed.substr(1, bracketed.size() - 2));
    if (!parsed)
        return std::nullopt;
    auto const bytes = parsed->to_bytes();
    std::array<unsigned, 8> pieces{};
    for (std::size_t i = 0; i < 8; ++i)
        pieces[i] = bytes[2 * i] << 8 | bytes[2 * i + 1];
    std::size_t best = 8, best_len = 1; // runs of one zero are not compressed
    for (std::size_t i = 0; i < 8;)
    {
        std::size_t j = i;
        while (j < 8 && pieces[j] == 0)
            ++j;
        if (j - i > best_len)
            best = i, best_len = j - i;
        i = j == i ? i + 1 : j;
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "[";
    for (std::size_t i = 0; i < 8; ++i)
    {
        if (i == best)
        {
            out += i == 0 ? "::" : ":";
            i += best_len - 1;
            continue;
        }
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4)
        {
            auto d = (pieces[i] >> shift) & 15;
            if (d || started || shift == 0)
                out += hex[d], started = true;
        }
        if (i != 7)
            out += ':';
    }
    return out + "]";
}

} // namespace

bool finish_host(parts& t, bool special)
{
    if (!t.has_authority)
        return !special || t.scheme == "file" ? true : false;
    if (!t.host.empty() && t.host[0] == '[')
    {
        auto v6 = serialize_ipv6(t.host);
        if (!v6)
            return false;
        t.host = std::move(*v6);
        return true;
    }
    if (!special)
        return true;
    std::string decoded;
    for (std::size_t i = 0; i < t.host.size(); ++i)
    {
        if (t.host[i] == '%' && i + 2 < t.host.size() && text::is_hex_digit(t.host[i + 1]) &&
            text::is_hex_digit(t.host[i + 2]))
        {
            decoded.push_back(static_cast<char>(text::hex_value(t.host[i + 1]) * 16 + text::hex_value(t.host[i + 2])));
            i += 2;
        }
        else
            decoded.push_back(t.host[i]);
    }
    if (decoded.empty())
        return t.scheme == "file";
    auto ascii = domain_to_ascii(decoded);
    if (!ascii || ascii->empty())
        return false;
    for (char c : *ascii)
    {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7F || c == '#' || c == '%' || c == '/' || c == ':' || c == '<' || c == '>' ||
            c == '?' || c == '@' || c == '[' || c == '\\' || c == ']' || c == '^' || c == '|')
            return false;
    }
    bool ok = true;
    auto v4 = parse_ipv4(*ascii, ok);
    if (!ok)
        return false;
    t.host = v4 ? *v4 : *ascii;
    if (t.scheme == "file" && t.host == "localhost")
        t.host.clear();
    return true;
}

bool finish_port(parts& t)
{
    if (!t.has_port)
        return true;
    std::size_t z = t.port.find_first_not_of('0');
    std::string digits = z == std::string::npos ? (t.port.empty() ? "" : "0") : t.port.substr(z);
    if (digits.empty())
    {
        t.has_port = false;
        return true;
    }
    if (digits.size() > 5 || std::stoul(digits) > 65535)
        return false;
    if (std::stoul(digits) == default_port(t.scheme) && default_port(t.scheme) != 0)
    {
        t.has_port = false;
        return true;
    }
    t.port = digits;
    return true;
}

// scheme ":" ["//" [userinfo "@"] host [":" port]]
} // namespace weft::url::detail
