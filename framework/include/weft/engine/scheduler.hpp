// weft::engine::scheduler: step 2 of the crawl data path; applies depth, host and URL rules to
// each request and fingerprints the ones it keeps, for the crawl state's seen-set.
#pragma once

#include <weft/engine/fingerprint.hpp>
#include <weft/engine/settings.hpp>
#include <weft/engine/stats.hpp>
#include <weft/spider/request.hpp>
#include <weft/state/crawl_state.hpp>

#include <optional>
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

/// What admit() decided, and the request ready for the crawl state when it was kept.
struct admission
{
    schedule_result result = schedule_result::queued;
    std::optional<state::new_request> request;
};

class scheduler
{
public:
    /// @throws std::invalid_argument naming a regex of settings::allow/deny that does not compile.
    scheduler(settings const& s, stats& st);

    /// Checks `req` (counting a drop in the stats): `queued` and the request with its host and
    /// fingerprint, or why it was dropped. Start requests (`start`) are exempt from the
    /// allow/deny rules and, while no host was allowed explicitly, allow their own host.
    /// Duplicates are for the crawl state to find (async_add); the caller counts them.
    admission admit(weft::request req, bool start = false);

    /// Also allow `host` and its subdomains.
    void allow_host(std::string host);
    bool host_allowed(std::string_view host) const;
    fingerprint_options const& fingerprint_opts() const noexcept { return fp_options_; }

private:
    settings const& settings_;
    stats& stats_;
    std::set<std::string, std::less<>> hosts_;
    bool explicit_hosts_ = false;
    std::vector<std::regex> allow_;
    std::vector<std::regex> deny_;
    fingerprint_options fp_options_;
};

} // namespace weft::engine
