// weft::state::make_memory_state: the crawl state of one process, in memory (a crawl without a
// job directory). Requests over settings::frontier_memory_limit spill to a scratch SQLite file
// that is deleted with the state, so a crawl that discovers millions of URLs stays bounded in
// memory; the seen-set costs about 27 bytes per URL (engine/seen_set.hpp).
//
// Leases expire on the process's steady clock. Nothing survives the process: that is
// job_state.hpp's job.
#pragma once

#include <weft/engine/settings.hpp>
#include <weft/state/crawl_state.hpp>

#include <memory>

namespace weft::state
{

/// Reads per_host, delay, randomize_delay, autothrottle, adaptive_concurrency, backoff_base,
/// retry_max_delay and frontier_memory_limit from `s` (copied). Spilled requests are stored
/// with `codec`.
/// @throws weft::system_error when the scratch spill file cannot be created.
std::unique_ptr<crawl_state> make_memory_state(engine::settings const& s,
                                               request_codec codec = request_codec::plain());

} // namespace weft::state
