// weft::downloader_middleware: step 4 of the crawl data path; an ordered stack of hooks that see
// each request on its way to the fetcher and its response (or error) on the way back.
#pragma once

#include <weft/async/task.hpp>
#include <weft/engine/settings.hpp>
#include <weft/error.hpp>
#include <weft/http/response.hpp>
#include <weft/spider/request.hpp>
#include <weft/state/crawl_state.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft
{

class spider;

/// What a hook decides. A non-aggregate; make one with the static functions.
class decision
{
public:
    enum class kind
    {
        proceed, ///< go on to the next hook (then the fetcher, or the callback)
        respond, ///< on_request: skip the fetcher, use this response (a cache hit)
        fail,    ///< end the request with this error (robots: filtered; others: an error)
        retry,   ///< fetch again after `delay` (retry middleware)
        follow,  ///< on_response: schedule `next` instead (a redirect hop); this request ends here
    };

    static decision proceed() { return decision(kind::proceed); }
    static decision respond(http::response r)
    {
        decision d(kind::respond);
        d.response_ = std::make_shared<http::response>(std::move(r));
        return d;
    }
    static decision fail(error_code ec, std::string why)
    {
        decision d(kind::fail);
        d.ec_ = ec;
        d.why_ = std::move(why);
        return d;
    }
    static decision retry(std::chrono::milliseconds delay, std::string why)
    {
        decision d(kind::retry);
        d.delay_ = delay;
        d.why_ = std::move(why);
        return d;
    }
    static decision follow(weft::request next)
    {
        decision d(kind::follow);
        d.next_ = std::make_shared<weft::request>(std::move(next));
        return d;
    }

    kind what() const noexcept { return kind_; }
    bool proceeds() const noexcept { return kind_ == kind::proceed; }
    std::shared_ptr<http::response> const& response() const noexcept { return response_; }
    error_code error() const noexcept { return ec_; }
    std::string const& why() const noexcept { return why_; }
    std::chrono::milliseconds delay() const noexcept { return delay_; }
    std::shared_ptr<weft::request> const& next() const noexcept { return next_; }

private:
    explicit decision(kind k) : kind_(k) {}
    kind kind_;
    std::shared_ptr<http::response> response_;
    error_code ec_;
    std::string why_;
    std::chrono::milliseconds delay_{0};
    std::shared_ptr<weft::request> next_;
};

/// What the engine offers hooks: the crawl's settings, its stats, the politeness of a host, the
/// crawl's shared robots.txt copies and a fetch outside the pipeline. Nothing else of the engine
/// is reachable from a middleware.
class crawl_context
{
public:
    virtual ~crawl_context() = default;
    virtual engine::settings const& settings() const = 0;
    virtual weft::spider& spider() = 0;
    /// Adds `n` to the stat `name`: a counter of engine::stats ("robots_fetches", "cache_hits",
    /// ...) or a custom one, reported under stats' "custom".
    virtual void count(std::string_view name, std::uint64_t n = 1) = 0;
    /// A floor for the delay between two requests to `host` (robots.txt Crawl-delay), set in the
    /// background.
    virtual void set_host_delay(std::string const& host, std::chrono::milliseconds delay) = 0;
    /// The same, done when it completes (before a robots.txt is stored: the host's next requests
    /// must see the floor).
    virtual task<void> async_set_host_delay(std::string host, std::chrono::milliseconds delay) = 0;
    /// The crawl's copy of an origin's robots.txt, shared by all its workers
    /// (state::crawl_state::async_robots): fresh, a claim to fetch it for `claim`, or ask again later.
    virtual task<state::robots_answer> async_robots(std::string origin, std::chrono::milliseconds claim) = 0;
    /// Stores an origin's robots.txt for the crawl for `ttl` and lets `host`'s other requests
    /// start (state::crawl_state::async_store_robots).
    virtual task<void> async_store_robots(std::string origin, std::string host, state::robots_file file,
                                          std::chrono::milliseconds ttl) = 0;
    /// Gives up this worker's claim to fetch an origin's robots.txt without storing one (it was
    /// unreachable; state::crawl_state::async_release_robots).
    virtual task<void> async_release_robots(std::string origin) = 0;
    /// Requests were left for a later run (a host's robots.txt stayed unreachable): `why`, one
    /// line per host, is said once at the end of the crawl (even with -q) and the crawl exits 1.
    virtual void give_up(std::string why) {}
    /// Holds every request to `host` for `d` (a Retry-After).
    virtual void back_off_host(std::string const& host, std::chrono::milliseconds d) = 0;
    /// Fetches `req` with the crawl's fetcher, outside the scheduler and the middlewares (robots.txt).
    /// Never throws for transport errors: they come back as the error_code.
    virtual task<std::pair<error_code, http::response>> async_fetch_direct(http::request req) = 0;
    /// True once the crawl is stopping: a hook that waits for something (another worker's
    /// robots.txt fetch) gives up and fails with operation_aborted.
    virtual bool stopping() const noexcept { return false; }
    /// True when every request the crawl still holds (pending, delayed, leased) belongs to one of
    /// `hosts`: the crawl has nothing else to do but wait for them (the robots middleware gives up
    /// on a host whose robots.txt stays unreachable only then). Counted from the crawl state, so a
    /// page being parsed or a retry waiting for its time is work; in a shared crawl, every
    /// worker's requests count. This default (no crawl to ask) says true.
    virtual task<bool> async_nothing_else_to_do(std::vector<std::string> hosts) { co_return true; }
};

/// A downloader middleware. Hooks run in ascending priority() on the way out (on_request) and in
/// descending priority on the way back (on_response, on_error), as Scrapy orders them. A hook that
/// decides anything but proceed ends that pass.
///
/// Cancellation: hooks run inside the request's task; a stopping crawl cancels them (terminal).
class downloader_middleware
{
public:
    virtual ~downloader_middleware() = default;
    virtual std::string_view name() const noexcept = 0;
    virtual int priority() const noexcept = 0;

    virtual task<decision> on_request(weft::request& req, crawl_context& ctx) { co_return decision::proceed(); }
    virtual task<decision> on_response(weft::request& req, http::response& res, crawl_context& ctx)
    {
        co_return decision::proceed();
    }
    virtual task<decision> on_error(weft::request& req, error_code ec, crawl_context& ctx)
    {
        co_return decision::proceed();
    }
};

/// Middlewares ordered by priority (stable among equals).
class middleware_chain
{
public:
    void add(std::unique_ptr<downloader_middleware> m)
    {
        auto pos = std::upper_bound(list_.begin(), list_.end(), m->priority(),
                                    [](int p, auto const& x) { return p < x->priority(); });
        list_.insert(pos, std::move(m));
    }
    std::vector<std::unique_ptr<downloader_middleware>> const& list() const noexcept { return list_; }
    /// nullptr when absent.
    downloader_middleware* find(std::string_view name) const
    {
        for (auto const& m : list_)
            if (m->name() == name)
                return m.get();
        return nullptr;
    }

    task<decision> on_request(weft::request& req, crawl_context& ctx) const;
    task<decision> on_response(weft::request& req, http::response& res, crawl_context& ctx) const;
    task<decision> on_error(weft::request& req, error_code ec, crawl_context& ctx) const;

private:
    std::vector<std::unique_ptr<downloader_middleware>> list_;
};

} // namespace weft
