// weft::redis::redis_state: the crawl state on Redis (crawl_state.hpp's third backend), shared by
// every weft process started with the same --frontier and --crawl-id.
//
// Every operation is one EVALSHA of the crawl-state script (plugins/state_redis/lua/), one atomic
// step on the server with the server's clock: a page costs three round trips (lease, which
// leases up to 64 at once, fetched, complete), plus the robots.txt ones once per host.
// docs/ARCHITECTURE.md, "The crawl state on Redis", has the key layout and the recovery story.
//
// Seen-set: the first 64 bits of a request's fingerprint, split into 65,536 buckets (the top 16
// bits) of 48-bit integers: Redis keeps each bucket as an intset, 8 bytes a URL plus a
// bucket's own ~80 bytes (about 13 bytes a URL at 1,000,000 URLs; bench/README.md).
//
// Items stay in Redis (a stream appended by the completing script): attach_item_consumer
// returns false, and `weft export` reads them with async_read_items.
#pragma once

#include "redis_client.hpp"

#include <weft/engine/settings.hpp>
#include <weft/state/backend_registry.hpp>
#include <weft/state/crawl_state.hpp>

#include <memory>
#include <random>
#include <string>

namespace weft::redis
{

class redis_state final : public state::crawl_state
{
public:
    /// Connects, loads the script, and (when where.configure... always for a crawl) writes the
    /// politeness settings. @throws weft::system_error naming the address (see redis_client.hpp).
    static task<std::unique_ptr<state::crawl_state>> open(executor ex, state::backend_address where,
                                                          engine::settings const& s, state::request_codec codec);

    redis_state(std::shared_ptr<connection> conn, std::string crawl_id, state::request_codec codec, bool resumed);

    std::string_view name() const noexcept override { return "redis"; }
    task<std::vector<bool>> async_add(std::vector<state::new_request> requests) override;
    task<state::lease_batch> async_lease(std::size_t n, state::milliseconds duration) override;
    task<state::commit_result> async_complete(state::lease_token token, state::completion c) override;
    task<void> async_fetched(state::lease_token token, state::fetch_outcome outcome) override;
    task<state::commit_result> async_retry(state::lease_token token, weft::request req, state::milliseconds not_before,
                                           state::fetch_outcome outcome) override;
    task<std::vector<bool>> async_extend(std::vector<state::lease_token> tokens, state::milliseconds duration) override;
    task<void> async_release(std::vector<state::lease_token> tokens) override;
    task<bool> async_finished() override;
    task<void> async_set_min_delay(std::string host, state::milliseconds delay) override;
    task<void> async_back_off(std::string host, state::milliseconds d) override;
    task<state::counters> async_counters() override;
    task<std::vector<state::host_stats>> async_busiest_hosts(std::size_t n) override;
    task<void> async_flush() override { co_return; } // every accepted operation is on the server already
    task<state::robots_answer> async_robots(std::string origin, state::milliseconds claim) override;
    task<void> async_store_robots(std::string origin, std::string host, state::robots_file file,
                                  state::milliseconds ttl) override;
    task<void> async_release_robots(std::string origin) override;
    task<std::vector<state::worker_info>> async_workers() override;
    task<std::vector<state::kept_item>> async_read_items(std::string after, std::size_t n) override;
    bool resumed() const noexcept override { return resumed_; }
    /// Other workers' adds and completions are seen within this (the engine's idle poll).
    std::optional<state::milliseconds> poll_interval() const noexcept override { return state::milliseconds(200); }

    /// Replies received on the connection (round trips; bench).
    std::uint64_t round_trips() const noexcept { return conn_->round_trips(); }

private:
    /// EVALSHA of the script: operation `op` with `args`.
    task<reply> call(char const* op, std::vector<std::string> args);
    void append_request(std::vector<std::string>& args, state::new_request const& r) const;

    std::shared_ptr<connection> conn_;
    std::string crawl_id_;
    std::string key_; // "{crawl_id}": the hash tag of every key of the crawl
    std::string worker_;
    state::request_codec codec_;
    bool resumed_;
    std::mt19937_64 rng_{std::random_device{}()};
};

/// The crawl state's Lua script (lua/*.lua joined; generated at build time).
script const& crawl_state_script();

/// "a crawl id of 1-200 printable characters without braces": throws std::invalid_argument otherwise.
void check_crawl_id(std::string_view id);

} // namespace weft::redis
