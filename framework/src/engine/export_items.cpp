#include <weft/engine/export_items.hpp>

#include <weft/http/proxy.hpp>
#include <weft/sink/file.hpp>
#include <weft/sink/registry.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/steady_timer.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <stdexcept>
#include <system_error>

namespace weft::engine
{

namespace
{

constexpr char const* sidecar_format = "weft-export/1";

struct output
{
    std::string path;
    std::unique_ptr<sink> out;
    bool cut_back = false; // a line-oriented file: the sidecar records its size
    std::string after;     // the last item id in it
    std::uint64_t items = 0;
};

// Not stdout, and not a URI (a database output keeps its progress itself: keeps_progress).
bool has_sidecar(std::string const& path)
{
    return path != "-" && path.find("://") == std::string::npos;
}

nlohmann::json progress_of(output const& o, export_options const& opts)
{
    return {{"format", sidecar_format},
            {"frontier", http::redact_credentials(opts.address)},
            {"crawl_id", opts.crawl_id},
            {"last_id", o.after},
            {"items", o.items}};
}

// The export recorded in `j` (a sidecar's or a sink's progress, named `where`) must be of this
// crawl: else it is not overwritten without --from-start.
void check_same_export(nlohmann::json const& j, std::string const& path, std::string const& where,
                       export_options const& opts)
{
    auto const frontier = http::redact_credentials(opts.address);
    if (j.value("frontier", "") != frontier || j.value("crawl_id", "") != opts.crawl_id)
        throw std::invalid_argument("'" + path + "' holds the export of crawl '" + j.value("crawl_id", "") + "' at " +
                                    j.value("frontier", "") + " (" + where + "), not of crawl '" + opts.crawl_id +
                                    "' at " + frontier + "; give --from-start to overwrite it, or another output");
}

// File sinks that can be cut back to a size (sink::resizable), as in the item writer's two phases.
bool can_cut_back(sink const& s)
{
    return s.path() != "-" && s.resizable();
}

void say(export_options const& o, std::string const& msg)
{
    if (o.log)
        o.log(msg);
}

// Writes `j` to the sidecar atomically (a new file, synced, renamed over the old one).
void record(output const& o, export_options const& opts)
{
    auto j = progress_of(o, opts);
    if (o.cut_back)
        j["size"] = std::filesystem::file_size(o.path);
    std::string diagnostics;
    if (write_file_atomically(export_sidecar_path(o.path).string(), j.dump() + "\n", diagnostics))
        throw std::runtime_error("cannot write the export's progress: " + diagnostics);
}

// Where the export to `o.path` goes on: after its sidecar's last id (OUT cut back to its size),
// or from the first item. Returns true when it goes on.
bool resume_point(output& o, export_options const& opts)
{
    auto const side = export_sidecar_path(o.path);
    bool const overwrite = std::find(opts.overwrite.begin(), opts.overwrite.end(), o.path) != opts.overwrite.end();
    if (opts.from_start || overwrite || !has_sidecar(o.path) || !std::filesystem::exists(o.path) ||
        !std::filesystem::exists(side))
        return false;
    nlohmann::json j;
    try
    {
        std::ifstream in(side);
        j = nlohmann::json::parse(in);
        j.at("last_id").get<std::string>();
    }
    catch (std::exception const&)
    {
        say(opts, "'" + side.string() + "' does not parse: '" + o.path + "' is written again from the first item");
        return false;
    }
    check_same_export(j, o.path, side.string(), opts);
    if (j.contains("size"))
    {
        auto const size = j["size"].get<std::uintmax_t>();
        auto const now = std::filesystem::file_size(o.path);
        if (now < size)
        {
            say(opts, "'" + o.path + "' is shorter than its export recorded: it is written again from the first item");
            return false;
        }
        if (now > size) // a batch written after the last record: the last run died in between
            std::filesystem::resize_file(o.path, size);
    }
    o.after = j["last_id"].get<std::string>();
    o.items = j.value("items", std::uint64_t{0});
    return true;
}

std::string failure_of(sink const& s, error_code ec, char const* doing)
{
    if (!s.diagnostics().empty())
        return s.diagnostics();
    return "cannot " + std::string(doing) + " '" + s.path() + "': " + ec.message();
}

task<void> write_flushed(output& o, std::vector<item> items)
{
    auto [ec] = co_await o.out->async_write(std::move(items), asio::as_tuple(asio::deferred));
    if (ec)
        throw std::runtime_error(failure_of(*o.out, ec, "write to"));
    std::tie(ec) = co_await o.out->async_flush(asio::as_tuple(asio::deferred));
    if (ec)
        throw std::runtime_error(failure_of(*o.out, ec, "flush"));
}

// Exports every committed item after the group's position to the group's outputs.
task<void> catch_up(state::crawl_state& st, std::vector<output*> group, export_options const& opts,
                    export_stats& stats)
{
    auto after = group.front()->after;
    while (true)
    {
        auto batch = co_await st.async_read_items(after, opts.batch);
        if (batch.empty())
            break;
        std::vector<item> items;
        items.reserve(batch.size());
        for (auto& k : batch)
            items.push_back(std::move(k.value));
        for (auto* o : group)
        {
            if (o->out->keeps_progress()) // committed with the items: exactly once
            {
                auto next = progress_of(*o, opts);
                next["last_id"] = batch.back().id;
                next["items"] = o->items + batch.size();
                o->out->set_progress(std::move(next));
            }
            co_await write_flushed(*o, items);
        }
        ++stats.batches;
        if (opts.before_record)
            opts.before_record(stats.batches);
        after = batch.back().id;
        for (auto* o : group)
        {
            o->after = after;
            o->items += batch.size();
            if (has_sidecar(o->path))
                record(*o, opts);
        }
        stats.items += batch.size();
        stats.last_id = after;
        if (batch.size() < opts.batch)
            break; // caught up with what is committed
    }
}

task<void> open_output(output& o, export_options const& opts, export_stats& stats)
{
    bool const resumed = resume_point(o, opts);
    stats.resumed += resumed ? 1 : 0;
    // Without a sidecar, -o appends to what is there; a sidecar that led nowhere, --from-start and
    // -O rewrite from the first item.
    bool const overwrite = opts.from_start ||
                           std::find(opts.overwrite.begin(), opts.overwrite.end(), o.path) != opts.overwrite.end() ||
                           (has_sidecar(o.path) && std::filesystem::exists(export_sidecar_path(o.path)));
    sink_options so;
    so.mode = resumed || !overwrite ? sink_options::open_mode::append : sink_options::open_mode::truncate;
    auto ex = co_await asio::this_coro::executor;
    o.out = make_sink_for_path(o.path, ex, so);
    o.cut_back = can_cut_back(*o.out);
    auto [ec] = co_await o.out->async_open(asio::as_tuple(asio::deferred));
    if (ec)
        throw std::runtime_error(failure_of(*o.out, ec, "open"));
    if (!resumed && has_sidecar(o.path))
        record(o, opts); // a fresh output: an old sidecar must not survive it
    if (auto saved = o.out->saved_progress(); o.out->keeps_progress() && !saved.is_null() && !opts.from_start)
    {
        check_same_export(saved, http::redact_credentials(o.path), "its progress record", opts);
        o.after = saved.value("last_id", "");
        o.items = saved.value("items", std::uint64_t{0});
        stats.resumed += 1;
    }
}

} // namespace

std::filesystem::path export_sidecar_path(std::string const& output)
{
    return output + ".export";
}

task<export_stats> async_export_items(state::crawl_state& st, std::vector<std::string> outputs, export_options opts)
{
    export_stats stats;
    std::vector<output> outs(outputs.size());
    for (std::size_t i = 0; i < outputs.size(); ++i)
    {
        outs[i].path = outputs[i];
        co_await open_output(outs[i], opts, stats);
    }
    // Outputs at the same position are written together; item ids are opaque, so outputs at
    // different positions each read from their own.
    std::map<std::string, std::vector<output*>> groups;
    for (auto& o : outs)
        groups[o.after].push_back(&o);
    asio::steady_timer pause(co_await asio::this_coro::executor);
    while (true)
    {
        // Asked before reading: when it was finished then, the reads below see every item.
        bool finished = true;
        if (opts.follow)
            finished = co_await st.async_finished();
        for (auto& [position, group] : groups)
            co_await catch_up(st, group, opts, stats);
        if (finished)
            break;
        pause.expires_after(opts.poll);
        co_await pause.async_wait(asio::deferred);
    }
    for (auto& o : outs)
    {
        auto [ec] = co_await o.out->async_close(asio::as_tuple(asio::deferred));
        if (ec)
            throw std::runtime_error(failure_of(*o.out, ec, "close"));
        if (has_sidecar(o.path))
            record(o, opts); // a CSV file's header may have been widened on close
    }
    co_return stats;
}

} // namespace weft::engine
