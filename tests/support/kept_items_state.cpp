#include "support/kept_items_state.hpp"

#include <weft/error.hpp>

#include <stdexcept>

namespace weft::test
{

namespace
{
[[noreturn]] void unsupported(char const* op)
{
    throw_error(error::not_supported, std::string("kept_items_state: ") + op);
}
} // namespace

void kept_items_state::commit(item it)
{
    items_.push_back(state::kept_item{std::to_string(items_.size() + 1) + "-0", std::move(it)});
}

void kept_items_state::commit_numbered(std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
    {
        item it;
        it.set("n", items_.size() + 1);
        it.set("text", "item \"" + std::to_string(items_.size() + 1) + "\", with a comma");
        commit(std::move(it));
    }
}

task<std::vector<state::kept_item>> kept_items_state::async_read_items(std::string after, std::size_t n)
{
    ++reads;
    std::size_t from = 0;
    if (!after.empty())
    {
        while (from < items_.size() && items_[from].id != after)
            ++from;
        if (from == items_.size())
            throw std::invalid_argument("kept_items_state: no item " + after);
        ++from;
    }
    std::vector<state::kept_item> out;
    for (auto i = from; i < items_.size() && out.size() < n; ++i)
        out.push_back(items_[i]);
    co_return out;
}

task<bool> kept_items_state::async_finished()
{
    co_return finished;
}

task<state::counters> kept_items_state::async_counters()
{
    state::counters c;
    c.items = items_.size();
    co_return c;
}

task<std::vector<bool>> kept_items_state::async_add(std::vector<state::new_request>)
{
    unsupported("async_add");
}
task<state::lease_batch> kept_items_state::async_lease(std::size_t, state::milliseconds)
{
    unsupported("async_lease");
}
task<state::commit_result> kept_items_state::async_complete(state::lease_token, state::completion)
{
    unsupported("async_complete");
}
task<void> kept_items_state::async_fetched(state::lease_token, state::fetch_outcome)
{
    unsupported("async_fetched");
}
task<state::commit_result> kept_items_state::async_retry(state::lease_token, weft::request, state::milliseconds,
                                                         state::fetch_outcome)
{
    unsupported("async_retry");
}
task<std::vector<bool>> kept_items_state::async_extend(std::vector<state::lease_token>, state::milliseconds)
{
    unsupported("async_extend");
}
task<void> kept_items_state::async_release(std::vector<state::lease_token>)
{
    unsupported("async_release");
}
task<void> kept_items_state::async_set_min_delay(std::string, state::milliseconds)
{
    unsupported("async_set_min_delay");
}
task<void> kept_items_state::async_back_off(std::string, state::milliseconds)
{
    unsupported("async_back_off");
}
task<std::vector<state::host_stats>> kept_items_state::async_busiest_hosts(std::size_t)
{
    co_return std::vector<state::host_stats>{};
}
task<void> kept_items_state::async_flush()
{
    co_return;
}
task<state::robots_answer> kept_items_state::async_robots(std::string, state::milliseconds)
{
    unsupported("async_robots");
}
task<void> kept_items_state::async_store_robots(std::string, std::string, state::robots_file, state::milliseconds)
{
    unsupported("async_store_robots");
}

task<void> kept_items_state::async_release_robots(std::string)
{
    unsupported("async_release_robots");
}

} // namespace weft::test
