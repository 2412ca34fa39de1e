#include <weft/url/resolve.hpp>

#include <weft/error.hpp>
#include <weft/text/ascii.hpp>
#include <weft/url/idna.hpp>

#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace weft::url
{
namespace
{

// The parsed pieces of a URL, each already percent-encoded as Boost.URL accepts it.
struct parts
{
    std::string scheme;
    bool has_authority = false;
    std::string userinfo;
    bool has_userinfo = false;
    std::string host;
    std::string port;
    bool has_port = false;
    std::string path;
    std::optional<std::string> query;
    std::optional<std::string> fragment;
};

enum class component
{
    userinfo,
    host,
    path,
    query,
    fragment
};

// Trims leading/trailing C0 controls and spaces, removes tabs and newlines (URL standard, basic parser).
std::string clean(std::string_view in)
{
    while (!in.empty() && static_cast<unsigned char>(in.front()) <= 0x20)
        in.remove_prefix(1);
    while (!in.empty() && static_cast<unsigned char>(in.back()) <= 0x20)
        in.remove_suffix(1);
    std::string out;
    out.reserve(in.size());
    for (char c : in)
        if (c != '\t' && c != '\n' && c != '\r')
            out.push_back(c);
    return out;
}

std::size_t scheme_length(std::string_view s)
{
    if (s.empty() || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
        return std::string_view::npos;
    for (std::size_t i = 1; i < s.size(); ++i)
    {
        char c = s[i];
        if (c == ':')
            return i;
        bool ok =
            ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
        if (!ok)
            return std::string_view::npos;
    }
    return std::string_view::npos;
}

// Percent-encodes what the URL standard encodes in `c`'s component, plus what RFC 3986 (and so
// Boost.URL) rejects there. Valid %XX triplets are kept.
bool must_encode(unsigned char c, component k, bool special)
{
    if (c <= 0x20 || c >= 0x7F)
        return true;
    switch (c)
    {
    case '"':
    case '<':
    case '>':
    case '`':
    case '{':
    case '}':
    case '|':
    case '^':
    case '\\':
        return true;
    case '[':
    case ']':
        return k != component::host;
    case '#':
        return true;
    case '?':
        return k == component::userinfo || k == component::host;
    case '/':
        return k == component::userinfo;
    case '@':
        return k == component::userinfo;
    case '\'':
        return k == component::query && special;
    default:
        return false;
    }
}

void append_encoded(std::string& out, std::string_view s, component k, bool special)
{
    static constexpr char digits[] = "0123456789ABCDEF";
    for (std::size_t i = 0; i < s.size(); ++i)
    {
        auto c = static_cast<unsigned char>(s[i]);
        if (c == '%')
        {
            if (i + 2 < s.size() && text::is_hex_digit(s[i + 1]) && text::is_hex_digit(s[i + 2]))
                out.push_back('%');
            else
                out += "%25";
        }
        else if (must_encode(c, k, special))
        {
            out.push_back('%');
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 15]);
        }
        else
            out.push_back(static_cast<char>(c));
    }
}

bool is_single_dot(std::string_view s)
{
    return s == "." || text::iequals(s, "%2e");
}
bool is_double_dot(std::string_view s)
{
    return s == ".." || text::iequals(s, ".%2e") || text::iequals(s, "%2e.") || text::iequals(s, "%2e%2e");
}

std::string remove_dot_segments(std::string_view p)
{
    if (p.empty() || p[0] != '/')
        return std::string(p);
    std::vector<std::string_view> segs;
    bool trailing = false;
    std::size_t i = 1;
    for (;;)
    {
        std::size_t j = p.find('/', i);
        bool last = j == std::string_view::npos;
        auto seg = p.substr(i, last ? std::string_view::npos : j - i);
        if (is_double_dot(seg))
        {
            if (!segs.empty())
                segs.pop_back();
            trailing = last;
        }
        else if (is_single_dot(seg))
            trailing = last;
        else
            segs.push_back(seg);
        if (last)
            break;
        i = j + 1;
    }
    std::string out;
    out.reserve(p.size());
    for (auto s : segs)
    {
        out.push_back('/');
        out += s;
    }
    if (trailing || segs.empty())
        out.push_back('/');
    return out;
}

// Splits an already cleaned reference (scheme removed) into encoded pieces and validates with Boost.URL.
bool split_reference(std::string_view s, bool special, bool relative, parts& r)
{
    std::string enc;
    enc.reserve(s.size() + 16);
    std::size_t i = 0;
    if (s.substr(0, 2) == "//")
    {
        r.has_authority = true;
        std::size_t end = s.find_first_of("/?#", 2);
        auto auth = s.substr(2, end == std::string_view::npos ? std::string_view::npos : end - 2);
        auto at = auth.rfind('@');
        if (at != std::string_view::npos)
        {
            r.has_userinfo = true;
            auto ui = auth.substr(0, at);
            auto colon = ui.find(':');
            append_encoded(r.userinfo, ui.substr(0, colon), component::userinfo, special);
            if (colon != std::string_view::npos)
            {
                r.userinfo.push_back(':');
                std::string pw;
                append_encoded(pw, ui.substr(colon + 1), component::userinfo, special);
                for (char c : pw)
                    r.userinfo += c == ':' ? std::string("%3A") : std::string(1, c);
            }
            auth = auth.substr(at + 1);
        }
        // host[:port]; an IPv6 literal keeps its colons.
        std::size_t colon = std::string_view::npos;
        if (!auth.empty() && auth[0] == '[')
        {
            auto close = auth.find(']');
            if (close == std::string_view::npos)
                return false;
            if (close + 1 < auth.size())
            {
                if (auth[close + 1] != ':')
                    return false;
                colon = close + 1;
            }
        }
        else
            colon = auth.rfind(':');
        auto host = auth.substr(0, colon);
        if (host.find(':') != std::string_view::npos && (host.empty() || host[0] != '['))
            return false; // ':' is a forbidden host code point
        if (colon != std::string_view::npos)
        {
            r.has_port = true;
            r.port = std::string(auth.substr(colon + 1));
            for (char c : r.port)
                if (c < '0' || c > '9')
                    return false;
        }
        append_encoded(r.host, host, component::host, special);
        i = end == std::string_view::npos ? s.size() : end;
    }
    std::size_t q = s.find_first_of("?#", i);
    auto path = s.substr(i, q == std::string_view::npos ? std::string_view::npos : q - i);
    append_encoded(r.path, path, component::path, special);
    if (q != std::string_view::npos && s[q] == '?')
    {
        std::size_t h = s.find('#', q);
        r.query.emplace();
        append_encoded(*r.query, s.substr(q + 1, h == std::string_view::npos ? std::string_view::npos : h - q - 1),
                       component::query, special);
        q = h;
    }
    if (q != std::string_view::npos)
    {
        r.fragment.emplace();
        append_encoded(*r.fragment, s.substr(q + 1), component::fragment, special);
    }
    // A relative path whose first segment holds ':' would read as a scheme.
    if (relative && !r.has_authority && !r.path.empty() && r.path[0] != '/')
    {
        auto first = r.path.substr(0, r.path.find('/'));
        if (first.find(':') != std::string::npos)
            r.path.insert(0, "./");
    }

    // Validate the pieces with Boost.URL.
    if (r.has_authority)
    {
        enc += "//";
        if (r.has_userinfo)
            enc += r.userinfo + "@";
        enc += r.host;
        if (r.has_port)
            enc += ":" + r.port;
    }
    enc += r.path;
    if (r.query)
        enc += "?" + *r.query;
    if (r.fragment)
        enc += "#" + *r.fragment;
    if (!relative)
        return boost::urls::parse_uri("x:" + enc).has_value();
    return boost::urls::parse_relative_ref(enc).has_value();
}

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
void append_origin(std::string& out, parts const& t)
{
    out += t.scheme;
    out.push_back(':');
    if (!t.has_authority)
        return;
    out += "//";
    if (t.has_userinfo && !t.userinfo.empty() && t.userinfo != ":")
    {
        std::string_view ui = t.userinfo;
        if (ui.back() == ':')
            ui.remove_suffix(1);
        out += ui;
        out.push_back('@');
    }
    out += t.host;
    if (t.has_port)
    {
        out.push_back(':');
        out += t.port;
    }
}

std::string serialize(parts const& t)
{
    std::string out;
    append_origin(out, t);
    if (!t.has_authority && t.path.starts_with("//"))
        out += "/."; // WHATWG: keeps "//x" from reading as an authority when re-parsed
    out += t.path;
    if (t.query)
    {
        out.push_back('?');
        out += *t.query;
    }
    if (t.fragment)
    {
        out.push_back('#');
        out += *t.fragment;
    }
    return out;
}

void backslashes_to_slashes(std::string& s)
{
    for (char& c : s)
    {
        if (c == '?' || c == '#')
            break;
        if (c == '\\')
            c = '/';
    }
}

// The WHATWG parser, for any input: brings the reference into a form Boost.URL accepts,
// validates, resolves and normalizes.
boost::system::result<std::string> resolve_general(parts const* base, std::string_view reference)
{
    std::string r = clean(reference);
    std::string scheme;
    bool relative = true;
    auto sl = scheme_length(r);
    std::string rest = r;
    if (sl != std::string::npos)
    {
        scheme = r.substr(0, sl);
        for (auto& c : scheme)
            c = text::to_lower(c);
        rest = r.substr(sl + 1);
        relative = false;
        if (is_special_scheme(scheme))
        {
            backslashes_to_slashes(rest);
            if (base && base->scheme == scheme && rest.substr(0, 2) != "//")
                relative = true; // "http:foo" against an http base
            else if (scheme != "file")
            {
                auto first = rest.find_first_not_of('/');
                rest = "//" + rest.substr(first == std::string::npos ? rest.size() : first);
            }
            else if (rest.substr(0, 2) != "//")
                rest = (rest.substr(0, 1) == "/" ? "//" : "///") + rest;
        }
    }
    bool special = is_special_scheme(relative ? (base ? base->scheme : std::string()) : scheme);
    if (relative)
    {
        if (!base)
            return error::bad_url;
        if (special)
        {
            backslashes_to_slashes(rest);
            if (rest.substr(0, 2) == "//" && base->scheme != "file")
            {
                auto first = rest.find_first_not_of('/');
                rest = "//" + rest.substr(first == std::string::npos ? rest.size() : first);
            }
        }
    }
    parts ref;
    if (!split_reference(rest, special, relative, ref))
        return error::bad_url;

    parts t;
    if (!relative)
    {
        t = std::move(ref);
        t.scheme = scheme;
        t.path = remove_dot_segments(t.path);
    }
    else
    {
        bool opaque_base = !base->has_authority && (base->path.empty() || base->path[0] != '/');
        if (opaque_base)
        {
            if (ref.has_authority || !ref.path.empty() || ref.query)
                return error::bad_url;
            t = *base;
            t.fragment = ref.fragment;
            return serialize(t);
        }
        t.scheme = base->scheme;
        if (ref.has_authority)
        {
            t.has_authority = true;
            t.has_userinfo = ref.has_userinfo;
            t.userinfo = ref.userinfo;
            t.host = ref.host;
            t.has_port = ref.has_port;
            t.port = ref.port;
            t.path = remove_dot_segments(ref.path);
            t.query = ref.query;
        }
        else
        {
            t.has_authority = base->has_authority;
            t.has_userinfo = base->has_userinfo;
            t.userinfo = base->userinfo;
            t.host = base->host;
            t.has_port = base->has_port;
            t.port = base->port;
            if (ref.path.empty())
            {
                t.path = base->path;
                t.query = ref.query ? ref.query : base->query;
            }
            else
            {
                if (ref.path[0] == '/')
                    t.path = remove_dot_segments(ref.path);
                else
                {
                    std::string merged;
                    if (base->has_authority && base->path.empty())
                        merged = "/" + ref.path;
                    else
                        merged = base->path.substr(0, base->path.rfind('/') + 1) + ref.path;
                    t.path = remove_dot_segments(merged);
                }
                t.query = ref.query;
            }
        }
        t.fragment = ref.fragment;
    }
    if (!finish_host(t, special) || !finish_port(t))
        return error::bad_url;
    if (special && t.path.empty())
        t.path = "/";
    return serialize(t);
}

// The fast paths: most links on a page are plain relative references ("../os.html#os.stat") or
// URLs weft produced itself, and the general parser would give back exactly what simple string
// work gives. Anything unusual ('%', spaces, backslashes, upper case, hosts that may be IPv4 in
// another notation, explicit default ports...) takes the general path.

enum : unsigned char
{
    in_path = 1,
    in_query = 2,
    in_fragment = 4,
    in_host = 8
};

// The characters that the general parser keeps as they are, per component.
constexpr std::array<unsigned char, 256> plain_chars = []
{
    std::array<unsigned char, 256> t{};
    for (unsigned c = 0; c < 256; ++c)
    {
        bool lower_alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        bool alnum = lower_alnum || (c >= 'A' && c <= 'Z');
        if (alnum || std::string_view("-._~!$&()*+,;=:@/").find(static_cast<char>(c)) != std::string_view::npos)
            t[c] |= in_path | in_query | in_fragment;
        if (c == '\'')
            t[c] |= in_path | in_fragment; // encoded in the query of special schemes
        if (c == '?')
            t[c] |= in_query | in_fragment;
        if (lower_alnum || c == '.' || c == '-' || c == '_')
            t[c] |= in_host;
    }
    return t;
}();

// path ["?" query] ["#" fragment], all of it plain.
bool is_plain_tail(std::string_view s)
{
    unsigned char allowed = in_path;
    for (char ch : s)
    {
        auto c = static_cast<unsigned char>(ch);
        if (c == '?' && allowed == in_path)
            allowed = in_query;
        else if (c == '#' && allowed != in_fragment)
            allowed = in_fragment;
        else if (!(plain_chars[c] & allowed))
            return false;
    }
    return true;
}

bool has_dot_segment(std::string_view path)
{
    for (std::size_t i = 0; i <= path.size();)
    {
        auto j = path.find('/', i);
        auto seg = path.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
        if (seg == "." || seg == "..")
            return true;
        if (j == std::string_view::npos)
            break;
        i = j + 1;
    }
    return false;
}

// 1 to max_digits ASCII digits.
std::optional<unsigned> small_decimal(std::string_view s, std::size_t max_digits)
{
    if (s.empty() || s.size() > max_digits)
        return std::nullopt;
    unsigned v = 0;
    for (char c : s)
    {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    return v;
}

// A lower-case name, or an IPv4 address in dotted-decimal form: what host parsing leaves unchanged.
bool is_plain_host(std::string_view host)
{
    if (host.empty() || host.front() == '.' || host.back() == '.' || host.find("..") != std::string_view::npos)
        return false;
    for (char c : host)
        if (!(plain_chars[static_cast<unsigned char>(c)] & in_host))
            return false;
    auto last = host.substr(host.rfind('.') + 1);
    if (!(last[0] >= '0' && last[0] <= '9'))
        return true; // a name: the IPv4 parser only reads hosts whose last label is a number
    int labels = 0;
    for (std::size_t i = 0; i <= host.size();)
    {
        ++labels;
        auto j = host.find('.', i);
        auto label = host.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
        if (label.size() > 1 && label[0] == '0')
            return false;
        auto v = small_decimal(label, 3);
        if (!v || *v > 255)
            return false;
        if (j == std::string_view::npos)
            break;
        i = j + 1;
    }
    return labels == 4;
}

bool is_plain_port(std::string_view port, std::uint16_t default_port_of_scheme)
{
    if (port.starts_with('0'))
        return false;
    auto v = small_decimal(port, 5);
    return v && *v <= 65535 && *v != default_port_of_scheme;
}

// An http or https URL already in the parser's output form (the parser would return it unchanged).
bool is_normalized_http(std::string_view s)
{
    std::string_view const scheme = s.starts_with("http://") ? "http" : s.starts_with("https://") ? "https" : "";
    if (scheme.empty())
        return false;
    auto const authority_start = scheme.size() + 3;
    auto path_start = s.find_first_of("/?#", authority_start);
    if (path_start == std::string_view::npos || s[path_start] != '/')
        return false; // an empty path becomes "/"
    auto authority = s.substr(authority_start, path_start - authority_start);
    auto colon = authority.find(':');
    if (!is_plain_host(authority.substr(0, colon)))
        return false;
    if (colon != std::string_view::npos && !is_plain_port(authority.substr(colon + 1), default_port(scheme)))
        return false;
    auto tail = s.substr(path_start);
    return is_plain_tail(tail) && !has_dot_segment(tail.substr(0, tail.find_first_of("?#")));
}

// A relative reference without scheme or authority, all of it plain, against an http(s)-like base.
std::optional<std::string> resolve_plain_relative(parts const& base, std::string_view ref)
{
    if (!base.has_authority || base.scheme == "file" || !is_special_scheme(base.scheme) || !base.path.starts_with('/'))
        return std::nullopt;
    // The base's parts are split, not finished: a host such as "a{b" is held percent-encoded.
    if (base.host.find('%') != std::string::npos)
        return std::nullopt;
    if (ref.empty() || ref.starts_with("//") || !is_plain_tail(ref))
        return std::nullopt;
    auto path_end = std::min(ref.find_first_of("?#"), ref.size());
    auto path = ref.substr(0, path_end);
    if (path.substr(0, path.find('/')).find(':') != std::string_view::npos)
        return std::nullopt; // a scheme, or a first segment the general parser prefixes with "./"
    auto rest = ref.substr(path_end);

    std::string out;
    out.reserve(base.scheme.size() + base.host.size() + base.path.size() + ref.size() + 16);
    append_origin(out, base);
    if (path.empty())
    {
        out += base.path;
        if (base.query && !rest.starts_with('?'))
        {
            out.push_back('?');
            out += *base.query;
        }
        out += rest;
        return out;
    }
    auto path_start = out.size();
    if (path[0] != '/')
        out.append(base.path, 0, base.path.rfind('/') + 1);
    out += path;
    if (has_dot_segment(std::string_view(out).substr(path_start)))
    {
        auto merged = remove_dot_segments(std::string_view(out).substr(path_start));
        out.resize(path_start);
        out += merged;
    }
    out += rest;
    return out;
}

boost::system::result<std::string> resolve_impl(parts const* base, std::string_view reference)
{
    if (is_normalized_http(reference))
        return std::string(reference);
    if (base)
        if (auto r = resolve_plain_relative(*base, reference))
            return std::move(*r);
    return resolve_general(base, reference);
}

// Parses an absolute URL into normalized parts.
boost::system::result<parts> parse_parts(std::string_view absolute)
{
    auto s = resolve_impl(nullptr, absolute);
    if (!s)
        return s.error();
    // Re-split the normalized form: cheap and keeps a single code path.
    parts p;
    auto sl = scheme_length(*s);
    p.scheme = s->substr(0, sl);
    if (!split_reference(std::string_view(*s).substr(sl + 1), is_special_scheme(p.scheme), false, p))
        return error::bad_url;
    return p;
}

} // namespace

bool is_special_scheme(std::string_view s) noexcept
{
    return text::iequals(s, "http") || text::iequals(s, "https") || text::iequals(s, "ws") || text::iequals(s, "wss") ||
           text::iequals(s, "ftp") || text::iequals(s, "file");
}

boost::system::result<std::string> parse(std::string_view absolute_url)
{
    return resolve_impl(nullptr, absolute_url);
}

struct base_url::impl
{
    parts p;
    std::string href;
};

boost::system::result<base_url> base_url::make(std::string_view absolute_url)
{
    auto href = resolve_impl(nullptr, absolute_url);
    if (!href)
        return href.error();
    auto b = parse_parts(*href);
    if (!b)
        return b.error();
    auto i = std::make_shared<impl>();
    i->p = std::move(*b);
    i->href = std::move(*href);
    return base_url(std::move(i));
}

boost::system::result<std::string> base_url::resolve(std::string_view reference) const
{
    return resolve_impl(&impl_->p, reference);
}

std::string const& base_url::href() const noexcept
{
    return impl_->href;
}

boost::system::result<std::string> resolve(std::string_view base, std::string_view reference)
{
    if (base.empty())
        return resolve_impl(nullptr, reference);
    auto b = parse_parts(base);
    if (!b)
        return b.error();
    return resolve_impl(&*b, reference);
}

} // namespace weft::url
