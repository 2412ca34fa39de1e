// The storage model of RFC 6265 §5.3 and the retrieval of §5.4, bucketed by cookie domain so a
// request looks only at its host's own cookies and its parent domains'.
#include <weft/middleware/cookie_jar.hpp>

#include <weft/text/ascii.hpp>
#include <weft/url/domain.hpp>
#include <weft/url/idna.hpp>
#include <weft/url/resolve.hpp>

#include "middleware/cookie_detail.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>

namespace weft::middleware
{
namespace
{

using namespace std::chrono_literals;

constexpr auto max_lifetime = std::chrono::hours(24 * 400); // 6265bis §5.5: 400 days at most

struct request_target
{
    std::string host; ///< lower case, punycode
    std::string path; ///< without the query
    bool secure = false;
};

std::optional<request_target> target_of(std::string_view url)
{
    auto parsed = url::parse(url);
    if (!parsed)
        return std::nullopt;
    auto v = boost::urls::parse_uri(*parsed);
    if (!v || !v->has_authority() || v->encoded_host().empty())
        return std::nullopt;
    request_target t;
    t.host = std::string(v->encoded_host());
    t.path = std::string(v->encoded_path());
    auto scheme = v->scheme();
    t.secure = scheme == "https" || scheme == "wss";
    return t;
}

store_result rejected(std::string reason)
{
    return {store_result::kind::rejected, std::move(reason)};
}

// Max-Age (§5.2.2): a delta in seconds, <= 0 meaning "already expired"; nullopt: ignore it.
std::optional<cookie::time_point> max_age_expiry(std::string_view v, cookie::time_point now)
{
    if (v.empty() || !(text::is_digit(v.front()) || v.front() == '-'))
        return std::nullopt;
    for (char c : v.substr(1))
        if (!text::is_digit(c))
            return std::nullopt;
    if (v.front() == '-' || v.find_first_not_of('0') == std::string_view::npos)
        return cookie::time_point::min();
    long long seconds = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
    if (ec == std::errc::result_out_of_range || seconds > std::chrono::seconds(max_lifetime).count())
        return now + max_lifetime;
    if (ec != std::errc() || p != v.data() + v.size())
        return std::nullopt;
    return now + std::chrono::seconds(seconds);
}

struct attributes_read
{
    std::optional<std::string> domain; ///< the Domain attribute, lower case, leading dot gone
    std::optional<cookie::time_point> expires, max_age;
};

// §5.2.1-5.2.6 and 6265bis' SameSite: fills `c` and returns what the storage model still needs.
attributes_read read_attributes(detail::set_cookie const& sc, cookie& c, std::string const& default_path,
                                cookie::time_point now)
{
    attributes_read r;
    c.path = default_path;
    for (auto const& [key, value] : sc.attributes)
    {
        if (text::iequals(key, "expires"))
        {
            if (auto t = parse_cookie_date(value))
                r.expires = *t;
        }
        else if (text::iequals(key, "max-age"))
        {
            if (auto t = max_age_expiry(value, now))
                r.max_age = *t;
        }
        else if (text::iequals(key, "domain"))
        {
            std::string_view d = value;
            if (d.starts_with('.'))
                d.remove_prefix(1);
            r.domain = text::lower_copy(d); // the last Domain attribute wins (§5.3 step 4)
        }
        else if (text::iequals(key, "path"))
            c.path = !value.empty() && value.front() == '/' ? value : default_path;
        else if (text::iequals(key, "secure"))
            c.secure = true;
        else if (text::iequals(key, "httponly"))
            c.http_only = true;
        else if (text::iequals(key, "samesite"))
            c.same_site = text::iequals(value, "strict") ? same_site_policy::strict
                          : text::iequals(value, "lax")  ? same_site_policy::lax
                          : text::iequals(value, "none") ? same_site_policy::none
                                                         : same_site_policy::unspecified;
    }
    return r;
}

// §5.3 steps 4-6: the cookie's domain from its Domain attribute, or host-only; "" when accepted.
std::string apply_domain(std::optional<std::string> const& attribute, std::string const& host, cookie& c)
{
    c.host_only = true;
    c.domain = host;
    if (!attribute || attribute->empty())
        return {};
    auto ascii = url::domain_to_ascii(*attribute);
    if (!ascii || ascii->empty() || ascii->ends_with('.'))
        return "Domain=" + *attribute + " is not a host name";
    auto const& domain = *ascii;
    if (url::is_public_suffix(domain))
    {
        if (domain == host)
            return {}; // §5.3 step 5: a host that is a public suffix may set a host-only cookie
        return "Domain=" + domain + " is a public suffix (one site may not set cookies for all of it)";
    }
    if (!domain_matches(host, domain))
        return "Domain=" + domain + " does not domain-match the host " + host + " that set it";
    c.host_only = false;
    c.domain = domain;
    return {};
}

// 6265bis §4.1.3: what the __Secure- and __Host- name prefixes promise.
std::string check_prefixes(cookie const& c, bool domain_attribute)
{
    if (text::istarts_with(c.name, "__Secure-") && !c.secure)
        return "a __Secure- cookie without the Secure attribute";
    if (text::istarts_with(c.name, "__Host-") && (!c.secure || domain_attribute || c.path != "/"))
        return "a __Host- cookie with Domain, without Secure or with a Path other than /";
    return {};
}

bool same_identity(cookie const& a, cookie const& b)
{
    return a.name == b.name && a.domain == b.domain && a.host_only == b.host_only && a.path == b.path;
}

} // namespace

store_result cookie_jar::store(std::string_view request_url, std::string_view set_cookie, clock::time_point now)
{
    auto target = target_of(request_url);
    if (!target)
        return rejected("the response's URL " + std::string(request_url) + " has no host");
    std::string why;
    auto sc = detail::parse_set_cookie(set_cookie, why);
    if (!sc)
        return rejected(why + " (from " + target->host + ")");
    cookie c;
    c.name = std::move(sc->name);
    c.value = std::move(sc->value);
    auto attrs = read_attributes(*sc, c, default_cookie_path(target->path), now);
    if (attrs.max_age)
        c.expires = attrs.max_age;
    else if (attrs.expires)
        c.expires = std::min(*attrs.expires, now + max_lifetime);
    if (auto bad = apply_domain(attrs.domain, target->host, c); !bad.empty())
        return rejected(bad + " (cookie " + c.name + ")");
    if (c.secure && !target->secure)
        return rejected("Secure cookie " + c.name + " set over plain http by " + target->host);
    if (auto bad = check_prefixes(c, attrs.domain && !attrs.domain->empty()); !bad.empty())
        return rejected(bad + " (from " + target->host + ")");
    c.creation = now;
    c.last_access = now;

    auto& bucket = by_domain_[c.domain];
    auto old = std::find_if(bucket.begin(), bucket.end(), [&](cookie const& o) { return same_identity(o, c); });
    if (old != bucket.end())
    {
        // 6265bis §5.7 step 22: plain http may not overwrite a Secure cookie.
        if (old->secure && !target->secure)
            return rejected("cookie " + c.name + " would overwrite a Secure cookie over plain http");
        c.creation = old->creation; // §5.3 step 11.3
        bucket.erase(old);
        --total_;
    }
    if (c.expires && *c.expires <= now)
    {
        if (bucket.empty())
            by_domain_.erase(c.domain);
        return {store_result::kind::deleted, {}};
    }
    insert(std::move(c), now);
    return {store_result::kind::stored, {}};
}

void cookie_jar::insert(cookie c, clock::time_point now)
{
    auto& bucket = by_domain_[c.domain];
    std::erase_if(bucket, [&](cookie const& o) { return o.expires && *o.expires <= now; });
    if (bucket.size() >= max_per_domain)
        bucket.erase(std::min_element(bucket.begin(), bucket.end(), [](cookie const& a, cookie const& b)
                                      { return a.last_access < b.last_access; }));
    bucket.push_back(std::move(c));
    total_ = 0;
    for (auto const& [d, b] : by_domain_)
        total_ += b.size();
    while (total_ > max_total)
        evict_one_least_recently_used();
}

void cookie_jar::evict_one_least_recently_used()
{
    std::vector<cookie>* oldest_bucket = nullptr;
    std::vector<cookie>::iterator oldest;
    for (auto& [d, b] : by_domain_)
        for (auto it = b.begin(); it != b.end(); ++it)
            if (!oldest_bucket || it->last_access < oldest->last_access)
            {
                oldest_bucket = &b;
                oldest = it;
            }
    if (!oldest_bucket)
        return;
    oldest_bucket->erase(oldest);
    --total_;
}

std::string cookie_jar::cookie_header(std::string_view request_url, clock::time_point now)
{
    auto target = target_of(request_url);
    if (!target)
        return {};
    std::vector<cookie*> matched;
    // The host's own bucket, then each parent domain's ("a.b.example" -> "b.example" -> "example").
    std::string_view domain = target->host;
    bool const ip = detail::is_ip_host(domain);
    while (!domain.empty())
    {
        if (auto it = by_domain_.find(std::string(domain)); it != by_domain_.end())
            for (auto& c : it->second)
            {
                bool const host_ok = c.host_only ? c.domain == target->host : domain_matches(target->host, c.domain);
                if (host_ok && path_matches(target->path.empty() ? "/" : target->path, c.path) &&
                    (!c.secure || target->secure) && !(c.expires && *c.expires <= now))
                    matched.push_back(&c);
            }
        auto dot = domain.find('.');
        if (ip || dot == std::string_view::npos)
            break;
        domain.remove_prefix(dot + 1);
    }
    // §5.4 step 2: longer paths first, then earlier creation times.
    std::stable_sort(matched.begin(), matched.end(), [](cookie const* a, cookie const* b)
                     { return a->path.size() != b->path.size() ? a->path.size() > b->path.size()
                                                               : a->creation < b->creation; });
    std::string header;
    for (auto* c : matched)
    {
        c->last_access = now;
        if (!header.empty())
            header += "; ";
        header += c->name;
        header += '=';
        header += c->value;
    }
    return header;
}

std::vector<cookie> cookie_jar::all(clock::time_point now) const
{
    std::vector<cookie> out;
    for (auto const& [d, b] : by_domain_)
        for (auto const& c : b)
            if (!(c.expires && *c.expires <= now))
                out.push_back(c);
    return out;
}

} // namespace weft::middleware
