// weft::engine::settings: every knob of a crawl, with Scrapy-like defaults.
#pragma once

#include <weft/html/parser.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace weft::engine
{

using namespace std::chrono_literals;

/// Scrapy's AutoThrottle: per host, target delay = latency / target_concurrency; the new delay
/// is max(target, (old + target) / 2), clamped to [settings::delay, max_delay]; a non-2xx
/// response never lowers it.
struct autothrottle_settings
{
    bool enabled = false;
    std::chrono::milliseconds start_delay = 5s;
    std::chrono::milliseconds max_delay = 60s;
    double target_concurrency = 1.0;
};

/// One per core but one (the I/O loop's); 0 on a single core.
std::size_t default_parse_workers();

struct settings
{
    // --- concurrency and politeness ---
    std::size_t concurrency = 16;          ///< requests in flight overall (CONCURRENT_REQUESTS)
    std::size_t per_host = 8;              ///< requests in flight per host (CONCURRENT_REQUESTS_PER_DOMAIN)
    std::chrono::milliseconds delay = 0ms; ///< between two request starts on one host (DOWNLOAD_DELAY)
    bool randomize_delay = true;           ///< uniform(0.5, 1.5) x delay
    autothrottle_settings autothrottle;
    /// Per-host concurrency adapts (AIMD, state/host_controller.hpp): halved on 429/503,
    /// failures and climbing latency, raised by one after as many good responses, up to per_host.
    bool adaptive_concurrency = true;
    /// A 429/503 without Retry-After holds its host for base, 2 base, 4 base ... up to
    /// retry_max_delay; a good response starts over at base.
    std::chrono::milliseconds backoff_base = 1000ms;
    bool obey_robots = true; ///< robots.txt (RFC 9309), one fetch per host, cached
    /// How long at least a host's robots.txt may stay unreachable (5xx, 429, no response) before
    /// its requests fail with "robots.txt unreachable: CAUSE" (a job directory keeps them for the
    /// next run; the crawl exits 1); they fail only once the crawl has nothing else to do, too.
    /// Until then they wait: the file is fetched again after backoff_base, doubling up to
    /// retry_max_delay. Set in seconds (robots_unreachable_limit=600).
    std::chrono::milliseconds robots_unreachable_limit = 600s;

    // --- scope ---
    std::uint64_t max_pages = 0;            ///< stop after this many fetches (0: no limit)
    int max_depth = -1;                     ///< drop requests deeper than this (-1: no limit)
    std::vector<std::string> allowed_hosts; ///< empty: the start requests' hosts; subdomains included
    std::vector<std::string> also_allowed_hosts; ///< besides those (--allow-host); subdomains included
    std::vector<std::string> allow;         ///< URL regexes a followed link must match (any)
    std::vector<std::string> deny;          ///< URL regexes that drop a followed link
    std::size_t url_length_limit = 2083;    ///< drop followed links longer than this (0: no limit)
    /// De-duplication sees `?b=2&a=1` and `?a=1&b=2` as one URL (the fingerprint's canonical URL
    /// sorts the query parameters by name, as Scrapy's fingerprint does). The request itself
    /// keeps its order.
    bool fingerprint_sort_query = true;
    /// De-duplication ignores tracking parameters (utm_*, fbclid, gclid, ...:
    /// weft::url::is_tracking_parameter). The request itself keeps them.
    bool fingerprint_strip_tracking = true;

    // --- requests ---
    std::chrono::milliseconds timeout = 60s; ///< per attempt, whole transfer
    int retries = 2;                         ///< extra attempts (RETRY_TIMES)
    std::vector<int> retry_codes{408, 429, 500, 502, 503, 504, 522, 524};
    std::chrono::milliseconds retry_base_delay = 500ms; ///< backoff base: base x 2^attempt, +-50% jitter
    std::chrono::milliseconds retry_max_delay = 60s;    ///< cap, Retry-After included
    int max_redirects = 10;
    std::string fetcher; ///< "curl", "beast"; empty: the default
    std::string render_fetcher = "chromium"; ///< where requests with meta "render" go ("": nowhere)
    /// Which pages are rendered by render_fetcher: "requested" (those whose request asks: meta
    /// "render" true, or "auto" for that request alone), "auto" (every page is fetched over HTTP
    /// first and rendered only when it lacks what is needed: render_wait_for, else it looks built
    /// by script; learned per host and URL pattern, docs/ARCHITECTURE.md "Adaptive rendering"), or
    /// "always" (every page; robots.txt stays plain HTTP).
    std::string render = "requested";
    /// With render "auto": a CSS selector the pages worth rendering have; an HTTP page without it
    /// is rendered and the render waits for it up to render_wait_timeout; a page that still lacks
    /// it is kept as served (a list page, say), not failed. A request's meta "wait_for" wins, and
    /// is strict (its render fails on timeout). Empty: the detector decides.
    std::string render_wait_for;
    std::chrono::milliseconds render_wait_timeout = 3s;
    /// Resource types a rendered page does not load (meta "block" of every request that has none:
    /// "images", "fonts", "media", "stylesheets", "scripts", "xhr", "fetch", "other").
    std::vector<std::string> render_block;
    std::string user_agent = "weft/0.1 (+https://github.com/weft)";
    /// Proxies the requests go through, in turn, an unreachable one failed over and backed off
    /// (proxy_rotation.hpp): "http://[user:pw@]host:port", https://, socks5:// (socks5h://: the
    /// proxy resolves names), socks4://. A request's meta "proxy" overrides them; rendered pages
    /// use the first. Empty: none.
    std::vector<std::string> proxies;
    bool cookies = true;
    std::filesystem::path http_cache_dir; ///< a directory: responses cached on disk (dev mode)
    std::size_t max_body_size = 64u << 20;
    /// The body bytes all responses being downloaded, decoded or parsed may hold at once: past
    /// it, new fetches wait (and a response that would pass it is fetched again once there is
    /// room); a body larger than it proceeds alone. 256 MiB: four bodies of the default
    /// max_body_size. 0: no limit.
    std::size_t max_inflight_body_bytes = 256u << 20;
    /// Verify TLS certificates and host names (`verify_tls=false`, `weft crawl -k`: accept any,
    /// self-signed included; the CLI warns once).
    bool verify_tls = true;

    // --- engine ---
    /// The lowest level of the spider's own log lines that is printed (spider::log(): "debug",
    /// "info", "warning", "error"; `weft crawl -q`: warning).
    std::string log_level = "info";
    std::filesystem::path job_dir;                      ///< persist frontier, seen-set and stats (resume)
    /// A shared crawl state (`--frontier redis://host:port/db`): every process with the same
    /// frontier and crawl_id works on one crawl (<weft/state/backend_registry.hpp>). Empty: local.
    std::string frontier;
    std::string crawl_id = "default"; ///< names the crawl in a shared frontier (`--crawl-id`)
    std::size_t frontier_memory_limit = 50'000;         ///< queued requests kept in memory; more spill to disk
    /// Threads that build pages' DOM and link scan ahead of callbacks, beside the I/O loop (0:
    /// inline on the loop). Default: one per core but the loop's (1.7x pages/s on 2 cores,
    /// bench/README.md).
    std::size_t parse_workers = default_parse_workers();
    /// `-s html_parser=weft|gumbo|auto`: what builds pages' DOM (response::document()): weft's own
    /// HTML5 tree builder (the default, ~5x gumbo's speed, the same trees on every page it was
    /// tested on) or gumbo-parser 0.10. auto: the process default (WEFT_HTML_PARSER, html/parser.hpp).
    html::parser html_parser = html::parser::automatic;
    double max_error_ratio = 0.5;                       ///< exit code 1 when errors / outcomes is above this
    std::chrono::milliseconds sink_flush_interval = 1s; ///< group commit of sinks (and the job)
    std::size_t item_buffer = 20'000; ///< items waiting for the sinks before callbacks wait (backpressure)
    /// How long a worker holds a request before the crawl state gives it to another (`--lease`);
    /// 0: timeout + 60 s. A live worker extends its leases; only a dead one lets them expire.
    std::chrono::milliseconds lease_duration = 0ms;
    bool progress = true;                               ///< a progress line on stderr
    /// "HOST:PORT": serve the crawl's metrics in Prometheus' text format at
    /// http://HOST:PORT/metrics (`--metrics`; port 0: one the OS picks, said on stderr). Empty: none.
    std::string metrics;
    /// Write every request and response of the crawl to this WARC 1.1 file, one gzip member per
    /// record (`--record`, docs/ARCHITECTURE.md "Record and replay"). Empty: none.
    std::filesystem::path record_warc;
    /// Answer every fetch from this WARC file instead of the network (`--replay`); a request it
    /// does not hold fails with weft::error::not_in_archive. Empty: fetch from the network.
    std::filesystem::path replay_warc;
    std::chrono::milliseconds progress_interval = 0ms;  ///< 0: 1 s on a TTY, 10 s otherwise

    /// `-s KEY=VALUE` that are not engine settings, for the spider (spider::setting) and plugins.
    /// `weft crawl` accepts only keys declared with WEFT_SETTING (<weft/engine/setting_keys.hpp>).
    nlohmann::json extra = nlohmann::json::object();

    /// Sets a setting by name: the field names above ("per_host", "delay" in ms, "autothrottle",
    /// "autothrottle_max_delay", "adaptive_concurrency", "backoff_base" in ms...) or Scrapy's
    /// (CONCURRENT_REQUESTS, DOWNLOAD_DELAY in seconds, ROBOTSTXT_OBEY, DEPTH_LIMIT,
    /// CLOSESPIDER_PAGECOUNT, RETRY_TIMES, USER_AGENT, ...; BACKOFF_BASE, in capitals, is in
    /// seconds like DOWNLOAD_DELAY). Other keys go to `extra`.
    /// @throws std::invalid_argument naming the key for a value that does not parse.
    void set(std::string_view key, std::string_view value);
    /// The settings as JSON, passwords redacted (proxies, frontier).
    nlohmann::json to_json() const;
    /// lease_duration, or its default when 0.
    std::chrono::milliseconds effective_lease() const;
};

/// Every name settings::set parses itself (lower case, sorted, Scrapy's aliases included): the
/// rows of its table in settings.cpp, the one place a built-in setting is declared.
std::vector<std::string> builtin_setting_names();

} // namespace weft::engine
