// weft::middleware::cookie_jar: HTTP cookies as RFC 6265 (with the hardening of 6265bis) keeps them.
//
// One jar serves every host of a crawl, so what one site sets must never reach another:
//   - a cookie without Domain is host-only: sent back to exactly the host that set it;
//   - Domain must domain-match the host that sets it (a.example may set Domain=example, never
//     Domain=victim.example) and must not be a public suffix (Domain=com, Domain=co.uk,
//     Domain=github.io: the Public Suffix List through libpsl); a public suffix equal to the
//     host itself makes the cookie host-only (RFC 6265 §5.3 steps 5-6);
//   - Path defaults to the directory of the request path and is matched per §5.1.4;
//   - Secure cookies are set only by, and sent only to, https URLs (6265bis §5.6 step 8);
//     __Secure- and __Host- name prefixes are enforced;
//   - Max-Age wins over Expires; Max-Age=0 (or an Expires in the past) deletes; no cookie lives
//     longer than 400 days (6265bis);
//   - HttpOnly and SameSite are parsed and kept: a crawler is an HTTP client making top-level
//     requests, so neither stops a cookie from being sent.
// Memory is bounded: at most 180 cookies per domain and 3000 in all (the least recently used go).
//
// Errors: a refused Set-Cookie is not an exception; store() says why in its result.
// Thread safety: none; the cookies middleware uses its jar from the crawl's I/O loop only.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace weft::middleware
{

enum class same_site_policy
{
    unspecified,
    none,
    lax,
    strict,
};

struct cookie
{
    using time_point = std::chrono::system_clock::time_point;

    std::string name;
    std::string value;
    std::string domain; ///< lower case, punycode, no leading dot
    std::string path;   ///< starts with '/'
    bool host_only = true;
    bool secure = false;
    bool http_only = false;
    same_site_policy same_site = same_site_policy::unspecified;
    std::optional<time_point> expires; ///< nullopt: a session cookie (lives as long as the jar)
    time_point creation{};
    time_point last_access{};
};

/// What store() did with a Set-Cookie.
struct store_result
{
    enum class kind
    {
        stored,   ///< added or replaced a cookie
        deleted,  ///< expired on arrival: removed the cookie it names, if any
        rejected, ///< ignored; `reason` says why
    };
    kind what = kind::rejected;
    std::string reason; ///< for rejected: which rule, naming the attribute and the host

    bool stored() const noexcept { return what == kind::stored; }
};

class cookie_jar
{
public:
    using clock = std::chrono::system_clock;

    static constexpr std::size_t max_per_domain = 180;
    static constexpr std::size_t max_total = 3000;

    /// Applies one Set-Cookie header value received in the response to `request_url`.
    store_result store(std::string_view request_url, std::string_view set_cookie, clock::time_point now = clock::now());

    /// The Cookie header value for a request to `request_url` ("a=1; b=2", longer paths first,
    /// then older cookies first), or "" when no cookie matches. Marks the cookies used.
    std::string cookie_header(std::string_view request_url, clock::time_point now = clock::now());

    /// Every unexpired cookie, in no particular order (inspection, tests).
    std::vector<cookie> all(clock::time_point now = clock::now()) const;
    std::size_t size() const noexcept { return total_; }

private:
    void insert(cookie c, clock::time_point now);
    void evict_one_least_recently_used();

    std::unordered_map<std::string, std::vector<cookie>> by_domain_; ///< key: cookie::domain
    std::size_t total_ = 0;
};

/// RFC 6265 §5.1.1: a cookie-date ("Wed, 09 Jun 2021 10:18:14 GMT" and the looser forms
/// servers send); nullopt when it is not one.
std::optional<cookie::time_point> parse_cookie_date(std::string_view s);

/// RFC 6265 §5.1.3: `host` is `domain` or a subdomain of it, and not an IP address.
bool domain_matches(std::string_view host, std::string_view domain) noexcept;

/// RFC 6265 §5.1.4: the default Path of a cookie set by a request for `request_path`.
std::string default_cookie_path(std::string_view request_path);

/// RFC 6265 §5.1.4: a cookie with `cookie_path` is sent to a request for `request_path`.
bool path_matches(std::string_view request_path, std::string_view cookie_path) noexcept;

} // namespace weft::middleware
