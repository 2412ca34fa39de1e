#include <weft/url/canonicalize.hpp>

#include <weft/error.hpp>
#include <weft/text/ascii.hpp>
#include <weft/url/resolve.hpp>

#include "url/canonical_detail.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace weft::url
{
namespace
{

bool is_unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

// Decodes %XX of unreserved characters and upper-cases the hex digits of the others.
void normalize_percent(std::string_view in, std::string& out)
{
    for (std::size_t i = 0; i < in.size(); ++i)
    {
        if (in[i] == '%' && i + 2 < in.size() && text::is_hex_digit(in[i + 1]) && text::is_hex_digit(in[i + 2]))
        {
            auto c = static_cast<unsigned char>(text::hex_value(in[i + 1]) * 16 + text::hex_value(in[i + 2]));
            if (is_unreserved(c))
                out.push_back(static_cast<char>(c));
            else
            {
                out.push_back('%');
                out.push_back(text::to_upper(in[i + 1]));
                out.push_back(text::to_upper(in[i + 2]));
            }
            i += 2;
        }
        else
            out.push_back(in[i]);
    }
}

std::string_view param_name(std::string_view p)
{
    return p.substr(0, p.find('='));
}

} // namespace

bool is_tracking_parameter(std::string_view name) noexcept
{
    static constexpr std::array<std::string_view, 22> exact = {
        "gclid",  "gclsrc",  "dclid",     "gbraid",      "wbraid",     "fbclid", "msclkid", "mc_cid",
        "mc_eid", "yclid",   "igshid",    "twclid",      "ttclid",     "_ga",    "_gl",     "_hsenc",
        "_hsmi",  "mkt_tok", "li_fat_id", "oly_anon_id", "oly_enc_id", "vero_id"};
    auto const lowered = text::lower_copy(name);
    if (lowered.starts_with("utm_"))
        return true;
    return std::find(exact.begin(), exact.end(), lowered) != exact.end();
}

boost::system::result<std::string> canonicalize(std::string_view url, canonical_options options)
{
    auto parsed = parse(url);
    if (!parsed)
        return parsed.error();
    return detail::canonicalize_parsed(*parsed, options);
}

std::string detail::canonicalize_parsed(std::string_view s, canonical_options options)
{
    // parse() output: scheme ":" ["//" authority] path ["?" query] ["#" fragment]; scheme and
    // host are already lower case, the default port gone, dot segments removed.
    auto hash = s.find('#');
    if (hash != std::string_view::npos)
        s = s.substr(0, hash);
    auto qmark = s.find('?');
    if (qmark + 1 == s.size()) // an empty query is dropped
    {
        s.remove_suffix(1);
        qmark = std::string_view::npos;
    }
    bool query_as_is = (!options.sort_query && !options.strip_tracking) || qmark == std::string_view::npos;
    if (query_as_is && s.find('%') == std::string_view::npos && (s.starts_with("http://") || s.starts_with("https://")))
        return std::string(s); // nothing to normalize: parse gave http(s) URLs a path
    std::string_view query = qmark == std::string_view::npos ? std::string_view() : s.substr(qmark + 1);
    std::string_view head = s.substr(0, qmark);

    std::string out;
    out.reserve(s.size());
    auto colon = head.find(':');
    out.append(head.substr(0, colon + 1));
    std::string_view rest = head.substr(colon + 1);
    if (rest.starts_with("//"))
    {
        auto path_start = rest.find('/', 2);
        auto authority = rest.substr(0, path_start);
        normalize_percent(authority, out);
        rest = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
        if (rest.empty())
            out.push_back('/');
    }
    normalize_percent(rest, out);

    if (query.empty())
        return out;
    std::string normalized_query;
    normalize_percent(query, normalized_query);
    if (!options.sort_query && !options.strip_tracking)
    {
        out.push_back('?');
        out += normalized_query;
        return out;
    }
    std::vector<std::string_view> params;
    std::string_view q = normalized_query;
    for (std::size_t i = 0; i <= q.size();)
    {
        auto amp = q.find('&', i);
        auto p = q.substr(i, amp == std::string_view::npos ? std::string_view::npos : amp - i);
        if (!p.empty() && !(options.strip_tracking && is_tracking_parameter(param_name(p))))
            params.push_back(p);
        if (amp == std::string_view::npos)
            break;
        i = amp + 1;
    }
    if (options.sort_query)
        std::stable_sort(params.begin(), params.end(),
                         [](std::string_view a, std::string_view b) { return param_name(a) < param_name(b); });
    for (std::size_t i = 0; i < params.size(); ++i)
    {
        out.push_back(i == 0 ? '?' : '&');
        out += params[i];
    }
    return out;
}

} // namespace weft::url
