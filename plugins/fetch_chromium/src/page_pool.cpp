#include <weft/chromium/page_pool.hpp>

#include "detail.hpp"

#include <weft/async/timeout_error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>

#include <vector>

namespace weft::chromium
{

namespace detail
{

struct pool_impl
{
    pool_impl(executor e, launch_options l, pool_options o)
        : ex(e), launch(std::move(l)), opts(o), changed(e), watchdog_timer(std::make_shared<asio::steady_timer>(e))
    {
    }
    ~pool_impl() { watchdog_timer->cancel(); }

    executor ex;
    launch_options launch;
    pool_options opts;
    std::optional<browser> br;
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
};

namespace
{

void spawn_quietly(executor ex, task<void> t)
{
    // Closing a page nobody waits for: its failure (the browser already gone) is not news.
    asio::co_spawn(ex, std::move(t), [](std::exception_ptr) {});
}

// Pings the browser every ping_interval; one that does not answer in ping_timeout is killed, so
// its jobs fail at once (browser_closed) and are retried on a new browser.
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
        auto* b = &*p->br;
        auto const pid = b->pid();
        bool hung = false;
        try
        {
            co_await b->async_ping(ping_timeout);
        }
        catch (system_error const& e)
        {
            hung = e.code() == weft::condition::timeout;
        }
        if (hung && p->br && p->br->pid() == pid)
            p->br->kill(); // the pidfd watcher then fails everything pending on it
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
    : impl_(std::make_shared<detail::pool_impl>(ex, std::move(launch), opts))
{
}

page_pool::~page_pool()
{
    impl_->closed = true;
    impl_->watchdog_timer->cancel();
    impl_->idle.clear();
    impl_->br.reset(); // kills the process; pending commands fail with browser_closed
    impl_->changed.notify();
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
                bool const restart = p.br.has_value();
                p.br.reset(); // kills and reaps a hung or dead browser
                std::exception_ptr failure;
                try
                {
                    auto b = co_await browser::async_launch(p.ex, p.launch);
                    p.br.emplace(std::move(b));
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
                    p.br.reset();
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
                    made.emplace(co_await p.br->async_new_page());
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
