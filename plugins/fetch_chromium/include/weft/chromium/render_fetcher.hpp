// weft::chromium::render_fetcher: a weft::http::fetcher that renders pages in headless Chromium.
#pragma once

#include <weft/chromium/page_pool.hpp>
#include <weft/http/fetcher.hpp>
#include <weft/spider/request.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace weft::chromium
{

/// Renders each request in a page of a page_pool and returns the rendered HTML as the body;
/// registered as "chromium". Status, reason and headers are the main document's (after
/// redirects; Content-Length, Content-Encoding and Transfer-Encoding are dropped: the body is
/// the serialized DOM, UTF-8); final_url is where the navigation ended; subresources counts
/// every request the page made by resource type, the aborted ones among them (crawl stats).
///
/// Per-request settings travel in request::meta() (include <nlohmann/json.hpp>):
/// @li "render": true sends the request here when the crawl's fetcher is another one (the
///     engine keeps one render_fetcher beside it).
/// @li "wait_for": a CSS selector to wait for before the HTML is taken;
///     "wait_for_state": "attached" (default), "visible", "hidden", "detached";
///     "wait_for_timeout_ms": its deadline (default: the request's timeout).
/// @li "wait_until": "load" (default), "domcontentloaded", "networkidle".
/// @li "block": resource types to abort, singular or plural, e.g. ["images", "fonts", "media",
///     "stylesheets"] (known: images, fonts, media, stylesheets, scripts, xhr, fetch, other).
/// @li "screenshot": a file path: a full-page PNG of the page is written there after the
///     actions and the page_script, before the HTML is taken (`weft fetch --screenshot`).
/// @li "abort_urls": URL globs to abort, e.g. ["*/ads/*"].
/// @li "browser_requests": true lets the browser make its own requests, which no page asked
///     for: the site's favicon, prefetches, service workers (by default they are aborted).
/// @li "actions": steps run on the live page after wait_for, in order, before the HTML is
///     taken; persisted with the request (a job directory resumes them):
///     {"click": css}, {"type": css, "text": s}, {"wait_for": css, "state": s, "timeout_ms": n},
///     {"scroll": "bottom"} (or a CSS selector to scroll into view), {"evaluate": js},
///     {"sleep_ms": n}. An unknown step fails the request with error::unsupported.
/// A page_script attached with on_page() runs after the actions.
/// Request headers become the page's extra headers (User-Agent overrides the browser's); only
/// GET is supported (others fail with error::unsupported).
///
/// Launch settings come from the environment: WEFT_CHROMIUM (executable), WEFT_CHROMIUM_PAGES
/// (pool size; default min(max_connections_per_host, 4)), WEFT_CHROMIUM_ENDPOINT (attach to this
/// running browser instead of launching one: "ws://host:port/devtools/browser/<id>" or
/// "http://host:port", as browser::async_connect; WEFT_CHROMIUM is then unused). The browser
/// starts, or is connected to, on the first fetch. fetch_options::proxy is every page's proxy
/// (--proxy-server, or the attached pool's context); an HTTP proxy's user info answers its 407
/// challenges (page::async_authenticate; Chromium takes none in the URL). A request whose meta
/// "proxy" names another, or a SOCKS proxy with credentials, fails with error::unsupported.
///
/// @par Errors
/// A request option above that is not understood (an unknown "block" type, a "screenshot" that is
/// not a path) fails the request before anything is loaded, with weft::error::bad_request_option
/// (condition::client_error) and an error_detail reading 'chromium fetcher: URL: meta "block":
/// unknown resource type ...'; a screenshot that cannot be written, with the system's error.
/// A page that cannot load fails with error::navigation_failed (condition::network) and
/// Chromium's net error in error_detail ("net::ERR_CONNECTION_REFUSED"); the deadline
/// (request timeout, else timeouts.total) with weft::error::timed_out; a wait_for selector that
/// never matches with weft::error::selector_timeout; an endpoint that cannot be reached with
/// error::connect_failed naming it. A browser crash (a lost connection) is retried (page_pool).
/// @par Per-Operation Cancellation
/// terminal: the render is abandoned (its page is closed, not reused); operation_aborted.
/// A coroutine run on the live page of a render, after goto, wait_for and "actions", before the
/// HTML is taken: clicks, typing, scrolling, screenshots. It runs again when the render is
/// retried on a new browser (a crash), so it must own what it uses (capture by value).
using page_script = std::function<task<void>(page&)>;

/// Marks `req` to be rendered (meta "render": true) and attaches `script` to run on its page.
/// The script is a C++ object, not persisted in a job directory: a request resumed from one
/// renders without it; use meta "actions" for steps that must survive a resume.
///
///     co_yield chromium::on_page(res.follow(href), [](chromium::page& p) -> task<void> {
///         co_await p.async_click("#load-more");
///         co_await p.async_wait_for_selector(".row:nth-child(40)");
///     });
http::request on_page(http::request req, page_script script);
weft::request on_page(weft::request req, page_script script);

class render_fetcher final : public http::fetcher
{
public:
    render_fetcher(executor ex, http::fetch_options const& opts);
    render_fetcher(executor ex, http::fetch_options const& opts, launch_options launch, pool_options pool);
    /// Renders in the running Chromium at `endpoint` (page_pool's attaching constructor).
    render_fetcher(executor ex, http::fetch_options const& opts, std::string endpoint, connect_options connect,
                   pool_options pool);
    ~render_fetcher() override;

    std::string_view name() const noexcept override { return "chromium"; }
    executor get_executor() const override;
    http::fetch_options const& options() const noexcept override;
    void shutdown() override;

    page_pool& pool() noexcept;

protected:
    void async_fetch_impl(http::request req, http::body_sink* sink,
                          asio::any_completion_handler<signature> handler) override;

private:
    struct state;
    std::shared_ptr<state> state_;
};

} // namespace weft::chromium
