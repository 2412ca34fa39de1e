// The robots.txt middleware (docs/ARCHITECTURE.md, "robots.txt"). Each origin's robots.txt is
// fetched once per crawl, by the worker the crawl state gives the claim to, and shared through
// the state; each process parses an origin's copy once and keeps its rules while they are fresh.
#include <weft/middleware/builtin.hpp>

#include <weft/engine/robots.hpp>
#include <weft/url/resolve.hpp>

#include "middleware/detail.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

namespace weft::middleware
{
namespace
{

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A claim to fetch a robots.txt lasts the request timeout and this margin (for the redirects
// it may follow and the store), after which another worker may claim it.
constexpr milliseconds claim_margin{10'000};

// "scheme://host[:port]" of an absolute URL, or "".
std::string origin_of(std::string_view url)
{
    auto p = url.find("://");
    if (p == std::string_view::npos)
        return {};
    auto end = url.find_first_of("/?#", p + 3);
    return std::string(url.substr(0, end));
}

bool cancelled(asio::cancellation_state const& cs)
{
    return cs.cancelled() != asio::cancellation_type::none;
}

class robots_middleware final : public detail::builtin_middleware
{
public:
    robots_middleware() noexcept : builtin_middleware(detail::builtin_id::robots) {}

    task<decision> on_request(weft::request& req, crawl_context& ctx) override
    {
        if (!ctx.settings().obey_robots)
            co_return decision::proceed();
        auto origin = origin_of(req.url());
        auto path = engine::robots::path_of(req.url());
        if (origin.empty() || path == "/robots.txt")
            co_return decision::proceed();
        auto& e = cache_[origin]; // node-based: the reference survives rehashing
        while (!e.policy || clock::now() >= e.expires)
        {
            if (e.waiter)
            {
                auto w = e.waiter; // another request of this process is asking: wait for it
                co_await w->async_wait(asio::as_tuple(asio::deferred));
                if (cancelled(co_await asio::this_coro::cancellation_state))
                    co_return decision::fail(asio::error::operation_aborted, "stopped");
                continue;
            }
            e.waiter =
                std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, clock::time_point::max());
            struct wake_waiters // also when learn() throws: the waiters ask again themselves
            {
                entry& e;
                ~wake_waiters()
                {
                    if (auto w = std::move(e.waiter))
                        w->cancel();
                }
            } guard{e};
            if (!co_await learn(origin, detail::host_or_empty(req.url()), e, ctx))
                co_return decision::fail(asio::error::operation_aborted, "stopped");
            break; // fresh when learnt, whatever the clock says by now
        }
        if (!e.policy->rules.allowed(ctx.settings().user_agent, req.url()))
            co_return decision::fail(weft::error::robots_disallowed, "robots.txt disallows " + req.url());
        co_return decision::proceed();
    }

private:
    struct entry
    {
        std::optional<engine::robots_policy> policy;
        clock::time_point expires{};
        std::shared_ptr<asio::steady_timer> waiter; // set while one request asks the state
    };

    // Asks the crawl state until `e` holds the origin's rules: the crawl's copy (parsed here),
    // or a claim to fetch it (then stored for every worker), or a wait while another worker
    // fetches it. False when the crawl is stopping.
    static task<bool> learn(std::string origin, std::string host, entry& e, crawl_context& ctx)
    {
        auto const claim = ctx.settings().timeout + claim_margin;
        while (!ctx.stopping()) // a stopping crawl's fetch is aborted; its claim lapses, nobody waits for it
        {
            auto a = co_await ctx.async_robots(origin, claim);
            if (a.file)
            {
                auto policy = engine::robots_from_fetch(a.file->status, a.file->body);
                if (auto d = crawl_delay_of(policy, host, ctx))
                    co_await ctx.async_set_host_delay(host, *d);
                e.expires = clock::now() + a.fresh_for;
                e.policy = std::move(policy);
                co_return true;
            }
            if (a.fetch)
            {
                auto [aborted, file] = co_await fetch_robots(origin, ctx);
                if (aborted)
                    co_return false; // the claim lapses; another worker takes it
                auto policy = engine::robots_from_fetch(file.status, file.body);
                // The Crawl-delay first: the host's other requests start once the file is stored.
                if (auto d = crawl_delay_of(policy, host, ctx))
                    co_await ctx.async_set_host_delay(host, *d);
                auto const ttl = std::chrono::duration_cast<milliseconds>(policy.max_age);
                co_await ctx.async_store_robots(origin, host, std::move(file), ttl);
                e.expires = clock::now() + ttl;
                e.policy = std::move(policy);
                co_return true;
            }
            asio::steady_timer wait(co_await asio::this_coro::executor, a.ask_again);
            co_await wait.async_wait(asio::as_tuple(asio::deferred));
            if (cancelled(co_await asio::this_coro::cancellation_state))
                co_return false;
        }
        co_return false;
    }

    static std::optional<milliseconds> crawl_delay_of(engine::robots_policy const& policy, std::string const& host,
                                                      crawl_context& ctx)
    {
        if (host.empty())
            return std::nullopt;
        return policy.rules.crawl_delay(ctx.settings().user_agent);
    }

    // GET origin/robots.txt, following up to robots::max_redirects redirects: the final status
    // (0: no response) and body. True first when the crawl is stopping.
    static task<std::pair<bool, state::robots_file>> fetch_robots(std::string origin, crawl_context& ctx)
    {
        auto url = origin + "/robots.txt";
        state::robots_file file;
        for (int hop = 0; hop <= engine::robots::max_redirects; ++hop)
        {
            ctx.count("robots_fetches");
            http::request req{url}; // named first: GCC 12 miscompiles owning temporaries in co_await (docs/ARCHITECTURE.md, trap 2)
            auto [ec, res] = co_await ctx.async_fetch_direct(std::move(req));
            if (ec == asio::error::operation_aborted)
                co_return std::pair{true, state::robots_file{}};
            if (ec)
            {
                file = {};
                break;
            }
            file.status = res.status;
            file.body = std::move(res.body);
            auto loc = res.headers.get("Location");
            if (file.status >= 300 && file.status < 400 && loc)
            {
                auto next = url::resolve(url, *loc);
                if (!next)
                    break;
                url = std::move(*next);
                continue;
            }
            break;
        }
        if (file.body.size() > engine::robots::max_size)
            file.body.resize(engine::robots::max_size); // the rest is never parsed (robots.hpp)
        co_return std::pair{false, std::move(file)};
    }

    std::unordered_map<std::string, entry> cache_;
};

} // namespace

std::unique_ptr<downloader_middleware> make_robots()
{
    return std::make_unique<robots_middleware>();
}

} // namespace weft::middleware
