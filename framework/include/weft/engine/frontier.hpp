// weft::engine::frontier: the queued requests, per host, released by priority when the host's
// politeness allows (step 3 of the crawl data path).
#pragma once

#include <weft/engine/settings.hpp>
#include <weft/state/host_controller.hpp>
#include <weft/spider/request.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace weft::engine
{

/// One queued request and the host whose slot it uses.
struct frontier_entry
{
    std::int64_t id = 0; ///< the job store's row id (0 without a job directory)
    weft::request req;
    std::string host;
};

/// Where requests over the frontier's memory limit go (an SQLite table), and come back from.
class frontier_store
{
public:
    virtual ~frontier_store() = default;
    /// Keeps `e` out of memory until unspill().
    virtual void spill(frontier_entry const& e) = 0;
    /// Up to `n` spilled entries, highest priority first; they are no longer spilled.
    virtual std::vector<frontier_entry> unspill(std::size_t n) = 0;
    /// Up to `n` spilled entries of `host`, highest priority first.
    virtual std::vector<frontier_entry> unspill_host(std::string const& host, std::size_t n) = 0;
    /// How many entries of each host are spilled (hosts with none are absent).
    virtual std::map<std::string, std::size_t> spilled_hosts() const = 0;
    virtual std::size_t spilled() const = 0;
    /// The highest priority among the spilled entries (nullopt when none).
    virtual std::optional<int> top_spilled_priority() const = 0;
};

/// Per-host priority queues plus a global order over the hosts' best requests.
///
/// pop() returns the highest-priority request (FIFO among equals) whose host's controller
/// (state/host_controller.hpp) allows a start now. A host that is busy does not
/// hold back the others; nor does one whose robots.txt readiness is opening (its slot holds
/// its other requests until its robots.txt is stored or the opening request ends). Requests with a not-before time (retries with backoff) wait in a
/// separate heap until due. Past `memory_limit` queued requests, new ones go to the store, and so
/// does every new one while any is there (so memory always holds the oldest: FIFO among equal
/// priorities holds across the spill); they come back by priority as memory frees up, and at
/// once when the best spilled priority beats the best in memory. A host whose requests are all
/// on disk is not starved by another host's backlog filling the memory (a slow or stalled
/// host): when nothing in memory can start, a few of each such host's come back, so memory may
/// pass the limit by at most a quarter of it.
///
/// Thread safety: none; the engine uses it from its executor.
class frontier
{
public:
    using clock = std::chrono::steady_clock;

    explicit frontier(settings const& s, frontier_store* store = nullptr);

    void push(frontier_entry e);
    /// Queues `e` from time `at` on (a retry after its backoff).
    void push_at(frontier_entry e, clock::time_point at);
    /// The next request that may start now, its host slot already counting it; else nullopt and
    /// `next_ready` set to when a queued request's delay passes (time_point::max() when only
    /// completions or a stored robots.txt can unblock one). `opened`, when given, is set to
    /// whether the request opened its host's robots.txt readiness (host_controller::on_start).
    std::optional<frontier_entry> pop(clock::time_point now, clock::time_point& next_ready, bool* opened = nullptr);
    /// A request taken by pop() ended with `o`: frees its host's place and feeds its controller.
    void done(std::string const& host, state::fetch_outcome const& o, clock::time_point now);
    /// A request taken by pop() was given back without an outcome.
    void abandon(std::string const& host);

    state::host_controller& slot(std::string const& host);
    /// The hosts with the most requests queued or in flight (at most `n`), with their controllers' state.
    std::vector<state::host_stats> busiest_hosts(std::size_t n, clock::time_point now);
    /// Requests queued and not delayed (in memory and spilled).
    std::size_t pending() const;
    /// Requests queued: in memory, delayed and spilled.
    std::size_t size() const;
    bool empty() const { return size() == 0; }
    std::size_t in_memory() const noexcept { return in_memory_; }
    std::size_t delayed() const noexcept { return delayed_.size(); }

private:
    struct queued
    {
        int priority;
        std::uint64_t seq;
        frontier_entry e;
    };
    struct queued_less
    {
        bool operator()(queued const& a, queued const& b) const
        {
            return a.priority != b.priority ? a.priority < b.priority : a.seq > b.seq;
        }
    };
    struct host_queue
    {
        std::priority_queue<queued, std::vector<queued>, queued_less> q;
    };
    using head_key = std::tuple<int, std::uint64_t, std::string>; // (-priority, seq, host)
    struct delayed_entry
    {
        clock::time_point at;
        std::uint64_t seq;
        frontier_entry e;
        bool operator>(delayed_entry const& o) const { return at != o.at ? at > o.at : seq > o.seq; }
    };

    void enqueue(frontier_entry e);
    void refresh_head(std::string const& host);
    void refill();
    /// The best request in memory whose host may start one now (see pop()).
    std::optional<frontier_entry> pop_startable(clock::time_point now, clock::time_point& next_ready, bool* opened);
    /// Brings back spilled requests of hosts that have none in memory; false if there were none.
    bool unspill_idle_hosts();
    /// Brings back the best spilled entries when they outrank everything in memory.
    void promote_spilled();
    void forget_spilled(std::string const& host, std::size_t n);

    state::host_policy policy_;
    frontier_store* store_;
    std::size_t memory_limit_;
    std::unordered_map<std::string, host_queue> queues_;
    std::unordered_map<std::string, head_key> head_of_;
    std::set<head_key> heads_;
    std::unordered_map<std::string, state::host_controller> slots_;
    std::priority_queue<delayed_entry, std::vector<delayed_entry>, std::greater<>> delayed_;
    std::uint64_t seq_ = 0;
    std::size_t in_memory_ = 0;
    std::map<std::string, std::size_t> spilled_by_host_; // mirrors the store's (spilled_hosts())
    std::size_t spilled_counted_ = 0;
    // The best spilled priority, so a pop does not query the store each time; nullopt: unknown
    // (after an unspill, or a resumed job's rows), asked again on the next promote_spilled().
    std::optional<int> spilled_top_;
    bool spilled_top_known_ = false;
};

} // namespace weft::engine
