#include "resolve_detail.hpp"

#include <weft/url/resolve.hpp>

#include <array>

namespace weft::url::detail
{
namespace
{

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

} // namespace

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

} // namespace weft::url::detail
