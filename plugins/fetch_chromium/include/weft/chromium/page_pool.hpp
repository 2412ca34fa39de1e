// weft::chromium::page_pool: at most N open pages on one browser, restarted when it dies or hangs.
#pragma once

#include <weft/async/task.hpp>
#include <weft/chromium/browser.hpp>
#include <weft/chromium/error.hpp>
#include <weft/chromium/page.hpp>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

namespace weft::chromium
{

struct pool_options
{
    std::size_t max_pages = 4; ///< pages open (leased or idle) at most
    int max_attempts = 3;      ///< tries of one async_run job when the browser dies under it
    /// A browser that does not answer a ping within ping_timeout is hung: it is killed (an
    /// attached one: disconnected from), its jobs fail with browser_closed and are retried on a
    /// new one (a new connection). 0 disables the watchdog.
    std::chrono::milliseconds ping_interval{5'000};
    std::chrono::milliseconds ping_timeout{5'000};
    /// How long async_acquire waits for a free page (or a launch) before weft::error::timed_out.
    /// (A launch or connection has its own deadline: launch_timeout, connect_timeout.)
    std::chrono::milliseconds acquire_timeout{60'000};
};
static_assert(std::is_trivially_destructible_v<pool_options>);

namespace detail
{
struct pool_impl;
}

/// Pages of one Chromium, launched on first use or, given an endpoint, attached to on first use
/// (browser::async_connect: a browser farm, browserless, a Chromium someone started with
/// --remote-debugging-port), shared by concurrent jobs.
///
/// The browser is relaunched when it has died (process exit, noticed at once) or hung (a ping
/// that times out; the hung process is killed). An attached browser is connected to again when
/// the connection ended (the socket closed, the browser exited) or the browser hung (weft
/// disconnects; nothing is killed). async_run retries a job that failed because its browser or
/// page went away (error::browser_closed, error::page_closed) on a page of the new browser, up
/// to max_attempts times, so the work is not lost.
///
/// A page keeps its state (cookies, extra headers, filter, user agent) between leases.
///
/// @par Errors
/// async_acquire and async_run fail with error::launch_failed, or when attached with
/// error::connect_failed naming the endpoint (within connect_timeout); the next call tries
/// again.
/// @par Thread safety
/// One executor (single-threaded), as browser.
/// @par Lifetimes
/// Jobs and leases keep the pool's state alive. Destroying the pool kills the browser; pending
/// jobs then fail with browser_closed (not retried once the pool is closed). An attached
/// browser is not the pool's: the pool's pages live in a browser_context of its own, so they
/// share no cookies or storage with the browser's other tabs, and async_close() and the
/// destructor close that context and disconnect, leaving the browser and its other tabs
/// running. The destructor cannot wait, so it does that in a task on the executor (prefer
/// async_close()). Chromium disposes of the context itself when the connection ends any other
/// way (lost, or weft killed), so a crawl leaves no tabs behind.
class page_pool
{
public:
    /// A page taken from the pool; returned to it when destroyed (or dropped after discard()).
    class lease
    {
    public:
        lease(std::shared_ptr<detail::pool_impl> pool, page p, std::uint64_t generation) noexcept;
        lease(lease&&) noexcept;
        lease& operator=(lease&&) = delete;
        ~lease();
        chromium::page& page() noexcept { return *page_; }
        chromium::page& operator*() noexcept { return *page_; }
        chromium::page* operator->() noexcept { return &*page_; }
        /// Closes the page instead of returning it to the pool.
        void discard() noexcept { discard_ = true; }

    private:
        std::shared_ptr<detail::pool_impl> pool_;
        std::optional<chromium::page> page_;
        std::uint64_t generation_;
        bool discard_ = false;
    };

    /// Launches its browser with `launch` on first use.
    explicit page_pool(executor ex, launch_options launch = {}, pool_options opts = {});
    /// Attaches to the running Chromium at `endpoint` ("ws://host:port/devtools/browser/<id>" or
    /// "http://host:port", as browser::async_connect) on first use instead of launching one. The
    /// pool's pages live in a context of its own, made with `context` (its proxy).
    page_pool(executor ex, std::string endpoint, connect_options connect = {}, pool_options opts = {},
              context_options context = {});
    ~page_pool();
    page_pool(page_pool const&) = delete;
    page_pool& operator=(page_pool const&) = delete;

    /// A page, launching (connecting to) the browser when needed, waiting while max_pages are
    /// leased. @throws error::launch_failed, error::connect_failed, weft::error::timed_out
    /// (acquire_timeout).
    task<lease> async_acquire();

    /// Runs `job(page&)` (returning task<T>) on a leased page and returns its result; retries it
    /// on a fresh browser when the browser or the page died under it. Each attempt calls `job`
    /// again, so `job` must copy what its task needs (coroutine parameters by value).
    template <class F>
    requires std::invocable<F&, chromium::page&>
    auto async_run(F job) -> std::invoke_result_t<F&, chromium::page&>
    {
        using task_type = std::invoke_result_t<F&, chromium::page&>;
        return run_with_retry<typename task_type::value_type>(impl_, std::move(job));
    }

    /// Closes every page and the browser (an attached one: the pool's pages, then disconnects);
    /// later calls fail with browser_closed.
    task<void> async_close();

    /// Browser launches (connections, when attached) after the first one: crash, hang and lost
    /// connection recoveries.
    std::size_t restarts() const noexcept;
    /// Job attempts that failed because the browser or page died and were tried again.
    std::size_t retries() const noexcept;
    /// Pages open now (leased and idle).
    std::size_t open_pages() const noexcept;
    /// The current browser's pid, or -1 (none, or attached).
    int browser_pid() const noexcept;
    /// The current browser, if launched or connected (kill() a launched one to test recovery).
    browser* current_browser() noexcept;
    executor get_executor() const;

private:
    template <class T, class F>
    static task<T> run_with_retry(std::shared_ptr<detail::pool_impl> pool, F job);
    static task<lease> acquire(std::shared_ptr<detail::pool_impl> pool);
    static bool should_retry(detail::pool_impl& pool, std::exception_ptr const& e, int attempt);

    std::shared_ptr<detail::pool_impl> impl_;
};

template <class T, class F>
task<T> page_pool::run_with_retry(std::shared_ptr<detail::pool_impl> pool, F job)
{
    for (int attempt = 1;; ++attempt)
    {
        std::exception_ptr failure;
        {
            auto l = co_await acquire(pool);
            try
            {
                if constexpr (std::is_void_v<T>)
                {
                    co_await job(l.page());
                    co_return;
                }
                else
                    co_return co_await job(l.page());
            }
            catch (...)
            {
                failure = std::current_exception();
                l.discard();
            }
        }
        if (!should_retry(*pool, failure, attempt))
            std::rethrow_exception(failure);
    }
}

} // namespace weft::chromium
