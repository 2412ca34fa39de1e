#include <weft/url/resolve.hpp>

#include "resolve_detail.hpp"

#include <weft/error.hpp>
#include <weft/text/ascii.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace weft::url
{
using namespace detail;

namespace
{

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

} // namespace

std::string detail::remove_dot_segments(std::string_view p)
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

namespace
{

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

} // namespace

void detail::append_origin(std::string& out, parts const& t)
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

namespace
{

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
