// weft::state::open_job_state: the crawl state in a job directory (job.db, SQLite), for crawls
// that must survive Ctrl-C, kill -9 and power loss of the process: `weft crawl --job-dir DIR`.
//
// Every accepted add, completion and retry is written to job.db in an open transaction that is
// committed at least every settings::sink_flush_interval and by async_flush(); a completion
// with items is final only when the item writer's batch holding them ends (output_journal).
// After a crash, open_job_state() finds every request that was pending, delayed or leased
// pending again (leases held by the dead process have no one to complete them), the seen-set as
// committed, and lease tokens that continue above every token handed out before.
#pragma once

#include <weft/engine/settings.hpp>
#include <weft/state/crawl_state.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <memory>

namespace weft::state
{

/// Opens (creating if needed) `dir`/job.db. Settings as make_memory_state's.
/// @throws weft::system_error "cannot open job database '<path>': <cause>" (a directory that
/// cannot be created or written, a file that is not a job database).
std::unique_ptr<crawl_state> open_job_state(std::filesystem::path const& dir, engine::settings const& s,
                                            request_codec codec);

} // namespace weft::state
