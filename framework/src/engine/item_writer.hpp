// Step 8 of the crawl data path (docs/ARCHITECTURE.md): the item writer. Items of completed
// requests come in through async_consume (the crawl state's item_consumer), wait in a bounded
// buffer, and are written to every sink in group commits: when enough are waiting, every
// settings::sink_flush_interval, and at the end. A completion's `durable` callback runs only
// after every sink flushed its items; with a job directory each commit is the two phases of
// the output_journal (crawl_state.hpp), so a crash never leaves an item twice in a file output.
//
// Backpressure: async_consume suspends while settings::item_buffer items are waiting.
#pragma once

#include <weft/engine/settings.hpp>
#include <weft/engine/stats.hpp>
#include <weft/sink/sink.hpp>
#include <weft/state/crawl_state.hpp>

#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace weft::engine::detail
{

class item_writer final : public state::item_consumer
{
public:
    item_writer(executor ex, settings const& s, stats& st, std::vector<std::unique_ptr<sink>>& sinks);

    /// With a job directory: cuts the outputs back to before a batch the last run did not finish.
    void recover(state::output_journal& journal);
    /// Opens every sink. @throws std::invalid_argument naming the sink that does not open (exit 2).
    task<void> async_open();
    task<void> async_consume(std::vector<item> items, std::function<void()> durable) override;
    /// The commit loop; returns after close() with everything written, or after a sink failed.
    task<void> async_run();
    /// No more items: the loop writes what is left and returns.
    void close();
    /// Closes every sink; the first error (with the sink's diagnostics), if any.
    task<std::string> async_close_sinks();

    bool failed() const noexcept { return !error_.empty(); }
    std::string const& error() const noexcept { return error_; }
    /// Called once when a sink fails (the crawl ends as failed).
    std::function<void(std::string const&)> on_failure;

private:
    struct entry
    {
        std::vector<item> items;
        std::function<void()> durable;
    };
    task<void> commit(std::vector<entry> batch, std::size_t count);
    task<void> write_all(std::vector<item> const& items);
    nlohmann::json sink_sizes() const;
    static bool truncatable(sink const& s);

    settings const& settings_;
    stats& stats_;
    std::vector<std::unique_ptr<sink>>& sinks_;
    state::output_journal* journal_ = nullptr;
    bool recovered_ = false; // recover() found an open batch: closed after async_open
    std::vector<entry> waiting_;
    std::size_t waiting_items_ = 0;
    asio::steady_timer work_;  // the loop sleeps on it until items or the flush interval
    asio::steady_timer space_; // callbacks wait on it for room in the buffer
    bool closing_ = false;
    std::string error_;
};

} // namespace weft::engine::detail
