#include <weft/engine/settings.hpp>

#include <weft/http/proxy.hpp>
#include <weft/spider/spider_tools.hpp>
#include <weft/text/ascii.hpp>

#include "engine/metrics_server.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <thread>

namespace weft::engine
{

std::size_t default_parse_workers()
{
    auto const cores = std::thread::hardware_concurrency();
    return cores > 1 ? cores - 1 : 0;
}
namespace
{

[[noreturn]] void bad(std::string_view key, std::string_view value, char const* expected)
{
    throw std::invalid_argument("setting " + std::string(key) + "=" + std::string(value) + ": expected " + expected);
}

long long to_int(std::string_view key, std::string_view v)
{
    long long out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc() || p != v.data() + v.size())
        bad(key, v, "an integer");
    return out;
}

double to_double(std::string_view key, std::string_view v)
{
    try
    {
        std::size_t used = 0;
        double d = std::stod(std::string(v), &used);
        if (used != v.size())
            bad(key, v, "a number");
        return d;
    }
    catch (std::invalid_argument const&)
    {
        bad(key, v, "a number");
    }
    catch (std::out_of_range const&)
    {
        bad(key, v, "a number");
    }
}

bool to_bool(std::string_view key, std::string_view v)
{
    auto l = text::lower_copy(v);
    if (l == "1" || l == "true" || l == "yes" || l == "on")
        return true;
    if (l == "0" || l == "false" || l == "no" || l == "off")
        return false;
    bad(key, v, "true or false");
}

std::size_t to_size(std::string_view key, std::string_view v)
{
    auto n = to_int(key, v);
    if (n < 0)
        bad(key, v, "a non-negative integer");
    return static_cast<std::size_t>(n);
}

std::chrono::milliseconds ms(std::string_view key, std::string_view v)
{
    auto d = to_double(key, v);
    if (d < 0)
        bad(key, v, "a non-negative duration");
    return std::chrono::milliseconds(static_cast<long long>(d));
}

std::chrono::milliseconds seconds(std::string_view key, std::string_view v)
{
    auto d = to_double(key, v);
    if (d < 0)
        bad(key, v, "a non-negative duration");
    return std::chrono::milliseconds(static_cast<long long>(d * 1000));
}

// Proxy URLs libcurl speaks; the message of a bad one names the setting, not the password.
std::vector<std::string> checked_proxies(std::string_view key, std::vector<std::string> urls)
{
    try
    {
        for (auto& u : urls)
            u = http::checked_proxy_url(u);
    }
    catch (std::invalid_argument const& e)
    {
        throw std::invalid_argument("setting " + std::string(key) + ": " + e.what());
    }
    return urls;
}

std::vector<std::string> redacted(std::vector<std::string> urls)
{
    for (auto& u : urls)
        u = http::redact_credentials(u);
    return urls;
}

std::vector<std::string> list(std::string_view v)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= v.size())
    {
        auto comma = v.find(',', start);
        auto part = v.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (!part.empty())
            out.emplace_back(part);
        if (comma == std::string_view::npos)
            break;
        start = comma + 1;
    }
    return out;
}

} // namespace

namespace
{

// The settings `-s KEY=VALUE` knows: every name of a row is accepted (case-insensitive), and
// this table is the one list of them (setting_names(), the "did you mean" of an unknown key).
// A new setting is a new row.
struct setting_rule
{
    std::vector<char const*> names;
    void (*apply)(settings& s, std::string_view key, std::string_view v);
};

std::vector<setting_rule> const& rules()
{
    using S = settings;
    using K = std::string_view;
    static std::vector<setting_rule> const table{
        {{"concurrency", "concurrent_requests"},
         [](S& s, K key, K v) { s.concurrency = std::max<std::size_t>(1, to_size(key, v)); }},
        {{"per_host", "concurrent_requests_per_domain"},
         [](S& s, K key, K v) { s.per_host = std::max<std::size_t>(1, to_size(key, v)); }},
        {{"delay", "delay_ms"}, [](S& s, K key, K v) { s.delay = ms(key, v); }},
        {{"download_delay"}, [](S& s, K key, K v) { s.delay = seconds(key, v); }},
        {{"randomize_delay", "randomize_download_delay"},
         [](S& s, K key, K v) { s.randomize_delay = to_bool(key, v); }},
        {{"autothrottle", "autothrottle_enabled"}, [](S& s, K key, K v) { s.autothrottle.enabled = to_bool(key, v); }},
        {{"autothrottle_start_delay"}, [](S& s, K key, K v) { s.autothrottle.start_delay = seconds(key, v); }},
        {{"autothrottle_max_delay"}, [](S& s, K key, K v) { s.autothrottle.max_delay = seconds(key, v); }},
        {{"autothrottle_target_concurrency"},
         [](S& s, K key, K v) { s.autothrottle.target_concurrency = std::max(0.01, to_double(key, v)); }},
        {{"adaptive_concurrency"}, [](S& s, K key, K v) { s.adaptive_concurrency = to_bool(key, v); }},
        // Scrapy-style upper-case BACKOFF_BASE is in seconds, like DOWNLOAD_DELAY; backoff_base in ms.
        {{"backoff_base"},
         [](S& s, K key, K v) { s.backoff_base = key == "BACKOFF_BASE" ? seconds(key, v) : ms(key, v); }},
        {{"obey_robots", "robotstxt_obey"}, [](S& s, K key, K v) { s.obey_robots = to_bool(key, v); }},
        {{"robots_unreachable_limit"}, [](S& s, K key, K v) { s.robots_unreachable_limit = seconds(key, v); }},
        {{"max_pages", "closespider_pagecount"}, [](S& s, K key, K v) { s.max_pages = to_size(key, v); }},
        {{"max_depth", "depth_limit"},
         [](S& s, K key, K v)
         {
             auto n = to_int(key, v);
             s.max_depth = (text::lower_copy(key) == "depth_limit" && n == 0) ? -1 : static_cast<int>(n);
         }},
        {{"url_length_limit", "urllength_limit"}, [](S& s, K key, K v) { s.url_length_limit = to_size(key, v); }},
        {{"fingerprint_sort_query"}, [](S& s, K key, K v) { s.fingerprint_sort_query = to_bool(key, v); }},
        {{"fingerprint_strip_tracking"}, [](S& s, K key, K v) { s.fingerprint_strip_tracking = to_bool(key, v); }},
        {{"allowed_hosts", "allowed_domains"}, [](S& s, K, K v) { s.allowed_hosts = list(v); }},
        {{"also_allowed_hosts"}, [](S& s, K, K v) { s.also_allowed_hosts = list(v); }},
        {{"allow"}, [](S& s, K, K v) { s.allow.emplace_back(v); }},
        {{"deny"}, [](S& s, K, K v) { s.deny.emplace_back(v); }},
        {{"timeout", "download_timeout"}, [](S& s, K key, K v) { s.timeout = seconds(key, v); }},
        {{"retries", "retry_times"}, [](S& s, K key, K v) { s.retries = static_cast<int>(to_size(key, v)); }},
        {{"retry_enabled"}, [](S& s, K key, K v) { s.retries = to_bool(key, v) ? std::max(s.retries, 2) : 0; }},
        {{"retry_codes", "retry_http_codes"},
         [](S& s, K key, K v)
         {
             s.retry_codes.clear();
             for (auto const& c : list(v))
                 s.retry_codes.push_back(static_cast<int>(to_int(key, c)));
         }},
        {{"retry_base_delay"}, [](S& s, K key, K v) { s.retry_base_delay = ms(key, v); }},
        {{"retry_max_delay"}, [](S& s, K key, K v) { s.retry_max_delay = ms(key, v); }},
        {{"max_redirects", "redirect_max_times"},
         [](S& s, K key, K v) { s.max_redirects = static_cast<int>(to_size(key, v)); }},
        {{"fetcher"}, [](S& s, K, K v) { s.fetcher = std::string(v); }},
        {{"render_fetcher"}, [](S& s, K, K v) { s.render_fetcher = std::string(v); }},
        {{"render"},
         [](S& s, K key, K v)
         {
             if (v != "requested" && v != "auto" && v != "always")
                 bad(key, v, "requested, auto or always");
             s.render = std::string(v);
         }},
        {{"render_wait_for"}, [](S& s, K, K v) { s.render_wait_for = std::string(v); }},
        {{"render_wait_timeout"}, [](S& s, K key, K v) { s.render_wait_timeout = seconds(key, v); }},
        {{"render_block"}, [](S& s, K, K v) { s.render_block = list(v); }},
        {{"lease", "lease_duration"}, [](S& s, K key, K v) { s.lease_duration = seconds(key, v); }},
        {{"item_buffer"}, [](S& s, K key, K v) { s.item_buffer = std::max<std::size_t>(1, to_size(key, v)); }},
        {{"user_agent"}, [](S& s, K, K v) { s.user_agent = std::string(v); }},
        {{"proxy", "http_proxy"},
         [](S& s, K key, K v)
         {
             std::vector<std::string> p;
             if (!v.empty())
                 p.emplace_back(v);
             s.proxies = checked_proxies(key, std::move(p));
         }},
        {{"proxies", "rotating_proxy_list"}, [](S& s, K key, K v) { s.proxies = checked_proxies(key, list(v)); }},
        {{"cookies", "cookies_enabled"}, [](S& s, K key, K v) { s.cookies = to_bool(key, v); }},
        {{"http_cache_dir", "httpcache_dir"}, [](S& s, K, K v) { s.http_cache_dir = std::string(v); }},
        {{"max_body_size", "download_maxsize"}, [](S& s, K key, K v) { s.max_body_size = to_size(key, v); }},
        {{"max_inflight_body_bytes"}, [](S& s, K key, K v) { s.max_inflight_body_bytes = to_size(key, v); }},
        {{"verify_tls"}, [](S& s, K key, K v) { s.verify_tls = to_bool(key, v); }},
        {{"log_level"},
         [](S& s, K key, K v)
         {
             weft::log_level level{};
             if (!parse_log_level(v, level))
                 bad(key, v, "debug, info, warning or error");
             s.log_level = std::string(v);
         }},
        {{"job_dir", "jobdir"}, [](S& s, K, K v) { s.job_dir = std::string(v); }},
        {{"frontier"}, [](S& s, K, K v) { s.frontier = std::string(v); }},
        {{"metrics"},
         [](S& s, K, K v)
         {
             if (!v.empty())
                 (void)detail::parse_listen_address(v); // std::invalid_argument saying what is expected
             s.metrics = std::string(v);
         }},
        {{"crawl_id"}, [](S& s, K, K v) { s.crawl_id = std::string(v); }},
        {{"record_warc"}, [](S& s, K, K v) { s.record_warc = std::string(v); }},
        {{"replay_warc"}, [](S& s, K, K v) { s.replay_warc = std::string(v); }},
        {{"frontier_memory_limit"},
         [](S& s, K key, K v) { s.frontier_memory_limit = std::max<std::size_t>(1, to_size(key, v)); }},
        {{"parse_workers"}, [](S& s, K key, K v) { s.parse_workers = to_size(key, v); }},
        {{"html_parser"},
         [](S& s, K key, K v)
         {
             auto const p = html::parser_from_name(v);
             if (!p)
                 bad(key, v, "weft, gumbo or auto");
             s.html_parser = *p;
         }},
        {{"max_error_ratio"}, [](S& s, K key, K v) { s.max_error_ratio = to_double(key, v); }},
        {{"sink_flush_interval"}, [](S& s, K key, K v) { s.sink_flush_interval = ms(key, v); }},
        {{"progress"}, [](S& s, K key, K v) { s.progress = to_bool(key, v); }},
        {{"progress_interval"}, [](S& s, K key, K v) { s.progress_interval = ms(key, v); }},
    };
    return table;
}

setting_rule const* rule_for(std::string_view key)
{
    auto const k = text::lower_copy(key);
    for (auto const& r : rules())
        for (auto const* n : r.names)
            if (k == n)
                return &r;
    return nullptr;
}

} // namespace

std::vector<std::string> builtin_setting_names()
{
    std::vector<std::string> out;
    for (auto const& r : rules())
        for (auto const* n : r.names)
            out.emplace_back(n);
    std::sort(out.begin(), out.end());
    return out;
}

void settings::set(std::string_view key, std::string_view v)
{
    if (auto const* r = rule_for(key))
        r->apply(*this, key, v);
    else
        extra[std::string(key)] = std::string(v);
}

std::chrono::milliseconds settings::effective_lease() const
{
    if (lease_duration.count() > 0)
        return lease_duration;
    // An attempt, its retries' backoff cap and a margin for the callback: a lease held by a live
    // worker is extended long before this passes.
    return timeout + std::chrono::milliseconds(60'000);
}

nlohmann::json settings::to_json() const
{
    return {
        {"concurrency", concurrency},
        {"per_host", per_host},
        {"delay_ms", delay.count()},
        {"randomize_delay", randomize_delay},
        {"autothrottle", autothrottle.enabled},
        {"adaptive_concurrency", adaptive_concurrency},
        {"backoff_base_ms", backoff_base.count()},
        {"obey_robots", obey_robots},
        {"robots_unreachable_limit_ms", robots_unreachable_limit.count()},
        {"max_pages", max_pages},
        {"max_depth", max_depth},
        {"allowed_hosts", allowed_hosts},
        {"also_allowed_hosts", also_allowed_hosts},
        {"allow", allow},
        {"deny", deny},
        {"url_length_limit", url_length_limit},
        {"fingerprint_sort_query", fingerprint_sort_query},
        {"fingerprint_strip_tracking", fingerprint_strip_tracking},
        {"timeout_ms", timeout.count()},
        {"retries", retries},
        {"retry_codes", retry_codes},
        {"max_redirects", max_redirects},
        {"fetcher", fetcher},
        {"render_fetcher", render_fetcher},
        {"render", render},
        {"render_wait_for", render_wait_for},
        {"render_wait_timeout_ms", render_wait_timeout.count()},
        {"render_block", render_block},
        {"lease_ms", effective_lease().count()},
        {"user_agent", user_agent},
        {"proxies", redacted(proxies)},
        {"cookies", cookies},
        {"max_body_size", max_body_size},
        {"max_inflight_body_bytes", max_inflight_body_bytes},
        {"verify_tls", verify_tls},
        {"log_level", log_level},
        {"job_dir", job_dir.string()},
        {"frontier", http::redact_credentials(frontier)},
        {"metrics", metrics},
        {"record_warc", record_warc.string()},
        {"replay_warc", replay_warc.string()},
        {"crawl_id", crawl_id},
        {"parse_workers", parse_workers},
        {"html_parser",
         html::parser_name(html_parser == html::parser::automatic ? html::default_parser() : html_parser)},
        {"extra", extra},
    };
}

} // namespace weft::engine
