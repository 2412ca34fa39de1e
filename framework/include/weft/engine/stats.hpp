// weft::engine::stats: what a crawl counted (step 9 of the data path).
#pragma once

#include <weft/http/response.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace weft::engine
{

struct stats
{
    std::uint64_t scheduled = 0;          ///< requests accepted by the scheduler
    std::uint64_t filtered_duplicate = 0; ///< already seen
    std::uint64_t filtered_offsite = 0;   ///< host not allowed
    std::uint64_t filtered_depth = 0;     ///< deeper than max_depth
    std::uint64_t filtered_rule = 0;      ///< allow/deny regexes
    std::uint64_t filtered_robots = 0;    ///< robots.txt disallowed
    std::uint64_t bad_urls = 0;           ///< did not parse
    std::uint64_t pages = 0;              ///< requests sent to the fetcher (first attempts and redirect hops)
    std::uint64_t attempts = 0;           ///< every fetch, retries included
    std::uint64_t responses = 0;          ///< final responses handed to a callback
    std::uint64_t retries = 0;
    std::uint64_t redirects = 0;
    std::uint64_t errors = 0;          ///< requests failed after retries
    std::uint64_t callback_errors = 0; ///< exceptions escaping callbacks
    std::uint64_t items = 0;           ///< items that reached the sinks
    std::uint64_t items_dropped = 0;   ///< dropped by a pipeline (nullopt, drop_item, or an exception)
    std::uint64_t item_errors = 0;     ///< of those, dropped by an exception other than drop_item
    std::uint64_t bytes = 0;           ///< body bytes received
    std::uint64_t robots_fetches = 0;
    std::uint64_t cache_hits = 0;
    /// The most response body bytes held at once (settings::max_inflight_body_bytes); this run's,
    /// not merged on resume.
    std::uint64_t inflight_body_bytes_peak = 0;
    std::map<int, std::uint64_t> by_status;
    std::map<std::string, std::uint64_t> errors_by_kind; ///< "timeout", "network", "dns", ...
    /// Rendered pages' own requests by resource type (http::response::subresources).
    std::map<std::string, http::subresource_count> subresources;
    std::map<std::string, std::uint64_t, std::less<>> custom; ///< counted by name by middlewares and extensions
    /// The busiest hosts' politeness at the last snapshot: host, pending, in_flight,
    /// concurrency, delay_ms, backoffs, backoff_ms (not merged on resume: a snapshot).
    nlohmann::json hosts = nlohmann::json::array();

    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point end{};
    double prior_elapsed_s = 0; ///< time spent in earlier runs of a resumed job

    double elapsed_s() const;
    double pages_per_second() const;
    nlohmann::json to_json() const;
    /// Adds `n` to the counter `name`: a member above ("robots_fetches", "cache_hits", "retries",
    /// ...) or else a custom one.
    void add(std::string_view name, std::uint64_t n = 1);
    /// Adds the counters of a saved to_json() (a resumed job).
    void merge_from(nlohmann::json const& j);
    /// Several lines for a user: pages, items, errors, statuses, rate.
    std::string summary() const;
};

} // namespace weft::engine
