#include <weft/chromium/page_pool.hpp>

#include "browser_impl.hpp"
#include "page_impl.hpp"

#include <weft/async/timeout_error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>

#include <utility>
#include <vector>

namespace weft::chromium
{

namespace detail
{

struct pool_impl
{
    pool_impl(executor e, launch_options l, std::string ep, connect_options c, pool_options o, context_options cx)
        : ex(e), launch(std::move(l)), endpoint(std::move(ep)), connect(c), opts(o), context_opts(std::move(cx)),
          changed(e),
          watchdog_timer(std::make_shared<asio::steady_timer>(e))
    {
    }
    ~pool_impl() { watchdog_timer->cancel(); }

    executor ex;
    launch_options launch;
    std::string endpoint; // attach to this browser instead of launching one
    connect_options connect;
    pool_options opts;
    context_options context_opts;
    std::optional<browser> br;
    // Attached only: the browser outlives the pool, so the pool's pages live in a context of its
    // own, which Chromium disposes of (tabs, cookies) when the pool leaves or its connection ends.
    std::optional<browser_context> context;
    std::uint64_t generation = 0;
    bool launching = false;
    bool closed = false;
    std::vector<page> idle;
    std::size_t in_use = 0; // leased or being created
    notifier changed;
    std::size_t restarts = 0;
    std::size_t retries = 0;
    std::shared_ptr<asio::steady_timer> watchdog_timer;
    bool watchdog_running = false;

    bool browser_ok() const { return br && br->is_connected(); }
    bool attached() const { return !endpoint.empty(); }
};

namespace
{

void spawn_quietly(executor ex, task<void> t)
{
    // Closing a page nobody waits for: its failure (the browser already gone) is not news.
    asio::co_spawn(ex, std::move(t), [](std::exception_ptr) {});
}

// How long closing an attached pool may spend on its context and the WebSocket close handshake.
constexpr milliseconds leave_grace{3'000};

// An attached pool's end: its context closed (its tabs with it), then the connection; the
// browser stays. A browser that does not answer must not hold up the end.
task<void> leave(browser b, std::optional<browser_context> context)
{
    if (context && b.is_connected())
    {
        try
        {
            co_await context->async_close(leave_grace);
        }
        catch (std::exception const&)
        {
        }
    }
    co_await b.async_disconnect(leave_grace);
}

// A new page of the current browser, in the pool's context when attached.
task<page> make_page(pool_impl& p)
{
    if (p.context)
        return p.context->async_new_page();
    return p.br->async_new_page();
}

// Pings the browser every ping_interval; one that does not answer in ping_timeout is killed
// (an attached one disconnected from), so its jobs fail at once (browser_closed) and are
// retried on a new browser.
task<void> watchdog(std::weak_ptr<pool_impl> w, std::shared_ptr<asio::steady_timer> timer)
{
    for (;;)
    {
        milliseconds interval, ping_timeout;
        {
            auto p = w.lock();
            if (!p || p->closed)
                co_return;
            interval = p->opts.ping_interval;
            ping_timeout = p->opts.ping_timeout;
        }
        timer->expires_after(interval);
        auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::deferred));
        if (ec)
            co_return; // the pool was destroyed or closed
        auto p = w.lock();
        if (!p || p->closed)
            co_return;
        if (!p->browser_ok() || p->launching)
            continue;
        auto const generation = p->generation;
        bool hung = false;
        try
        {
            co_await p->br->async_ping(ping_timeout);
        }
        catch (system_error const& e)
        {
            hung = e.code() == weft::condition::timeout;
        }
        if (!hung || !p->browser_ok() || p->generation != generation)
            continue;
        // A launched browser is killed (the pidfd watcher then fails everything pending on it);
        // an attached one, not ours to kill, is let go of. The next acquire replaces it.
        p->br->abandon("chromium at " + p->endpoint + " did not answer a ping within " +
                       std::to_string(ping_timeout.count()) + " ms (weft disconnected)");
    }
}

} // namespace

} // namespace detail

// ---------------------------------------------------------------------------------------------
// lease

page_pool::lease::lease(std::shared_ptr<detail::pool_impl> pool, chromium::page p, std::uint64_t generation) noexcept
    : pool_(std::move(pool)), page_(std::move(p)), generation_(generation)
{
}

page_pool::lease::lease(lease&& other) noexcept
    : pool_(std::move(other.pool_)), page_(std::move(other.page_)), generation_(other.generation_),
      discard_(other.discard_)
{
    other.page_.reset();
}

page_pool::lease::~lease()
{
    if (!pool_ || !page_)
        return;
    auto& p = *pool_;
    --p.in_use;
    bool const reusable =
        !discard_ && !p.closed && generation_ == p.generation && p.browser_ok() && !page_->is_closed();
    if (reusable)
        p.idle.push_back(std::move(*page_));
    else if (p.browser_ok() && !page_->is_closed())
        detail::spawn_quietly(p.ex, page_->async_close());
    page_.reset();
    p.changed.notify();
}

// ---------------------------------------------------------------------------------------------
// page_pool

page_pool::page_pool(executor ex, launch_options launch, pool_options opts)
    : impl_(std::make_shared<detail::pool_impl>(ex, std::move(launch), std::string(), connect_options{}, opts,
                                                context_options{}))
{
}

page_pool::page_pool(executor ex, std::string endpoint, connect_options connect, pool_options opts,
                     context_options context)
    : impl_(std::make_shared<detail::pool_impl>(ex, launch_options{}, std::move(endpoint), connect, opts,
                                                std::move(context)))
{
}

page_pool::~page_pool()
{
    auto& p = *impl_;
    p.closed = true;
    p.watchdog_timer->cancel();
    p.idle.clear();
    if (p.attached() && p.browser_ok())
    {
        // Closing the context takes an answer from the browser, which a destructor cannot wait for.
        detail::spawn_quietly(p.ex, detail::leave(std::move(*p.br), std::exchange(p.context, {})));
    }
    p.br.reset(); // kills a launched process; pending commands fail with browser_closed
    p.context.reset();
    p.changed.notify();
}

task<page_pool::lease> page_pool::async_acquire()
{
    return acquire(impl_);
}

task<page_pool::lease> page_pool::acquire(std::shared_ptr<detail::pool_impl> pool)
{
    using detail::clock;
    auto& p = *pool;
    auto const start = clock::now();
    auto const deadline = start + p.opts.acquire_timeout;
    for (;;)
    {
        if (p.closed)
            detail::fail(error::browser_closed, "page_pool: the pool is closed");
        if (!p.browser_ok())
        {
            if (!p.launching)
            {
                p.launching = true;
                p.idle.clear();
                bool const restart = p.generation > 0;
                p.br.reset(); // kills and reaps a hung or dead browser
                p.context.reset(); // Chromium disposed of it when the connection ended
                std::exception_ptr failure;
                try
                {
                    if (p.attached())
                    {
                        auto b = co_await browser::async_connect(p.ex, p.endpoint, p.connect);
                        auto c = co_await b.async_new_context(p.context_opts);
                        p.br.emplace(std::move(b));
                        p.context.emplace(std::move(c));
                    }
                    else
                    {
                        auto b = co_await browser::async_launch(p.ex, p.launch);
                        p.br.emplace(std::move(b));
                    }
                    ++p.generation;
                    if (restart)
                        ++p.restarts;
                }
                catch (...)
                {
                    failure = std::current_exception();
                }
                p.launching = false;
                p.changed.notify();
                if (failure)
                    std::rethrow_exception(failure);
                if (p.closed)
                {
                    p.br.reset(); // kills a launched browser; disconnects (and so disposes of the context)
                    p.context.reset();
                    continue;
                }
                if (!p.watchdog_running && p.opts.ping_interval.count() > 0)
                {
                    p.watchdog_running = true;
                    asio::co_spawn(p.ex, detail::watchdog(pool, p.watchdog_timer),
                                   [w = std::weak_ptr<detail::pool_impl>(pool)](std::exception_ptr)
                                   {
                                       if (auto s = w.lock())
                                           s->watchdog_running = false;
                                   });
                }
                continue;
            }
        }
        else
        {
            while (!p.idle.empty())
            {
                auto pg = std::move(p.idle.back());
                p.idle.pop_back();
                if (pg.is_closed())
                    continue;
                ++p.in_use;
                co_return lease(pool, std::move(pg), p.generation);
            }
            if (p.in_use < p.opts.max_pages)
            {
                ++p.in_use;
                auto const gen = p.generation;
                std::exception_ptr failure;
                std::optional<page> made;
                try
                {
                    made.emplace(co_await detail::make_page(p));
                }
                catch (...)
                {
                    failure = std::current_exception();
                }
                if (failure)
                {
                    --p.in_use;
                    p.changed.notify();
                    // A browser that died while the page was being made is relaunched on the next turn.
                    if (p.browser_ok() || p.closed)
                        std::rethrow_exception(failure);
                    continue;
                }
                co_return lease(pool, std::move(*made), gen);
            }
        }
        if (!co_await p.changed.async_wait(deadline))
            throw timeout_error("page_pool: waiting for a free page", p.opts.acquire_timeout);
    }
}

bool page_pool::should_retry(detail::pool_impl& pool, std::exception_ptr const& e, int attempt)
{
    if (pool.closed || attempt >= pool.opts.max_attempts)
        return false;
    try
    {
        std::rethrow_exception(e);
    }
    catch (system_error const& se)
    {
        if (se.code() == error::browser_closed || se.code() == error::page_closed)
        {
            ++pool.retries;
            return true;
        }
    }
    catch (...)
    {
    }
    return false;
}

task<void> page_pool::async_close()
{
    auto pool = impl_;
    pool->closed = true;
    pool->watchdog_timer->cancel();
    pool->idle.clear();
    pool->changed.notify();
    if (pool->br)
    {
        auto b = std::move(*pool->br);
        pool->br.reset();
        if (pool->attached())
            co_await detail::leave(std::move(b), std::exchange(pool->context, {}));
        else
            co_await b.async_close();
    }
}

std::size_t page_pool::restarts() const noexcept
{
    return impl_->restarts;
}

std::size_t page_pool::retries() const noexcept
{
    return impl_->retries;
}

std::size_t page_pool::open_pages() const noexcept
{
    return impl_->in_use + impl_->idle.size();
}

int page_pool::browser_pid() const noexcept
{
    return impl_->br ? impl_->br->pid() : -1;
}

browser* page_pool::current_browser() noexcept
{
    return impl_->br ? &*impl_->br : nullptr;
}

executor page_pool::get_executor() const
{
    return impl_->ex;
}

} // namespace weft::chromium
