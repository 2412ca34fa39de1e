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

// "scheme://host[:port]" of an absolute URL, or "".
std::string origin_of(std::string_view url)
{
    auto p = url.find("://");
    if (p == std::string_view::npos)
        return {};
    auto end = url.find_first_of("/?#", p + 3);
    return std::string(url.substr(0, end));
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
                auto w = e.waiter; // another request is fetching: wait for it
                co_await w->async_wait(asio::as_tuple(asio::deferred));
                auto cs = co_await asio::this_coro::cancellation_state;
                if (cs.cancelled() != asio::cancellation_type::none)
                    co_return decision::fail(asio::error::operation_aborted, "stopped");
                continue;
            }
            e.waiter =
                std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, clock::time_point::max());
            auto [aborted, policy] = co_await fetch_robots(origin, ctx);
            auto w = std::move(e.waiter);
            w->cancel();
            if (aborted)
                co_return decision::fail(asio::error::operation_aborted, "stopped");
            e.expires = clock::now() + policy.max_age;
            e.policy = std::move(policy);
        }
        auto const& agent = ctx.settings().user_agent;
        if (!e.policy->rules.allowed(agent, req.url()))
            co_return decision::fail(weft::error::robots_disallowed, "robots.txt disallows " + req.url());
        if (auto d = e.policy->rules.crawl_delay(agent))
            ctx.set_host_delay(detail::host_or_empty(req.url()), *d);
        co_return decision::proceed();
    }

private:
    struct entry
    {
        std::optional<engine::robots_policy> policy;
        clock::time_point expires{};
        std::shared_ptr<asio::steady_timer> waiter;
    };

    static task<std::pair<bool, engine::robots_policy>> fetch_robots(std::string origin, crawl_context& ctx)
    {
        auto url = origin + "/robots.txt";
        int status = 0;
        std::string body;
        for (int hop = 0; hop <= engine::robots::max_redirects; ++hop)
        {
            ctx.count("robots_fetches");
            http::request req{url}; // named first: GCC 12 miscompiles owning temporaries in co_await (docs/ARCHITECTURE.md, trap 2)
            auto [ec, res] = co_await ctx.async_fetch_direct(std::move(req));
            if (ec == asio::error::operation_aborted)
                co_return std::pair{true, engine::robots_policy{}};
            if (ec)
            {
                status = 0;
                break;
            }
            status = res.status;
            body = std::move(res.body);
            auto loc = res.headers.get("Location");
            if (status >= 300 && status < 400 && loc)
            {
                auto next = url::resolve(url, *loc);
                if (!next)
                    break;
                url = std::move(*next);
                continue;
            }
            break;
        }
        co_return std::pair{false, engine::robots_from_fetch(status, body)};
    }

    std::unordered_map<std::string, entry> cache_;
};

} // namespace

std::unique_ptr<downloader_middleware> make_robots()
{
    return std::make_unique<robots_middleware>();
}

} // namespace weft::middleware
