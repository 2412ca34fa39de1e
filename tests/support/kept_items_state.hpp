// weft::test::kept_items_state: a crawl state that keeps items, as a shared backend (Redis) does,
// over a vector the test fills: the input of the item exporter's tests (export_items.hpp). Only
// the item log, async_finished and async_counters work; the rest of the interface throws
// not_supported (an exporter must not need it).
#pragma once

#include <weft/state/crawl_state.hpp>

#include <string>
#include <vector>

namespace weft::test
{

class kept_items_state final : public state::crawl_state
{
public:
    /// Appends an item with the next id ("1-0", "2-0", ...: increasing, not comparable as text,
    /// like a Redis stream's).
    void commit(item it);
    /// Appends `n` items {"n": i} numbered on from the last.
    void commit_numbered(std::size_t n);
    /// What async_finished answers.
    bool finished = true;
    /// How many times async_read_items was called.
    std::size_t reads = 0;

    std::string_view name() const noexcept override { return "kept-items"; }
    task<std::vector<state::kept_item>> async_read_items(std::string after, std::size_t n) override;
    task<bool> async_finished() override;
    task<state::counters> async_counters() override;

    task<std::vector<bool>> async_add(std::vector<state::new_request>) override;
    task<state::lease_batch> async_lease(std::size_t, state::milliseconds) override;
    task<state::commit_result> async_complete(state::lease_token, state::completion) override;
    task<void> async_fetched(state::lease_token, state::fetch_outcome) override;
    task<state::commit_result> async_retry(state::lease_token, weft::request, state::milliseconds,
                                           state::fetch_outcome) override;
    task<std::vector<bool>> async_extend(std::vector<state::lease_token>, state::milliseconds) override;
    task<void> async_release(std::vector<state::lease_token>) override;
    task<void> async_set_min_delay(std::string, state::milliseconds) override;
    task<void> async_back_off(std::string, state::milliseconds) override;
    task<std::vector<state::host_stats>> async_busiest_hosts(std::size_t) override;
    task<void> async_flush() override;
    task<state::robots_answer> async_robots(std::string, state::milliseconds) override;
    task<void> async_store_robots(std::string, std::string, state::robots_file, state::milliseconds) override;
    task<void> async_release_robots(std::string) override;

private:
    std::vector<state::kept_item> items_;
};

} // namespace weft::test
