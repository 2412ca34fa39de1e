// What the conformance suite's cases share: a crawl state driven synchronously on its fixture's
// loop (sync_state), an item consumer that records what it is handed, and request builders.
#pragma once

#include "unit/state/state_backends.hpp"

#include <weft/engine/fingerprint.hpp>
#include <weft/engine/settings.hpp>
#include <weft/state/crawl_state.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace weft::test
{

using namespace std::chrono_literals;
using state::commit_result;
using state::completion;
using state::lease_batch;
using state::lease_token;
using state::new_request;

/// Records every item it is handed and acknowledges it at once (a sink that is always durable).
struct recording_consumer final : state::item_consumer
{
    std::vector<item> items;
    std::size_t durable_calls = 0;

    task<void> async_consume(std::vector<item> batch, std::function<void()> durable) override
    {
        for (auto& i : batch)
            items.push_back(std::move(i));
        ++durable_calls;
        if (durable) // empty when the backend has nothing to make final (memory)
            durable();
        co_return;
    }
};

/// A crawl state whose operations run to completion on the fixture's loop, one call at a time.
class sync_state
{
public:
    sync_state(state_loop& loop, std::unique_ptr<state::crawl_state> s) : loop_(&loop), s_(std::move(s)) {}

    state::crawl_state& operator*() const { return *s_; }
    state::crawl_state* operator->() const { return s_.get(); }
    /// Destroys the state without flushing it (a crash, for a persistent backend).
    void reset() { s_.reset(); }

    std::vector<bool> add(std::vector<new_request> r) { return loop_->run(s_->async_add(std::move(r))); }
    lease_batch lease(std::size_t n, std::chrono::milliseconds duration = 10min)
    {
        return loop_->run(s_->async_lease(n, duration));
    }
    commit_result complete(lease_token t, completion c = {}) { return loop_->run(s_->async_complete(t, std::move(c))); }
    void fetched(lease_token t, state::fetch_outcome o) { loop_->run(s_->async_fetched(t, std::move(o))); }
    commit_result retry(lease_token t, request r, std::chrono::milliseconds not_before,
                        state::fetch_outcome o = {})
    {
        return loop_->run(s_->async_retry(t, std::move(r), not_before, std::move(o)));
    }
    std::vector<bool> extend(std::vector<lease_token> t, std::chrono::milliseconds d)
    {
        return loop_->run(s_->async_extend(std::move(t), d));
    }
    void release(std::vector<lease_token> t) { loop_->run(s_->async_release(std::move(t))); }
    bool finished() { return loop_->run(s_->async_finished()); }
    void set_min_delay(std::string host, std::chrono::milliseconds d)
    {
        loop_->run(s_->async_set_min_delay(std::move(host), d));
    }
    void back_off(std::string host, std::chrono::milliseconds d) { loop_->run(s_->async_back_off(std::move(host), d)); }
    state::counters counts() { return loop_->run(s_->async_counters()); }
    std::vector<state::host_stats> busiest(std::size_t n) { return loop_->run(s_->async_busiest_hosts(n)); }
    void flush() { loop_->run(s_->async_flush()); }
    state::robots_answer robots(std::string origin, std::chrono::milliseconds claim)
    {
        return loop_->run(s_->async_robots(std::move(origin), claim));
    }
    void store_robots(std::string origin, std::string host, state::robots_file f, std::chrono::milliseconds ttl)
    {
        loop_->run(s_->async_store_robots(std::move(origin), std::move(host), std::move(f), ttl));
    }
    void release_robots(std::string origin) { loop_->run(s_->async_release_robots(std::move(origin))); }

private:
    state_loop* loop_;
    std::unique_ptr<state::crawl_state> s_;
};

/// Opens a fresh state of backend `b`.
template <class Backend>
sync_state open_state(Backend& b, engine::settings const& s)
{
    return sync_state(b, b.open(s));
}

/// Settings under which the lease order is fully determined by priority and FIFO: no per-host
/// limit in reach, no delay, no adaptation, no robots.txt readiness (its own cases turn it on).
inline engine::settings ordered_settings()
{
    engine::settings s;
    s.obey_robots = false;
    s.per_host = 100'000;
    s.delay = 0ms;
    s.randomize_delay = false;
    s.adaptive_concurrency = false;
    return s;
}

/// The host of an "http://host/path" URL.
inline std::string host_of(std::string const& url)
{
    auto const start = url.find("://") + 3;
    return url.substr(start, url.find('/', start) - start);
}

/// A request for `url` with its host and its own fingerprint.
inline new_request make_request(std::string const& url, int priority = 0)
{
    request r(url);
    r.priority(priority);
    auto const fp = engine::make_fingerprint(r.http());
    return new_request(std::move(r), host_of(url), fp);
}

/// A request for `url` carrying fingerprint `fp` (de-duplication is by the fingerprint given).
inline new_request make_request(std::string const& url, engine::fingerprint fp, int priority = 0)
{
    auto n = make_request(url, priority);
    n.fp = fp;
    return n;
}

/// The URLs of a batch's leases, in the order returned.
inline std::vector<std::string> urls_of(lease_batch const& b)
{
    std::vector<std::string> out;
    for (auto const& l : b.leases)
        out.push_back(l.req.url());
    return out;
}

/// True when `b` says there is nothing to wait for within `t`: next_in is nullopt (only a
/// completion, an add or a retry coming due can unblock) or no sooner than `t` (a lease of the
/// test's, `t` or more away, may expire: a backend may name that time).
inline bool quiet_for(lease_batch const& b, std::chrono::milliseconds t)
{
    return !b.next_in || *b.next_in >= t;
}

/// An item naming `v`.
inline item make_item(std::string const& v)
{
    item i;
    i.set("v", v);
    return i;
}

/// An outcome that feeds a host's controller nothing to adapt to (no request reached the host).
inline state::fetch_outcome neutral_outcome()
{
    return state::fetch_outcome{};
}

/// A 200 response in `latency`.
inline state::fetch_outcome ok_outcome(std::chrono::milliseconds latency = 20ms)
{
    state::fetch_outcome o;
    o.fetched = true;
    o.latency = latency;
    o.status = 200;
    return o;
}

} // namespace weft::test
