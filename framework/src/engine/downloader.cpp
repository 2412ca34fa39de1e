#include "engine/downloader.hpp"

#include <weft/middleware/builtin.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

namespace weft::engine::detail
{

namespace
{
using clock = std::chrono::steady_clock;
using kind = download_result::kind;

// A 429/503's Retry-After, for the host's controller: it holds the whole host, not only this request.
std::optional<std::chrono::milliseconds> retry_after_of(http::response const& res)
{
    if (res.status != 429 && res.status != 503)
        return std::nullopt;
    auto v = res.headers.get("Retry-After");
    if (!v)
        return std::nullopt;
    return middleware::parse_retry_after(*v);
}
} // namespace

downloader::downloader(crawl_run& run, middleware_chain& chain, std::unique_ptr<http::fetcher> fetchers)
    : run_(run), chain_(chain), fetchers_(std::move(fetchers))
{
}

void downloader::set_host_delay(std::string const& host, std::chrono::milliseconds delay)
{
    spawn_checked(run_, run_.state->async_set_min_delay(host, delay), "crawl state");
}

void downloader::back_off_host(std::string const& host, std::chrono::milliseconds d)
{
    spawn_checked(run_, run_.state->async_back_off(host, d), "crawl state");
}

task<void> downloader::async_set_host_delay(std::string host, std::chrono::milliseconds delay)
{
    co_await run_.state->async_set_min_delay(std::move(host), delay);
}

task<state::robots_answer> downloader::async_robots(std::string origin, std::chrono::milliseconds claim)
{
    co_return co_await run_.state->async_robots(std::move(origin), claim);
}

task<void> downloader::async_store_robots(std::string origin, std::string host, state::robots_file file,
                                          std::chrono::milliseconds ttl)
{
    co_await run_.state->async_store_robots(std::move(origin), std::move(host), std::move(file), ttl);
    if (run_.wake)
        run_.wake(); // the host's other requests may start now, not after its opening request's fetch
}

task<void> downloader::async_release_robots(std::string origin)
{
    co_await run_.state->async_release_robots(std::move(origin));
}

void downloader::give_up(std::string why)
{
    run_.given_up.push_back(std::move(why));
}

// A fetch that abort_all() aborts (its lease is then given back).
task<std::pair<error_code, http::response>> downloader::async_fetch_direct(http::request req)
{
    if (run_.stopping)
        co_return std::pair{error_code(asio::error::operation_aborted), http::response{}};
    asio::cancellation_signal sig;
    in_flight_.insert(&sig);
    struct unregister
    {
        std::set<asio::cancellation_signal*>& s;
        asio::cancellation_signal* p;
        ~unregister() { s.erase(p); }
    } guard{in_flight_, &sig};
    auto [ec, res] = co_await fetchers_->async_fetch(
        std::move(req), nullptr, asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(asio::use_awaitable)));
    co_return std::pair{ec, std::move(res)};
}

void downloader::abort_all()
{
    for (auto* s : in_flight_)
        s->emit(asio::cancellation_type::terminal);
}

void downloader::shutdown()
{
    fetchers_->shutdown();
}

download_result downloader::failed(error_code ec, std::string why, state::fetch_outcome outcome)
{
    download_result r;
    r.what = kind::fail;
    r.ec = ec;
    r.why = std::move(why);
    r.outcome = outcome;
    return r;
}

task<download_result> downloader::async_download(weft::request& req)
{
    auto d = co_await chain_.on_request(req, *this);
    if (d.what() == decision::kind::respond) // a cache hit: nothing reached the host
    {
        ++run_.stats.cache_hits;
        co_return co_await after_fetch(req, {}, *d.response(), state::fetch_outcome{});
    }
    if (d.what() == decision::kind::retry) // not started: the robots middleware waits for robots.txt
    {
        download_result r;
        r.what = kind::postpone;
        r.delay = d.delay();
        r.why = d.why();
        co_return r;
    }
    if (d.what() == decision::kind::fail)
    {
        download_result r;
        if (is_abort(d.error()))
            r.what = kind::aborted;
        else if (d.error() == weft::error::robots_disallowed)
            r.what = kind::filtered;
        else
            r = failed(d.error(), d.why(), {});
        co_return r;
    }
    req.attempts(req.attempts() + 1);
    ++run_.stats.attempts;
    auto const t0 = clock::now();
    auto [ec, res] = co_await async_fetch_direct(req.http());
    state::fetch_outcome outcome;
    outcome.fetched = true;
    outcome.latency = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t0);
    outcome.status = ec ? 0 : res.status;
    if (!ec)
        outcome.retry_after = retry_after_of(res);
    co_return co_await after_fetch(req, ec, std::move(res), outcome);
}

// The way back: on_error or on_response, in reverse priority.
task<download_result> downloader::after_fetch(weft::request& req, error_code ec, http::response res,
                                              state::fetch_outcome outcome)
{
    download_result r;
    r.outcome = outcome;
    if (ec)
    {
        if (is_abort(ec) && run_.stopping)
        {
            r.what = kind::aborted;
            co_return r;
        }
        auto de = co_await chain_.on_error(req, ec, *this);
        if (de.what() == decision::kind::retry)
        {
            r.what = kind::retry;
            r.delay = de.delay();
            co_return r;
        }
        auto why = http::describe_failure(req.http(), ec, res) + fmt::format(" (attempt {})", req.attempts());
        co_return failed(ec, std::move(why), outcome);
    }
    run_.stats.bytes += res.wire_bytes ? res.wire_bytes : res.body.size();
    ++run_.stats.by_status[res.status];
    auto dr = co_await chain_.on_response(req, res, *this);
    switch (dr.what())
    {
    case decision::kind::retry:
        r.what = kind::retry;
        r.delay = dr.delay();
        co_return r;
    case decision::kind::follow:
        r.what = kind::follow;
        r.next.emplace(std::move(*dr.next()));
        co_return r;
    case decision::kind::fail:
        co_return failed(dr.error(), dr.why(), outcome);
    default:
        break;
    }
    r.what = kind::response;
    r.res = std::move(res);
    co_return r;
}

} // namespace weft::engine::detail
