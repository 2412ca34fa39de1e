// weft::engine::async_export_items: writes the items a crawl state keeps (a shared crawl: Redis)
// to sinks, exactly once and resumable; `weft export` and `weft crawl --frontier ... -o OUT`.
//
// Items are read with crawl_state::async_read_items in commit order, in batches. Each batch is
// written to every output and flushed, and only then recorded in the output's sidecar,
// OUT + ".export" (JSON: the crawl's address with its password redacted, its crawl id, the last
// item id written, the items written, and the file's size after the batch for outputs that can
// be cut back: sink::resizable, the JSON lines, JSON array and CSV files, gzipped or not). A run
// that finds a sidecar of the same crawl cuts OUT back to the recorded size (dropping a batch
// written after the last record: the process died between the two) and goes on after the recorded
// id: every item is in OUT exactly once. Without a sidecar, the items from the first are appended
// to what OUT holds (Scrapy's -o); with one that does not parse, with options::from_start or for
// an output in options::overwrite (-O), OUT is rewritten from the first item. An SQLite output cannot be cut back:
// there a crash between a batch and its record repeats that batch (at least once), as in the job directory's two-phase
// commit.
//
// Standard output ("-") has no sidecar: it always gets every item.
//
// @par Errors
// Throws std::invalid_argument when OUT holds the export of another crawl (its sidecar says so:
// give from_start or another path), std::runtime_error with the sink's diagnostics when an
// output cannot be opened or written, and what the state throws (weft::error::not_supported for
// a state that keeps no items).
#pragma once

#include <weft/async/task.hpp>
#include <weft/state/crawl_state.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace weft::engine
{

struct export_options
{
    std::string address;  ///< the crawl's address, recorded redacted in the sidecars
    std::string crawl_id; ///< recorded in the sidecars
    bool from_start = false; ///< ignore the sidecars: rewrite every output from the first item
    std::vector<std::string> overwrite; ///< outputs (as given) rewritten from the first item (-O)
    /// Keep exporting, every `poll`, until the crawl state is finished (async_finished); else
    /// export what is committed now and return.
    bool follow = false;
    std::chrono::milliseconds poll{1000};
    std::size_t batch = 1000; ///< items per read, write, flush and record
    /// Called with the batch's number (from 1) once it is written and flushed to every output,
    /// before the sidecars record it: a test stops the export there by throwing, as a crash would.
    std::function<void(std::uint64_t batch)> before_record;
    /// Messages for the user (an output rewritten from the start and why); default: none.
    std::function<void(std::string const&)> log;
};

struct export_stats
{
    std::uint64_t items = 0;   ///< written by this call (to each output)
    std::uint64_t batches = 0;
    std::uint64_t resumed = 0; ///< outputs that went on after their sidecar's last id
    std::string last_id;       ///< the last item id written ("" when none)
};

/// Writes the items `st` keeps to `outputs` (paths; the sink by extension, make_sink_for_path).
/// Runs on the caller's executor; the sinks are opened and closed here.
task<export_stats> async_export_items(state::crawl_state& st, std::vector<std::string> outputs,
                                      export_options opts);

/// OUT + ".export": where the export to `output` records its progress.
std::filesystem::path export_sidecar_path(std::string const& output);

} // namespace weft::engine
