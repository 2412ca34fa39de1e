#include "engine/downloader.hpp"

#include <weft/middleware/builtin.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>

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

// A response's body, collected under the crawl's body budget: the Content-Length is charged when
// the headers arrive, each decoded byte past the charge as it arrives. A charge that does not fit
// (the budget is full, and this response is not alone in it) stops the transfer: `wanted` says
// how many bytes to wait for before fetching again. The fetchers cannot pause a transfer, so a
// response that does not fit is dropped and fetched again rather than held half read.
class budgeted_body final : public http::body_sink
{
public:
    budgeted_body(body_budget::charge& held, bool head, std::uint64_t most) : held_(held), head_(head), most_(most) {}

    error_code on_headers(http::response const& res) override
    {
        body.clear(); // a proxy failed over: the next attempt starts again
        if (head_ || res.status == 204 || res.status == 304)
            return {};
        if (auto v = res.headers.get("Content-Length"))
        {
            std::uint64_t n = 0;
            auto const [end, err] = std::from_chars(v->data(), v->data() + v->size(), n);
            if (err == std::errc() && end == v->data() + v->size())
                return need(n, n);
        }
        return {};
    }

    error_code on_data(std::string_view chunk) override
    {
        auto const total = body.size() + chunk.size();
        // Past a known length (a compressed body decodes larger) or of no known length: the next
        // attempt reserves the most a body may decode to, so it cannot be refused again.
        if (auto ec = need(total, most_))
            return ec;
        body.append(chunk);
        return {};
    }

    std::string body;
    std::optional<std::uint64_t> wanted; ///< set when the budget refused the transfer

private:
    error_code need(std::uint64_t total, std::uint64_t ask_next)
    {
        if (total <= held_.bytes() || held_.try_grow(total - held_.bytes()))
            return {};
        wanted = std::max(ask_next, total);
        return make_error_code(std::errc::no_buffer_space);
    }

    body_budget::charge& held_;
    bool head_;
    std::uint64_t most_;
};

} // namespace

// Fetches with the body charged to the crawl's budget in `held`: waits while the budget is full,
// and when a response turns out not to fit, drops it and fetches again once `wanted` bytes fit
// (counted as body_budget_refetches; at most twice: the second reserves the largest body).
// `started` is when the last attempt went out: the wait for the budget is not the host's latency.
task<std::pair<error_code, http::response>> downloader::fetch_within_budget(http::request req,
                                                                           body_budget::charge& held,
                                                                           clock::time_point& started)
{
    std::uint64_t want = 0;
    auto const most = std::max<std::uint64_t>(run_.settings.max_body_size, 1);
    while (true)
    {
        auto got = co_await budget_.async_acquire(want);
        if (!got || run_.stopping)
            co_return std::pair{error_code(asio::error::operation_aborted), http::response{}};
        held = std::move(*got);
        budgeted_body sink(held, req.method() == "HEAD", most);
        started = clock::now();
        auto [ec, res] = co_await fetch(req, &sink);
        if (sink.wanted && !run_.stopping)
        {
            run_.stats.add("body_budget_refetches");
            want = *sink.wanted;
            held.release();
            continue;
        }
        if (!ec && res.body.empty())
            res.body = std::move(sink.body);
        else if (!ec && res.body.size() > held.bytes()) // a fetcher that filled the body itself
            held.grow(res.body.size() - held.bytes());
        run_.stats.inflight_body_bytes_peak = budget_.peak();
        co_return std::pair{ec, std::move(res)};
    }
}

downloader::downloader(crawl_run& run, middleware_chain& chain, std::unique_ptr<http::fetcher> fetchers)
    : run_(run), chain_(chain), fetchers_(std::move(fetchers)), budget_(run.settings.max_inflight_body_bytes)
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

// From the state's counters and its busiest hosts: every pending or leased request is one of
// `hosts`' and nothing waits for a retry. The busiest |hosts| + 1 suffice: if another host has
// requests, one such is among them (at most |hosts| of them are `hosts`). A lease whose page is being parsed
// no longer counts in its host's in_flight, so the sums differ and the answer is no.
task<bool> downloader::async_nothing_else_to_do(std::vector<std::string> hosts)
{
    auto const c = co_await run_.state->async_counters();
    if (c.delayed > 0)
        co_return false;
    auto const busiest = co_await run_.state->async_busiest_hosts(hosts.size() + 1);
    std::uint64_t theirs = 0;
    for (auto const& h : busiest)
    {
        auto const load = h.pending + h.in_flight;
        if (load == 0)
            continue;
        if (std::find(hosts.begin(), hosts.end(), h.host) == hosts.end())
            co_return false;
        theirs += load;
    }
    co_return theirs == c.pending + c.leased;
}

task<std::pair<error_code, http::response>> downloader::async_fetch_direct(http::request req)
{
    co_return co_await fetch(std::move(req), nullptr);
}

// A fetch that abort_all() aborts (its lease is then given back).
task<std::pair<error_code, http::response>> downloader::fetch(http::request req, http::body_sink* sink)
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
        std::move(req), sink, asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(asio::use_awaitable)));
    co_return std::pair{ec, std::move(res)};
}

void downloader::abort_all()
{
    budget_.cancel_waiters();
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
    auto t0 = clock::now();
    body_budget::charge held;
    auto [ec, res] = co_await fetch_within_budget(req.http(), held, t0);
    state::fetch_outcome outcome;
    outcome.fetched = true;
    outcome.latency = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t0);
    outcome.status = ec ? 0 : res.status;
    if (!ec)
        outcome.retry_after = retry_after_of(res);
    auto r = co_await after_fetch(req, ec, std::move(res), outcome);
    r.body_charge = std::move(held);
    co_return r;
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
    for (auto const& [type, n] : res.subresources) // a rendered page's own requests
    {
        auto& total = run_.stats.subresources[type];
        total.requested += n.requested;
        total.blocked += n.blocked;
    }
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
