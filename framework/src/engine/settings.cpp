#include <weft/engine/settings.hpp>

#include <weft/http/proxy.hpp>
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

void settings::set(std::string_view key, std::string_view v)
{
    auto k = text::lower_copy(key);
    if (k == "concurrency" || k == "concurrent_requests")
        concurrency = std::max<std::size_t>(1, to_size(key, v));
    else if (k == "per_host" || k == "concurrent_requests_per_domain")
        per_host = std::max<std::size_t>(1, to_size(key, v));
    else if (k == "delay" || k == "delay_ms")
        delay = ms(key, v);
    else if (k == "download_delay")
        delay = seconds(key, v);
    else if (k == "randomize_delay" || k == "randomize_download_delay")
        randomize_delay = to_bool(key, v);
    else if (k == "autothrottle" || k == "autothrottle_enabled")
        autothrottle.enabled = to_bool(key, v);
    else if (k == "autothrottle_start_delay")
        autothrottle.start_delay = seconds(key, v);
    else if (k == "autothrottle_max_delay")
        autothrottle.max_delay = seconds(key, v);
    else if (k == "autothrottle_target_concurrency")
        autothrottle.target_concurrency = std::max(0.01, to_double(key, v));
    else if (k == "adaptive_concurrency")
        adaptive_concurrency = to_bool(key, v);
    else if (k == "backoff_base" && key == "BACKOFF_BASE")
        backoff_base = seconds(key, v); // Scrapy-style upper-case name: seconds, like DOWNLOAD_DELAY
    else if (k == "backoff_base")
        backoff_base = ms(key, v);
    else if (k == "obey_robots" || k == "robotstxt_obey")
        obey_robots = to_bool(key, v);
    else if (k == "robots_unreachable_limit")
        robots_unreachable_limit = seconds(key, v);
    else if (k == "max_pages" || k == "closespider_pagecount")
        max_pages = to_size(key, v);
    else if (k == "max_depth" || k == "depth_limit")
    {
        auto n = to_int(key, v);
        max_depth = (k == "depth_limit" && n == 0) ? -1 : static_cast<int>(n);
    }
    else if (k == "url_length_limit" || k == "urllength_limit")
        url_length_limit = to_size(key, v);
    else if (k == "allowed_hosts" || k == "allowed_domains")
        allowed_hosts = list(v);
    else if (k == "also_allowed_hosts")
        also_allowed_hosts = list(v);
    else if (k == "allow")
        allow.emplace_back(v);
    else if (k == "deny")
        deny.emplace_back(v);
    else if (k == "timeout")
        timeout = seconds(key, v);
    else if (k == "download_timeout")
        timeout = seconds(key, v);
    else if (k == "retries" || k == "retry_times")
        retries = static_cast<int>(to_size(key, v));
    else if (k == "retry_enabled")
        retries = to_bool(key, v) ? std::max(retries, 2) : 0;
    else if (k == "retry_codes" || k == "retry_http_codes")
    {
        retry_codes.clear();
        for (auto const& c : list(v))
            retry_codes.push_back(static_cast<int>(to_int(key, c)));
    }
    else if (k == "retry_base_delay")
        retry_base_delay = ms(key, v);
    else if (k == "retry_max_delay")
        retry_max_delay = ms(key, v);
    else if (k == "max_redirects" || k == "redirect_max_times")
        max_redirects = static_cast<int>(to_size(key, v));
    else if (k == "fetcher")
        fetcher = std::string(v);
    else if (k == "render_fetcher")
        render_fetcher = std::string(v);
    else if (k == "lease" || k == "lease_duration")
        lease_duration = seconds(key, v);
    else if (k == "item_buffer")
        item_buffer = std::max<std::size_t>(1, to_size(key, v));
    else if (k == "user_agent")
        user_agent = std::string(v);
    else if (k == "proxy" || k == "http_proxy")
    {
        proxies.clear();
        if (!v.empty())
            proxies.push_back(std::string(v));
        proxies = checked_proxies(key, std::move(proxies));
    }
    else if (k == "proxies" || k == "rotating_proxy_list")
        proxies = checked_proxies(key, list(v));
    else if (k == "cookies" || k == "cookies_enabled")
        cookies = to_bool(key, v);
    else if (k == "http_cache_dir" || k == "httpcache_dir")
        http_cache_dir = std::string(v);
    else if (k == "max_body_size" || k == "download_maxsize")
        max_body_size = to_size(key, v);
    else if (k == "job_dir" || k == "jobdir")
        job_dir = std::string(v);
    else if (k == "frontier")
        frontier = std::string(v);
    else if (k == "metrics")
    {
        if (!v.empty())
            (void)detail::parse_listen_address(v); // std::invalid_argument saying what is expected
        metrics = std::string(v);
    }
    else if (k == "crawl_id")
        crawl_id = std::string(v);
    else if (k == "frontier_memory_limit")
        frontier_memory_limit = std::max<std::size_t>(1, to_size(key, v));
    else if (k == "parse_workers")
        parse_workers = to_size(key, v);
    else if (k == "max_error_ratio")
        max_error_ratio = to_double(key, v);
    else if (k == "sink_flush_interval")
        sink_flush_interval = ms(key, v);
    else if (k == "progress")
        progress = to_bool(key, v);
    else if (k == "progress_interval")
        progress_interval = ms(key, v);
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
        {"timeout_ms", timeout.count()},
        {"retries", retries},
        {"retry_codes", retry_codes},
        {"max_redirects", max_redirects},
        {"fetcher", fetcher},
        {"render_fetcher", render_fetcher},
        {"lease_ms", effective_lease().count()},
        {"user_agent", user_agent},
        {"proxies", redacted(proxies)},
        {"cookies", cookies},
        {"job_dir", job_dir.string()},
        {"frontier", http::redact_credentials(frontier)},
        {"metrics", metrics},
        {"crawl_id", crawl_id},
        {"parse_workers", parse_workers},
        {"extra", extra},
    };
}

} // namespace weft::engine
