// weft::engine::robots: robots.txt rules per RFC 9309 (parse, group selection, longest match).
//
// Parsing follows RFC 9309 and Google's reference parser (google/robotstxt):
//   - at most `robots::max_size` (500 KiB) are parsed; content past it, and the line it cuts,
//     are ignored; a UTF-8 BOM is skipped; lines end with CR, LF or CRLF; `#` starts a comment;
//     lines longer than `robots::max_line` bytes are truncated (Google's limit);
//   - keys are case-insensitive; `key: value` or, leniently, `key value`; common typos are
//     accepted as Google does (`useragent`, `user agent`, `dissallow`, `disalow`, `site-map`...);
//   - consecutive `user-agent` lines form one group; a rule line ends the run, so the next
//     `user-agent` starts a new group; rules before any `user-agent` are ignored; several groups
//     naming the same agent are merged;
//   - `sitemap:` lines belong to no group and are collected in order; `crawl-delay:` (not in
//     the RFC, but common) is kept per group.
//
// Matching (`allowed`):
//   - the agent's product token is the leading run of [A-Za-z_-] of the string given ("weft/0.1
//     (+https://x)" -> "weft"); so is a group's `user-agent` value ("Googlebot/2.1" -> "Googlebot");
//   - the group used is the one whose token equals the crawler's token (case-insensitive); else
//     the most specific one whose token is a prefix of the crawler's ending at a `-` or `_`
//     ("googlebot" serves "googlebot-news", as Google documents); else the `*` group; else
//     everything is allowed;
//   - each rule's pattern and the path are compared after percent-encoding normalization (octets
//     outside printable ASCII encoded, %XX of unreserved characters decoded, hex upper-cased);
//     `*` matches any run of octets and a trailing `$` anchors the end; a rule matches a prefix
//     of the path otherwise;
//   - the matching rule with the longest pattern (in octets) wins; `allow` wins a tie; rules with
//     an empty pattern never match; `/robots.txt` itself is always allowed.
//
// Fetching is the caller's job; `robots_from_fetch` maps its outcome to a policy (RFC 9309
// §2.3.1): the caller follows at most `robots::max_redirects` (5) redirects, then calls
// `robots_from_fetch` with the final status (a 3xx left after 5 hops counts as unavailable).
#pragma once

#include <weft/error.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::engine
{

/// Parsed robots.txt rules. Immutable once built; cheap to move, safe to share between threads
/// for reading.
class robots
{
public:
    /// Octets parsed at most (RFC 9309 §2.5: "at least 500 kibibytes").
    static constexpr std::size_t max_size = 500 * 1024;
    /// A line is cut at this many octets (google/robotstxt's 2083 * 8).
    static constexpr std::size_t max_line = 2083 * 8;
    /// Redirects the caller follows when fetching /robots.txt (RFC 9309 §2.3.1.2).
    static constexpr int max_redirects = 5;

    /// Allows everything (also what an empty robots.txt gives).
    robots() = default;

    /// Parses a robots.txt body. Never fails: unparseable lines are skipped.
    static robots parse(std::string_view body);
    /// No rules: every path is allowed (RFC 9309 §2.3.1.3, "unavailable").
    static robots allow_all() { return robots{}; }
    /// Every path but /robots.txt is disallowed (RFC 9309 §2.3.1.4, "unreachable").
    static robots disallow_all();

    /// True when `agent` may fetch `path_and_query` ("/a/b?c=d"; an absolute URL is accepted
    /// too: its path, parameters and query are used, its fragment dropped). An empty path is "/".
    bool allowed(std::string_view agent, std::string_view path_and_query) const;

    /// The `crawl-delay` of the group `agent` obeys, if it has one. Values are seconds, possibly
    /// fractional; negative or unparseable values are ignored; values over one day are clamped.
    std::optional<std::chrono::milliseconds> crawl_delay(std::string_view agent) const;

    /// The `sitemap:` URLs, in file order, as written (resolve relative ones against the
    /// robots.txt URL).
    std::vector<std::string> const& sitemaps() const noexcept { return sitemaps_; }

    /// True when the file had no rule for any agent and the object allows everything.
    bool empty() const noexcept { return groups_.empty() && !disallow_all_; }

    /// The product token `allowed` matches for a user-agent string ("weft/0.1" -> "weft").
    static std::string_view product_token(std::string_view agent) noexcept;

    /// Percent-encoding normalization applied to patterns and paths before comparing.
    static std::string normalize(std::string_view path);

    /// Path, parameters and query of `url` (an absolute URL or already a path); "/" when empty.
    static std::string path_of(std::string_view url);

    struct rule
    {
        std::string pattern; ///< normalized; a trailing `$` kept
        bool allow = false;
    };
    struct group
    {
        std::vector<std::string> agents; ///< product tokens, lower-cased; "*" for the default group
        std::vector<rule> rules;
        std::optional<std::chrono::milliseconds> crawl_delay;
    };

    /// The groups as parsed (merged per agent is done at match time), for tools and tests.
    std::vector<group> const& groups() const noexcept { return groups_; }

private:
    group const* select(std::string_view agent, std::vector<group const*>& out) const;

    std::vector<group> groups_;
    std::vector<std::string> sitemaps_;
    bool disallow_all_ = false;
};

/// What the fetch of /robots.txt gave, and how long to keep the answer (RFC 9309 §2.3.1, §2.4).
struct robots_policy
{
    enum class source
    {
        parsed,      ///< 2xx: the body's rules
        unavailable, ///< 4xx (and a 3xx left after 5 redirects): allow all
        unreachable, ///< 5xx, 429, or no response at all: disallow all
    };

    robots rules;
    source from = source::parsed;
    /// Cache the policy at most this long; then fetch /robots.txt again. 24 h for parsed and
    /// unavailable files (RFC 9309 §2.4); `unreachable_retry` for unreachable ones.
    std::chrono::seconds max_age{24 * 3600};
};

/// How long an "unreachable" disallow-all is cached before the next attempt.
inline constexpr std::chrono::seconds unreachable_retry{3600};

/// The policy for a /robots.txt fetch: `status` is the final HTTP status after the caller
/// followed up to `robots::max_redirects` redirects, or 0 when there was no response (DNS,
/// connection, TLS, timeout). `body` is only read for a 2xx.
///
/// A long-unreachable file (RFC 9309 suggests 30 days) MAY be treated as unavailable; that is the
/// caller's decision, since it alone knows how long the host has been failing.
robots_policy robots_from_fetch(int status, std::string_view body);

/// The error of a request whose host's robots.txt stayed unreachable past
/// settings::robots_unreachable_limit: it was not fetched, and is given up for this run only (a
/// job directory keeps it for the next). Category "weft.robots"; condition::network.
error_code robots_unreachable_error() noexcept;

} // namespace weft::engine
