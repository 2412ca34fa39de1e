// weft::engine::scheduler: step 2 of the crawl data path; fingerprints each request against the
// seen-set, applies depth, host and URL rules, and hands new ones to the frontier.
#pragma once

#include <weft/engine/fingerprint.hpp>
#include <weft/engine/frontier.hpp>
#include <weft/engine/seen_set.hpp>
#include <weft/engine/settings.hpp>
#include <weft/engine/stats.hpp>
#include <weft/spider/request.hpp>

#include <functional>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace weft::engine
{

enum class schedule_result
{
    queued,
    duplicate, ///< its fingerprint was seen (and dont_filter unset)
    offsite,   ///< its host is not allowed
    too_deep,  ///< depth over settings::max_depth
    denied,    ///< an allow/deny regex or url_length_limit dropped it
    bad_url,   ///< not an absolute http(s) URL
};

/// "queued", "duplicate", ...
char const* to_string(schedule_result r) noexcept;

class scheduler
{
public:
    /// Called for each accepted request before it is queued: persists it and returns its row id.
    using persist_fn = std::function<std::int64_t(weft::request const&, fingerprint, std::string const& host)>;

    /// @throws std::invalid_argument naming a regex of settings::allow/deny that does not compile.
    scheduler(settings const& s, seen_set& seen, frontier& f, stats& st);

    /// Schedules `req`. Start requests (`start`) are exempt from the allow/deny rules and, while
    /// no host was allowed explicitly, allow their own host.
    schedule_result schedule(weft::request req, bool start = false);

    /// Also allow `host` and its subdomains.
    void allow_host(std::string host);
    bool host_allowed(std::string_view host) const;
    void set_persist(persist_fn fn) { persist_ = std::move(fn); }
    fingerprint_options const& fingerprint_opts() const noexcept { return fp_options_; }

private:
    settings const& settings_;
    seen_set& seen_;
    frontier& frontier_;
    stats& stats_;
    std::set<std::string, std::less<>> hosts_;
    bool explicit_hosts_ = false;
    std::vector<std::regex> allow_;
    std::vector<std::regex> deny_;
    fingerprint_options fp_options_;
    persist_fn persist_;
};

} // namespace weft::engine
