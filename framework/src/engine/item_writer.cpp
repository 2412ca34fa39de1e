#include "engine/item_writer.hpp"

#include <weft/http/proxy.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>

#include <filesystem>
#include <stdexcept>

namespace weft::engine::detail
{

namespace
{
// A commit starts as soon as this many items wait, without waiting for the flush interval.
constexpr std::size_t commit_threshold = 1000;

std::string failure_of(sink const& s, error_code ec, char const* doing)
{
    if (!s.diagnostics().empty())
        return s.diagnostics();
    return std::string("sink ") + s.path() + ": cannot " + doing + ": " + ec.message();
}
} // namespace

item_writer::item_writer(executor ex, settings const& s, stats& st, std::vector<std::unique_ptr<sink>>& sinks)
    : settings_(s), stats_(st), sinks_(sinks), work_(ex), space_(ex)
{
}

// File sinks that can be cut back to a size (sink::resizable) take part in the two phases.
bool item_writer::truncatable(sink const& s)
{
    return s.path() != "-" && s.resizable();
}

void item_writer::recover(state::output_journal& journal)
{
    journal_ = &journal;
    auto sizes = journal.open_batch();
    if (!sizes.is_object())
        return;
    for (auto const& s : sinks_)
    {
        if (!truncatable(*s))
        {
            if (auto mark = sizes.find(http::redact_credentials(s->path())); mark != sizes.end())
                s->undo_batch(*mark); // a database removes the batch's rows when it opens
            continue;
        }
        auto it = sizes.find(s->path());
        if (it == sizes.end())
            continue;
        std::error_code ec;
        auto now = std::filesystem::file_size(s->path(), ec);
        if (!ec && now > it->get<std::uintmax_t>())
            std::filesystem::resize_file(s->path(), it->get<std::uintmax_t>(), ec);
    }
    // Closed once the sinks opened: a database sink undoes the batch at open, and a run that
    // dies before then must find the batch again.
    recovered_ = true;
}

task<void> item_writer::async_open()
{
    for (auto& s : sinks_)
    {
        auto [ec] = co_await s->async_open(asio::as_tuple(asio::deferred));
        // An output that cannot be used is a bad -o: invalid_argument (exit 2), before any fetch.
        if (ec)
            throw std::invalid_argument(s->diagnostics().empty() ? "cannot open " + s->path() + ": " + ec.message()
                                                                 : s->diagnostics());
    }
    if (std::exchange(recovered_, false))
        journal_->end_batch(stats_.to_json());
}

task<void> item_writer::async_consume(std::vector<item> items, std::function<void()> durable)
{
    while (waiting_items_ >= settings_.item_buffer && !failed() && !closing_)
    {
        space_.expires_at(asio::steady_timer::time_point::max());
        co_await space_.async_wait(asio::as_tuple(asio::deferred));
    }
    if (failed()) // the crawl is ending as failed; the completion stays unfinished (resumable)
        co_return;
    stats_.items += items.size();
    waiting_items_ += items.size();
    waiting_.push_back(entry{std::move(items), std::move(durable)});
    if (waiting_items_ >= commit_threshold)
        work_.cancel();
}

void item_writer::close()
{
    closing_ = true;
    work_.cancel();
    space_.cancel();
}

task<void> item_writer::async_run()
{
    while (!failed())
    {
        if (!closing_ && waiting_items_ < commit_threshold)
        {
            // Woken early (cancelled) by enough items or by close(); else the interval passed.
            work_.expires_after(settings_.sink_flush_interval);
            co_await work_.async_wait(asio::as_tuple(asio::deferred));
        }
        bool const last = closing_;
        auto batch = std::move(waiting_);
        waiting_.clear();
        auto const count = waiting_items_;
        waiting_items_ = 0;
        space_.cancel();
        co_await commit(std::move(batch), count);
        if (last)
            break;
    }
}

nlohmann::json item_writer::sink_sizes() const
{
    auto sizes = nlohmann::json::object();
    for (auto const& s : sinks_)
        if (truncatable(*s))
        {
            std::error_code ec;
            auto size = std::filesystem::file_size(s->path(), ec);
            if (!ec)
                sizes[s->path()] = size;
        }
        else if (auto mark = s->batch_mark(); !mark.is_null())
            sizes[http::redact_credentials(s->path())] = std::move(mark); // no password in the job
    return sizes;
}

task<void> item_writer::write_all(std::vector<item> const& items)
{
    for (auto& s : sinks_)
    {
        auto copy = items;
        auto [ec] = co_await s->async_write(std::move(copy), asio::as_tuple(asio::deferred));
        if (ec)
            throw std::runtime_error(failure_of(*s, ec, "write"));
        std::tie(ec) = co_await s->async_flush(asio::as_tuple(asio::deferred));
        if (ec)
            throw std::runtime_error(failure_of(*s, ec, "flush"));
    }
}

// One group commit. With a job directory: the sinks' sizes are committed first; if the process
// dies before the second phase, the next run cuts the files back to them and fetches the
// batch's requests again (a sink with a batch_mark, PostgreSQL, removes the batch's rows; an
// SQLite sink is not cut back: there, at least once).
task<void> item_writer::commit(std::vector<entry> batch, std::size_t count)
{
    try
    {
        if (count > 0 || closing_)
        {
            if (journal_)
                journal_->begin_batch(sink_sizes());
            std::vector<item> items;
            items.reserve(count);
            for (auto& e : batch)
                for (auto& it : e.items)
                    items.push_back(std::move(it));
            co_await write_all(items);
        }
        for (auto& e : batch)
            if (e.durable)
                e.durable();
        if (journal_)
            journal_->end_batch(stats_.to_json());
    }
    catch (std::exception const& e)
    {
        error_ = e.what();
        space_.cancel();
        if (on_failure)
            on_failure(error_);
    }
}

task<std::string> item_writer::async_close_sinks()
{
    std::string first;
    for (auto& s : sinks_)
    {
        auto [ec] = co_await s->async_close(asio::as_tuple(asio::deferred));
        if (ec && first.empty())
            first = s->diagnostics().empty() ? ec.message() : s->diagnostics();
    }
    co_return first;
}

} // namespace weft::engine::detail
