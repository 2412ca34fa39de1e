// The robots.txt middleware (docs/ARCHITECTURE.md, "robots.txt"). Each origin's robots.txt is
// fetched once per crawl, by the worker the crawl state gives the claim to, and shared through
// the state; each process parses an origin's copy once and keeps its rules while they are fresh.
//
// An unreachable robots.txt (5xx, 429, no response: RFC 9309 §2.3.1.4) is never stored: each
// fetch is retried with the crawl's retry backoff, and when they all fail the claim is given back
// and the request is postponed with its host held (backoff_base, doubling): the host stays not
// ready, so nothing else of it is fetched, and a later lease of the host tries again. Once the
// file has been unreachable for settings::robots_unreachable_limit in this process and the crawl
// has nothing else to do (crawl_context::async_nothing_else_to_do), the host's requests fail with
// engine::robots_unreachable_error() instead (the job directory keeps them for the next run) and
// the cause is said once per origin (crawl_context::give_up). A crawl that always has other work
// never gives up on the host: its URLs wait, pending, until the crawl is stopped.
#include <weft/middleware/builtin.hpp>

#include <weft/engine/robots.hpp>
#include <weft/url/resolve.hpp>

#include "middleware/detail.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

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

// RFC 9309 §2.3.1.4: no answer, a 5xx or a 429 (Google's reading) leave the file unknown.
bool unreachable(state::robots_file const& f)
{
    return engine::robots_from_fetch(f.status, {}).from == engine::robots_policy::source::unreachable;
}

// `base` doubled per earlier failure, at most `cap`.
milliseconds doubled(milliseconds base, int failures, milliseconds cap)
{
    auto d = std::max(base, milliseconds(1));
    for (int i = 0; i < failures && d < cap; ++i)
        d *= 2;
    return std::min(d, cap);
}

std::string seconds_text(clock::duration d)
{
    return fmt::format("{:.1f} s", std::chrono::duration<double>(d).count());
}

// The end of one fetch of /robots.txt, in the words of a user: "connection refused", "HTTP 503".
std::string cause_of(error_code ec, int status)
{
    if (!ec)
        return fmt::format("HTTP {}", status);
    auto m = ec.message();
    if (!m.empty())
        m[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(m[0])));
    return m;
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
        if (e.given_up)
            co_return give_up_decision(origin, e);
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
            e.host = detail::host_or_empty(req.url());
            auto const got = co_await learn(origin, e.host, e, ctx);
            if (got == learnt::stopped)
                co_return decision::fail(asio::error::operation_aborted, "stopped");
            if (got == learnt::unreachable)
                co_return co_await unreachable_decision(origin, e, ctx);
            break; // fresh when learnt, whatever the clock says by now
        }
        if (!e.policy->rules.allowed(ctx.settings().user_agent, req.url()))
            co_return decision::fail(weft::error::robots_disallowed, "robots.txt disallows " + req.url());
        co_return decision::proceed();
    }

private:
    struct entry
    {
        std::string host; // of the request that last asked for it
        std::optional<engine::robots_policy> policy;
        clock::time_point expires{};
        std::shared_ptr<asio::steady_timer> waiter; // set while one request asks the state
        // robots.txt unreachable, as this process saw it (reset when a copy is learnt)
        int failures = 0;                  // rounds of fetches that all failed
        clock::time_point first_failure{}; // of the current run of failures
        std::string cause;                 // of the last failed fetch
        int attempts = 0;                  // fetches in those rounds
        bool given_up = false;             // past robots_unreachable_limit: its requests fail
    };

    enum class learnt
    {
        copy,        // e.policy holds the rules
        unreachable, // this worker's fetches failed; the claim was given back
        stopped,     // the crawl is stopping
    };

    // The request waits (its host held) while robots.txt is unreachable: at least for the limit,
    // and as long as the crawl has anything else to do (another host's pages, a retry): a server
    // down for a while should not lose a site while the crawl is busy elsewhere anyway.
    task<decision> unreachable_decision(std::string origin, entry& e, crawl_context& ctx)
    {
        auto const& s = ctx.settings();
        bool give_up = false;
        if (clock::now() - e.first_failure >= s.robots_unreachable_limit)
        {
            auto hosts = failing_hosts(); // named first (docs/ARCHITECTURE.md, trap 2)
            give_up = co_await ctx.async_nothing_else_to_do(std::move(hosts));
        }
        if (give_up)
        {
            e.given_up = true;
            ctx.give_up(fmt::format("robots.txt of {} unreachable for {} ({} attempts, last: {}); the host's URLs "
                                    "were not fetched (RFC 9309): with --job-dir, run again to retry them; "
                                    "-s robots_unreachable_limit=SECONDS waits longer",
                                    origin, seconds_text(clock::now() - e.first_failure), e.attempts, e.cause));
            co_return give_up_decision(origin, e);
        }
        auto const hold = doubled(s.backoff_base, e.failures - 1, s.retry_max_delay);
        co_return decision::retry(hold, fmt::format("robots.txt of {} unreachable ({}): its host's requests wait {}",
                                                    origin, e.cause, seconds_text(hold)));
    }

    // The hosts whose robots.txt this process found unreachable (given up on or still trying).
    std::vector<std::string> failing_hosts() const
    {
        std::vector<std::string> out;
        for (auto const& [origin, e] : cache_)
            if ((e.failures > 0 || e.given_up) && !e.host.empty() &&
                std::find(out.begin(), out.end(), e.host) == out.end())
                out.push_back(e.host);
        return out;
    }

    static decision give_up_decision(std::string const& origin, entry const& e)
    {
        return decision::fail(engine::robots_unreachable_error(),
                              fmt::format("robots.txt unreachable: {} ({}/robots.txt)", e.cause, origin));
    }

    // Asks the crawl state until `e` holds the origin's rules: the crawl's copy (parsed here),
    // or a claim to fetch it (then stored for every worker), or a wait while another worker
    // fetches it.
    static task<learnt> learn(std::string origin, std::string host, entry& e, crawl_context& ctx)
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
                e.failures = e.attempts = 0;
                co_return learnt::copy;
            }
            if (a.fetch)
            {
                auto [aborted, file] = co_await fetch_with_retries(origin, e, ctx);
                if (aborted)
                    co_return learnt::stopped; // the claim lapses; another worker takes it
                if (unreachable(file))
                {
                    co_await ctx.async_release_robots(origin);
                    if (e.failures++ == 0)
                        e.first_failure = clock::now();
                    co_return learnt::unreachable;
                }
                auto policy = engine::robots_from_fetch(file.status, file.body);
                // The Crawl-delay first: the host's other requests start once the file is stored.
                if (auto d = crawl_delay_of(policy, host, ctx))
                    co_await ctx.async_set_host_delay(host, *d);
                auto const ttl = std::chrono::duration_cast<milliseconds>(policy.max_age);
                co_await ctx.async_store_robots(origin, host, std::move(file), ttl);
                e.expires = clock::now() + ttl;
                e.policy = std::move(policy);
                e.failures = e.attempts = 0;
                co_return learnt::copy;
            }
            if (!co_await sleep(a.ask_again))
                co_return learnt::stopped;
        }
        co_return learnt::stopped;
    }

    // False when cancelled (the crawl is stopping).
    static task<bool> sleep(milliseconds d)
    {
        asio::steady_timer wait(co_await asio::this_coro::executor, d);
        co_await wait.async_wait(asio::as_tuple(asio::deferred));
        co_return !cancelled(co_await asio::this_coro::cancellation_state);
    }

    // fetch_robots, tried again with the crawl's retry backoff (retry_base_delay doubling, at
    // most retry_max_delay) while the file is unreachable, at most settings::retries times.
    static task<std::pair<bool, state::robots_file>> fetch_with_retries(std::string origin, entry& e,
                                                                        crawl_context& ctx)
    {
        auto const& s = ctx.settings();
        for (int attempt = 0;; ++attempt)
        {
            ++e.attempts;
            auto got = co_await fetch_robots(origin, ctx, e.cause);
            if (got.first || !unreachable(got.second) || attempt >= s.retries)
                co_return got;
            if (!co_await sleep(doubled(s.retry_base_delay, attempt, s.retry_max_delay)))
                co_return std::pair{true, state::robots_file{}};
        }
    }

    static std::optional<milliseconds> crawl_delay_of(engine::robots_policy const& policy, std::string const& host,
                                                      crawl_context& ctx)
    {
        if (host.empty())
            return std::nullopt;
        return policy.rules.crawl_delay(ctx.settings().user_agent);
    }

    // GET origin/robots.txt, following up to robots::max_redirects redirects: the final status
    // (0: no response) and body. True first when the crawl is stopping. `cause` says how it ended.
    static task<std::pair<bool, state::robots_file>> fetch_robots(std::string origin, crawl_context& ctx,
                                                                  std::string& cause)
    {
        auto url = origin + "/robots.txt";
        state::robots_file file;
        for (int hop = 0; hop <= engine::robots::max_redirects; ++hop)
        {
            ctx.count("robots_fetches");
            http::request req{url}; // named first: GCC 12 miscompiles owning temporaries in co_await (docs/ARCHITECTURE.md, trap 2)
            // Never rendered: a browser turns a 404 into an error page and a text file into
            // HTML; a rendering crawl's stack sends this to its HTTP fetcher (fetcher_stack.hpp).
            req.meta()["render"] = false;
            auto [ec, res] = co_await ctx.async_fetch_direct(std::move(req));
            if (ec == asio::error::operation_aborted)
                co_return std::pair{true, state::robots_file{}};
            cause = cause_of(ec, res.status);
            if (ec == weft::error::not_in_archive)
            {
                // A replay (--replay) of a crawl that never fetched this robots.txt (it ignored
                // robots.txt, or never reached the host's): the recorded crawl obeyed no rules
                // here, so the replay obeys none either, as for a 404 (its pages are served as
                // recorded); the replay's summary counts the file among those not in the archive.
                file = {};
                file.status = 404;
                break;
            }
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
