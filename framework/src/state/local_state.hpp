// The crawl state of one process: the memory backend and, with a persistent job store, the job
// directory's (memory_state.hpp, job_state.hpp). Private to the framework.
//
// The queues are the frontier (per-host priority queues, a delayed heap, spill to the job
// store past settings::frontier_memory_limit); the seen-set is the in-memory table, loaded from
// job.db on open; leases live in a table keyed by token, with a heap of expiries checked on each
// lease(). With a job store every accepted operation is also written to job.db in its open
// transaction, which the item writer's batches (the output_journal) and async_flush() commit.
#pragma once

#include <weft/engine/frontier.hpp>
#include <weft/engine/seen_set.hpp>
#include <weft/state/crawl_state.hpp>

#include "engine/job_store.hpp"
#include "state/job_lock.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

namespace weft::state
{

class local_state final : public crawl_state, private output_journal
{
public:
    using clock = std::chrono::steady_clock;

    /// `store` holds spills (a scratch file) or, when `persistent`, the whole job.
    local_state(engine::settings const& s, std::unique_ptr<engine::job_store> store, bool persistent);
    ~local_state() override;

    std::string_view name() const noexcept override { return persistent_ ? "job" : "memory"; }
    task<std::vector<bool>> async_add(std::vector<new_request> requests) override;
    task<lease_batch> async_lease(std::size_t n, milliseconds duration) override;
    task<commit_result> async_complete(lease_token token, completion c) override;
    task<void> async_fetched(lease_token token, fetch_outcome outcome) override;
    task<commit_result> async_retry(lease_token token, weft::request req, milliseconds not_before,
                                    fetch_outcome outcome) override;
    task<std::vector<bool>> async_extend(std::vector<lease_token> tokens, milliseconds duration) override;
    task<void> async_release(std::vector<lease_token> tokens) override;
    task<bool> async_finished() override;
    task<void> async_set_min_delay(std::string host, milliseconds delay) override;
    task<void> async_back_off(std::string host, milliseconds d) override;
    task<counters> async_counters() override;
    task<std::vector<host_stats>> async_busiest_hosts(std::size_t n) override;
    task<void> async_flush() override;
    task<robots_answer> async_robots(std::string origin, milliseconds claim) override;
    task<void> async_store_robots(std::string origin, std::string host, robots_file file, milliseconds ttl) override;
    task<void> async_release_robots(std::string origin) override;
    bool attach_item_consumer(item_consumer* consumer) override;
    output_journal* journal() noexcept override { return persistent_ ? this : nullptr; }
    bool resumed() const noexcept override { return resumed_; }

private:
    struct held
    {
        engine::frontier_entry entry;
        clock::time_point expires;
        bool fetched = false; // its host's place was freed by async_fetched
        bool opens_robots = false; // its start opened its host's robots.txt readiness
    };

    // output_journal
    nlohmann::json open_batch() override;
    void begin_batch(nlohmann::json const& sink_sizes) override;
    void end_batch(nlohmann::json const& stats) override;
    nlohmann::json saved_stats() override;

    std::vector<bool> add_now(std::vector<new_request>& requests);
    void expire_leases(clock::time_point now);
    lease_token next_token();
    /// Takes the lease of `token` out of the table; nullptr (and counted stale) when not current.
    std::unique_ptr<held> take(lease_token token);
    /// Frees the host's place of `h` unless async_fetched did (with `o`, or as abandoned).
    void settle(held& h, fetch_outcome const* o, clock::time_point now);
    /// The lease `h` ended (completed, retried, released, expired): an opening lease that ended
    /// before its host's robots.txt was stored makes the host unknown again.
    void ended(held const& h);
    void finish_row(std::int64_t id);
    void save_counters();
    void load();

    engine::settings settings_;
    bool persistent_;
    bool resumed_ = false;
    std::unique_ptr<engine::job_store> store_;
    engine::memory_seen_set seen_;
    engine::frontier frontier_;
    std::unordered_map<lease_token, std::unique_ptr<held>> leases_;
    using expiry = std::pair<clock::time_point, lease_token>;
    std::priority_queue<expiry, std::vector<expiry>, std::greater<>> expiries_;
    lease_token next_token_ = 1;
    lease_token token_ceiling_ = 0; // persistent: tokens below it may have been handed out
    counters counters_;
    item_consumer* consumer_ = nullptr;
    struct robots_copy
    {
        std::optional<robots_file> file;
        clock::time_point fresh_until{};
        clock::time_point claimed_until{}; // a worker is fetching it until then
    };
    std::unordered_map<std::string, robots_copy> robots_; // by origin; not in job.db (a resumed job fetches again)
    std::vector<std::int64_t> durable_rows_; // completions whose items the writer made durable

public:
    /// The job directory's lock, held as long as the state (open_job_state).
    std::unique_ptr<detail::job_lock> lock;
};

} // namespace weft::state
