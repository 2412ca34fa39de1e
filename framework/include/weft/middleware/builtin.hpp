// The built-in downloader middlewares and their default priorities (Scrapy's order):
//
//   100 robots       robots.txt per RFC 9309: one fetch per host (redirects up to 5), cached for
//                    its max age; 4xx allows all, 5xx/unreachable disallows for an hour; a
//                    disallowed request fails with weft::error::robots_disallowed (filtered);
//                    the crawl-delay of the group becomes the host's minimum delay
//   500 user_agent   sets User-Agent when the request has none
//   550 retry        connection errors, timeouts and the retry codes: again after
//                    base x 2^attempt (+-50% jitter), or Retry-After, capped; at most settings::retries
//   590 adaptive_render  settings::render "always": every request rendered; "auto" (or a request's
//                    meta "render": "auto"): an HTML page fetched over HTTP that lacks
//                    render_wait_for or looks built by script is rendered and replaces the HTTP
//                    response; URL patterns learned to need it are rendered without the HTTP fetch
//   600 redirect     3xx with Location: a new request (priority +2, same callback) through the
//                    scheduler, so each hop is de-duplicated; too many hops: too_many_redirects
//   700 cookies      one jar per spider, RFC 6265 (middleware/cookie_jar.hpp): host-only cookies,
//                    Domain checked against the host and the Public Suffix List, Path, Secure,
//                    Expires/Max-Age; counts "cookies_stored" and "cookies_rejected"
//   900 http_cache   settings::http_cache_dir: GET responses under 500 stored on disk and replayed
//
// The names, priorities and enabling settings are set in one table, src/middleware/defaults.cpp.
#pragma once

#include <weft/middleware/middleware.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string_view>

namespace weft::middleware
{

std::unique_ptr<downloader_middleware> make_robots();
std::unique_ptr<downloader_middleware> make_user_agent();
std::unique_ptr<downloader_middleware> make_retry();
std::unique_ptr<downloader_middleware> make_redirect();
std::unique_ptr<downloader_middleware> make_cookies();
std::unique_ptr<downloader_middleware> make_http_cache(std::filesystem::path dir);
std::unique_ptr<downloader_middleware> make_adaptive_render();

/// Installs the built-ins the settings ask for (robots when obey_robots, cookies when cookies,
/// the cache when http_cache_dir is set; user agent, retry and redirect always).
void install_defaults(middleware_chain& chain, engine::settings const& s);

/// Retry-After as a delay: delta-seconds or an HTTP-date; nullopt when absent or unparsable.
std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

/// The backoff before attempt `attempt` + 1 (attempt >= 1): base x 2^(attempt-1) with +-50%
/// jitter, at least `retry_after`, at most `max`.
std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base, std::chrono::milliseconds max,
                                        std::optional<std::chrono::milliseconds> retry_after, std::minstd_rand& rng);

/// True for errors worth another attempt: timeouts, network and DNS failures, a closed connection.
bool is_retryable(error_code ec);

} // namespace weft::middleware
