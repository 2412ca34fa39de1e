// weft::chromium::browser_context: an isolated session inside one browser (Puppeteer's
// BrowserContext, made by browser::async_new_context).
#pragma once

#include <weft/async/task.hpp>
#include <weft/chromium/page.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace weft::chromium
{

namespace detail
{
class connection;
}

/// How browser::async_new_context sets a context up.
struct context_options
{
    /// Its pages' proxy, in Chromium's form: "http://host:port", "socks5://host:port" (no
    /// credentials: Chromium takes none there). Empty: the browser's.
    std::string proxy_server;
    /// Hosts that do not go through it, as --proxy-bypass-list: "localhost;*.internal".
    std::string proxy_bypass_list;
    /// Where its pages' downloads go (an existing directory), each under a name Chromium
    /// chooses, as page::async_set_download_dir; page::async_wait_for_download reports them.
    /// Empty: downloads are refused.
    std::string download_dir;
};

/// Pages that share cookies, storage and cache with each other and with nothing else in the
/// browser, as an incognito window: two contexts can be logged in as two users at once.
///
/// Chromium disposes of a context when the connection that made it ends, however it ends: a
/// crawl that attached to a running browser leaves no tabs and no cookies behind in it, even if
/// weft is killed.
///
/// @par Errors
/// As browser: weft::error::timed_out, error::protocol_error, error::browser_closed.
/// @par Lifetimes
/// Move-only handle; destroying it does not close the context: async_close() does (or the end
/// of the connection). Its pages keep working until then.
class browser_context
{
public:
    browser_context(std::shared_ptr<detail::connection> conn, std::string id,
                    std::chrono::milliseconds command_timeout, std::string download_dir = {}) noexcept;
    browser_context(browser_context&&) noexcept;
    browser_context& operator=(browser_context&&) noexcept;
    ~browser_context();

    /// A new tab (about:blank) in this context, set up as browser::async_new_page's.
    task<page> async_new_page();
    /// Every cookie of the context (Storage.getCookies), of all its pages and sites.
    task<std::vector<cookie>> async_cookies();
    /// Sets cookies in the context; each needs `url`, or `domain` and `path`.
    task<void> async_set_cookies(std::vector<cookie> cookies);
    /// Removes every cookie of the context; other contexts keep theirs.
    task<void> async_clear_cookies();
    /// Closes every page of the context and discards its cookies, storage and cache, within
    /// `timeout`. A context already gone (its connection ended) is not an error.
    task<void> async_close(std::chrono::milliseconds timeout = std::chrono::milliseconds(3'000));
    /// Chromium's browserContextId.
    std::string const& id() const noexcept;

private:
    std::shared_ptr<detail::connection> conn_;
    std::string id_;
    std::chrono::milliseconds command_timeout_;
    std::string download_dir_; // context_options::download_dir, absolute
};

} // namespace weft::chromium
