// weft::async_wait_for_selector on plain HTTP: re-fetch a page until a CSS selector matches.
//
// The same options and the same error as the browser's page::async_wait_for_selector
// (plugins/fetch_chromium), for pages whose content changes on the server (a report that is
// "still being generated", a queue position) rather than through scripts.
#pragma once

#include <weft/async/task.hpp>
#include <weft/error.hpp>
#include <weft/html/document.hpp>
#include <weft/http/fetcher.hpp>
#include <weft/http/request.hpp>
#include <weft/http/response.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>

namespace weft
{

/// What async_wait_for_selector waits for (Puppeteer's names).
enum class selector_state
{
    attached, ///< an element matches (the default)
    visible,  ///< an element matches and is rendered (browser); as attached on plain HTTP
    hidden,   ///< no element matches, or the one that does is not rendered (browser)
    detached, ///< no element matches
};

/// Options of every async_wait_for_selector. Written inline at a co_await (`{.timeout = 5s}`),
/// so only trivially destructible members (docs/ARCHITECTURE.md, trap 2).
struct wait_for_selector_options
{
    selector_state state = selector_state::attached;
    std::chrono::milliseconds timeout{30'000}; ///< Puppeteer's default; give up after this
    /// Plain HTTP: the first pause between fetches, multiplied by `backoff` after each one, at
    /// most `max_polling`. The browser watches the DOM instead and ignores these.
    std::chrono::milliseconds polling{250};
    double backoff = 1.5;
    std::chrono::milliseconds max_polling{5'000};
};
static_assert(std::is_trivially_destructible_v<wait_for_selector_options>);

/// "attached", "visible", "hidden", "detached".
char const* to_string(selector_state s) noexcept;

/// The fetch whose document satisfied the wait.
struct selector_match
{
    http::response response;
    html::document document;
    /// The first matching element (attached, visible); empty for hidden and detached. Valid as
    /// long as `document` lives (moving the match keeps it valid).
    std::optional<html::element> element;
};

/// Fetches `req` with `f` until `css` reaches `opts.state` in the parsed body, pausing between
/// fetches as `opts` says. A 4xx/5xx response is a document like any other (an error page may
/// be what "not ready yet" looks like).
///
/// @par Errors
/// @li weft::error::selector_timeout (== weft::condition::timeout) when `opts.timeout` passes
///     first; what() names the selector, the state, the URL, the time waited and the attempts.
/// @li weft::error::bad_selector when `css` does not parse: thrown when the task is awaited,
///     before any fetch.
/// @li A transport failure of the fetcher is thrown at once as system_error (it is not retried:
///     wrap the fetcher in a retry policy for that).
/// @par Cancellation
/// Terminal: the fetch in flight or the pause is cancelled; throws operation_aborted.
/// @par Lifetimes
/// `f` must outlive the operation; everything else is copied.
task<selector_match> async_wait_for_selector(http::fetcher& f, http::request req, std::string css,
                                             wait_for_selector_options opts = {});

/// The same, for any condition on the response and its parsed document. `what` names the
/// condition in the timeout message.
task<selector_match>
async_wait_for_document(http::fetcher& f, http::request req,
                        std::function<bool(http::response const&, html::document const&)> predicate,
                        wait_for_selector_options opts = {}, std::string what = "condition");

} // namespace weft
