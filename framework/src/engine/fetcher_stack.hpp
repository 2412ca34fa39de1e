// The crawl's fetcher as the downloader sees it (step 5 of docs/ARCHITECTURE.md): the fetcher
// the settings name, wrapped by
//   - proxy failover: with two proxies or more, each attempt takes the next one, and one that
//     cannot be reached (network or DNS failure) is failed over to the next at once and backed
//     off (engine/proxy_rotation.hpp); the proxy is set on the attempt's copy only, so a job
//     directory keeps none;
//   - render routing: a request whose meta "render" is true goes to settings::render_fetcher
//     (made on the first such request), unless the crawl's own fetcher is that one; when it is,
//     a request whose meta "render" is false (robots.txt) goes to the default HTTP fetcher;
//   - recording (settings::record_warc), around all of the above (engine/warc_fetchers.hpp).
// With settings::replay_warc the stack is the replay fetcher alone: nothing reaches the network.
// So the engine names no fetcher: it asks for the stack.
#pragma once

#include <weft/engine/settings.hpp>
#include <weft/http/fetcher.hpp>

#include <functional>
#include <memory>
#include <string>

namespace weft::engine::detail
{

using log_fn = std::function<void(std::string const&)>;

/// The crawl's fetch options from its settings (timeouts, user agent, first proxy, limits).
http::fetch_options fetch_options_for(settings const& s);

/// `base` (nullptr: made by name from settings::fetcher) wrapped as above.
std::unique_ptr<http::fetcher> make_fetcher_stack(executor ex, settings const& s, std::unique_ptr<http::fetcher> base,
                                                  log_fn log);

} // namespace weft::engine::detail
