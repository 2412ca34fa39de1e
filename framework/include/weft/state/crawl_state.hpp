// weft::state::crawl_state: everything a crawl must remember, behind one asynchronous, batched
// interface with leases (docs/ARCHITECTURE.md, "The crawl state").
//
// A request moves through the states
//
//     pending --lease--> leased --complete--> done
//        ^                  |  \--complete(failed)--> failed
//        |                  |--retry(not_before)--> delayed --(due)--> pending
//        +--(lease expired, or released by a stopping worker)--+
//
// Every lease carries a token that is never handed out twice (a fencing token). Completing,
// retrying, extending or releasing a lease whose token is no longer current (it expired and was
// leased again, or it was already completed) is refused with `stale`, and a refused completion's
// items and requests are dropped: a late worker can never double an output. An expired lease is
// the crash-recovery path: a worker that dies holding leases loses nothing, its requests come
// back after their lease.
//
// Backends: in memory (memory_state.hpp), the job directory (job_state.hpp, SQLite: survives
// kill -9); the Redis backend is a plugin. All pass tests/unit/state/crawl_state_conformance.cpp.
//
// Politeness is decided inside the state: lease() hands out only requests whose host's
// controller (host_controller.hpp) allows one to start now (per-host concurrency, delay with
// jitter, robots.txt Crawl-delay, autothrottle, Retry-After and doubling backoff, adaptive
// concurrency), and so is robots.txt readiness: a host's other requests wait while its first one
// fetches its robots.txt, which the crawl fetches once and shares (async_robots).
//
// Times are durations relative to the backend's clock (a remote backend uses its server's), so
// no two clocks are ever compared.
//
// @par Thread safety
// One object is used from one executor (the engine's); operations may be awaited concurrently
// from several coroutines of that executor.
//
// @par Errors
// Operations throw weft::system_error for a backend failure (a database that cannot be written,
// a server out of memory), with a message that names the backend and the cause; a stale token is
// not an error (it is the result `stale`).
#pragma once

#include <weft/async/task.hpp>
#include <weft/engine/fingerprint.hpp>
#include <weft/spider/item.hpp>
#include <weft/spider/request.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace weft::state
{

using std::chrono::milliseconds;
using engine::fingerprint;

/// A lease's identity and fencing token: strictly increasing over the life of a crawl state
/// (across restarts of a persistent one), never 0.
using lease_token = std::uint64_t;

/// A request on its way into the state: the scheduler computed its host and fingerprint.
struct new_request
{
    new_request() = default;
    new_request(weft::request r, std::string h, fingerprint f) : req(std::move(r)), host(std::move(h)), fp(f) {}

    weft::request req; ///< priority() orders it; dont_filter() skips the seen-set check
    std::string host;  ///< the politeness key (lower-case host name)
    fingerprint fp;
};

/// A request handed to a worker until `expires_in` passes.
struct lease
{
    lease_token token = 0;
    weft::request req;
    std::string host;
    milliseconds expires_in{0}; ///< from the moment lease() returned
};

/// What lease() returned: the leases, and when to ask again if it returned fewer than asked.
struct lease_batch
{
    std::vector<lease> leases;
    /// When a request may become startable without anything else happening: a host's delay or
    /// backoff passing, a retry coming due, a lease expiring. nullopt when only a completion or
    /// an add can make one startable.
    std::optional<milliseconds> next_in;
};

/// How a fetch went, for the host's controller: latency, status (0: no response), and a
/// Retry-After the server sent (429/503).
struct fetch_outcome
{
    bool fetched = false; ///< false: no request reached the host (a cache hit, robots-filtered)
    milliseconds latency{0};
    int status = 0;
    std::optional<milliseconds> retry_after;
};

/// How a leased request ended.
enum class final_state
{
    done,   ///< a response reached its callback, or it was filtered (robots, redirect hop)
    failed, ///< an error after its retries (its errback ran)
    /// Given up for this run, not for the crawl (its host's robots.txt stayed unreachable): counted
    /// failed and its items kept, but a persistent backend (the job directory) keeps the request
    /// pending for the next run instead of recording it as finished. Redis records it as failed.
    deferred,
};

/// A lease's completion: its outcome, the items its callback yielded and the requests it
/// discovered that were not added yet. Committed in one atomic step.
struct completion
{
    final_state state = final_state::done;
    fetch_outcome outcome;
    std::vector<item> items;
    std::vector<new_request> discovered;
};

/// Refused: the token is no longer current. The caller drops what it carried.
enum class commit_result
{
    accepted,
    stale,
};

/// One host's politeness as the controller sees it now (stats, progress, `weft status`).
struct host_stats
{
    std::string host;
    std::size_t pending = 0;
    std::size_t in_flight = 0;
    std::size_t concurrency = 0; ///< the adaptive limit now (at most settings::per_host)
    milliseconds delay{0};       ///< the delay between starts now (before jitter)
    std::uint64_t backoffs = 0;  ///< 429/503 and error backoffs so far
    std::optional<milliseconds> backoff_for; ///< how long starts are still held back, if they are
};

/// {"host", "pending", "in_flight", "concurrency", "delay_ms", "backoffs"[, "backoff_ms"]}: a
/// host in the stats JSON and `weft status --json` ("backoff_ms" only while it is held back).
nlohmann::json to_json(host_stats const& h);

/// Counters of the state as a whole.
struct counters
{
    std::uint64_t pending = 0; ///< queued and startable when their host allows (spilled included)
    std::uint64_t leased = 0;
    std::uint64_t delayed = 0; ///< retries waiting for their not-before time
    std::uint64_t done = 0;    ///< completed (this state's lifetime, across restarts)
    std::uint64_t failed = 0;
    std::uint64_t expired = 0; ///< leases that expired and went back to pending
    std::uint64_t stale = 0;   ///< refused completions, retries, extensions
    std::uint64_t seen = 0;    ///< fingerprints in the seen-set
    std::uint64_t items = 0;   ///< items kept by the state itself (Redis); 0 for local backends
};

/// A crawl's copy of one origin's robots.txt, shared by every worker of the crawl.
struct robots_file
{
    int status = 0;   ///< the HTTP status of the fetch (0: no response)
    std::string body; ///< at most robots::max_size bytes
};

/// What async_robots answered for an origin: exactly one of the three.
struct robots_answer
{
    std::optional<robots_file> file; ///< the crawl's copy, still fresh for `fresh_for`
    milliseconds fresh_for{0};
    bool fetch = false;              ///< nobody has it: the caller fetches it and calls async_store_robots
    milliseconds ask_again{0};       ///< another worker is fetching it: ask again after this
};

/// A worker process taking part in the crawl (distributed backends).
struct worker_info
{
    std::string id;        ///< "host:pid:start"
    milliseconds seen_ago{0}; ///< since its last heartbeat (a lease, a completion)
    std::uint64_t leased = 0; ///< leases it holds now
};

/// An item the state keeps (Redis), with its position in the crawl's item log.
struct kept_item
{
    std::string id; ///< increasing; pass the last one read to async_read_items to go on
    item value;
};

/// Where a local backend hands a completion's items: the engine's item writer. `durable` is
/// called once every sink made them durable; a persistent backend makes the completion final
/// only then (`durable` is empty when there is nothing to make final: the memory backend).
/// async_consume may suspend (the writer's buffer is full): that is backpressure.
class item_consumer
{
public:
    virtual ~item_consumer() = default;
    virtual task<void> async_consume(std::vector<item> items, std::function<void()> durable) = 0;
};

/// The job directory's half of the item writer's two-phase commit. Before a batch is written,
/// the sinks' sizes are committed (begin_batch); after it is written and flushed, the batch's
/// completions become final and the sizes are cleared in one commit (end_batch). A run that died
/// between the two finds the sizes (open_batch), cuts the outputs back, and fetches those
/// requests again: every item is in the output exactly once.
class output_journal
{
public:
    virtual ~output_journal() = default;
    /// The sizes recorded by a batch the last run did not finish (null when none).
    virtual nlohmann::json open_batch() = 0;
    virtual void begin_batch(nlohmann::json const& sink_sizes) = 0;
    /// Runs the `durable` callbacks of the batch's items (they ran before), then commits.
    virtual void end_batch(nlohmann::json const& stats) = 0;
    /// Stats saved by an earlier run (null when none).
    virtual nlohmann::json saved_stats() = 0;
};

/// How a backend stores requests (spills, job.db, Redis): a spider's callbacks are stored by name and found again on load.
struct request_codec
{
    std::function<nlohmann::json(weft::request const&)> to_json;
    std::function<weft::request(nlohmann::json const&)> from_json;

    /// Stores callbacks by the names given to weft::request::callback (none: parse).
    static request_codec plain();
};

class crawl_state
{
public:
    virtual ~crawl_state() = default;

    /// Short name for messages and stats: "memory", "job", "redis".
    virtual std::string_view name() const noexcept = 0;

    /// Adds requests: each is checked against the seen-set by fingerprint (unless dont_filter),
    /// and the new ones are queued by priority (FIFO among equal priorities). Returns one flag
    /// per request: true when it was queued. Idempotent for a given fingerprint.
    virtual task<std::vector<bool>> async_add(std::vector<new_request> requests) = 0;

    /// Leases up to `n` requests that may start now, highest priority first (FIFO among equals)
    /// across hosts whose controller allows a start. Expired leases go back to pending first.
    /// Each lease counts against its host's concurrency and advances its delay. `duration` is
    /// the lease's length.
    virtual task<lease_batch> async_lease(std::size_t n, milliseconds duration) = 0;

    /// Ends a lease in one atomic step: its outcome, its items, its discovered requests (added as
    /// async_add would). Refused (`stale`) when the token is not current: nothing is kept.
    virtual task<commit_result> async_complete(lease_token token, completion c) = 0;

    /// The lease's fetch is over (its callback may still run): its host's place in flight frees
    /// for the next request, and `outcome` feeds the host's controller now rather than at
    /// completion. Optional; ignored for a stale token.
    virtual task<void> async_fetched(lease_token token, fetch_outcome outcome) = 0;

    /// Gives the leased request back to be tried again no sooner than `not_before`, replacing
    /// it by `req` (the caller counted the attempt). The outcome feeds the host's controller.
    virtual task<commit_result> async_retry(lease_token token, weft::request req, milliseconds not_before,
                                            fetch_outcome outcome) = 0;

    /// Lengthens leases (a slow page, a long render) to `duration` from now. One flag per token:
    /// false when it was stale.
    virtual task<std::vector<bool>> async_extend(std::vector<lease_token> tokens, milliseconds duration) = 0;

    /// Gives leases back untouched (a worker stopping): pending again at once, no attempt counted.
    virtual task<void> async_release(std::vector<lease_token> tokens) = 0;

    /// Nothing pending, leased or delayed.
    virtual task<bool> async_finished() = 0;

    /// A floor for the host's delay between starts (robots.txt Crawl-delay).
    virtual task<void> async_set_min_delay(std::string host, milliseconds delay) = 0;
    /// Holds the host's starts for `d` (a Retry-After that came outside a completion).
    virtual task<void> async_back_off(std::string host, milliseconds d) = 0;

    virtual task<counters> async_counters() = 0;
    /// The hosts with the most pending requests and in flight, at most `n`.
    virtual task<std::vector<host_stats>> async_busiest_hosts(std::size_t n) = 0;

    /// Makes everything accepted so far durable (a persistent backend commits). Called by the
    /// engine when it stops; completions with items become final through the journal instead.
    virtual task<void> async_flush() = 0;

    /// robots.txt readiness (docs/ARCHITECTURE.md, "robots.txt"). With settings::obey_robots a
    /// host's first lease opens it: no other request of the host is leased until
    /// async_store_robots stored a copy for one of its origins, or that first lease ended
    /// (completed, retried, released, expired) without one, when the next lease opens it again.
    /// async_robots asks for an origin's ("https://example.com:8443") copy: fresh, or a claim to
    /// fetch it (for `claim`, after which another worker may claim it), or wait.
    virtual task<robots_answer> async_robots(std::string origin, milliseconds claim) = 0;
    /// Stores an origin's robots.txt for `ttl` (its cache lifetime) and marks `host` ready.
    virtual task<void> async_store_robots(std::string origin, std::string host, robots_file file,
                                          milliseconds ttl) = 0;
    /// Gives up this worker's claim to fetch an origin's robots.txt without storing one (it was
    /// unreachable: RFC 9309 says try again later): the next async_robots may claim it at once.
    /// The host stays not ready; its opening lease, when it ends, lets the next lease open it.
    virtual task<void> async_release_robots(std::string origin) = 0;

    /// The workers of a shared crawl, most recently seen first (local backends: none).
    virtual task<std::vector<worker_info>> async_workers() { co_return std::vector<worker_info>{}; }

    /// Items kept by the state (a backend whose attach_item_consumer returns false), in commit
    /// order, after `after` ("" for the first), at most `n`.
    /// @throws weft::system_error (weft::error::not_supported) for a backend that keeps none.
    virtual task<std::vector<kept_item>> async_read_items(std::string after, std::size_t n);

    /// Local backends hand items to `consumer` (the item writer) and return true; a backend that
    /// keeps items itself (Redis) returns false and ignores it.
    virtual bool attach_item_consumer(item_consumer* consumer) { return false; }
    /// The two-phase commit partner of the item writer; nullptr when not persistent.
    virtual output_journal* journal() noexcept { return nullptr; }
    /// True when this state was created from an earlier run's (a resumed job).
    virtual bool resumed() const noexcept { return false; }
    /// A state shared with other workers changes without this process doing anything (their
    /// adds, completions, expiries): the engine asks for leases again at least this often, and
    /// lease()'s next_in speaks only of what this state knows. nullopt: not shared.
    virtual std::optional<milliseconds> poll_interval() const noexcept { return std::nullopt; }
};

} // namespace weft::state
