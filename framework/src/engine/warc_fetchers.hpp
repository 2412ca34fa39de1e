// Record and replay (docs/ARCHITECTURE.md, "Record and replay"): the two fetchers the stack
// (engine/fetcher_stack.hpp) adds for settings::record_warc and settings::replay_warc.
//
//   - recording: wraps the crawl's whole fetcher stack, so it sees every fetch the engine makes,
//     robots.txt and each redirect hop included (the crawl follows redirects itself), and the
//     main document of a rendered page; each successful fetch becomes a request and a response
//     record. A fetch that failed in transport (timeout, refused, ...) is not recorded: replaying
//     it fails with not_in_archive, which the summary counts apart. The records are built,
//     compressed and written on a thread of their own (a bounded queue: past 64 MiB the crawl
//     waits); a write error (disk full) is said once and ends the recording, not the crawl.
//   - replay: replaces the stack; answers from the file's response records, looked up by method,
//     canonical URL and body digest (warc::replay_key). A URL recorded several times (retries)
//     is answered in the recorded order, the last answer again once they run out. A request the
//     file does not hold fails with weft::error::not_in_archive; at shutdown the count and the
//     first such URL are said once.
#pragma once

#include <weft/engine/settings.hpp>
#include <weft/http/fetcher.hpp>

#include <functional>
#include <memory>
#include <string>

namespace weft::engine::detail
{

/// `inner` wrapped to record into settings::record_warc (appended to when the crawl has a job
/// directory, so a resumed job adds to its archive; else started anew).
/// @throws std::system_error when the file cannot be written
std::unique_ptr<http::fetcher> make_recording_fetcher(std::unique_ptr<http::fetcher> inner, settings const& s,
                                                      std::function<void(std::string const&)> log);

/// The "replay" fetcher over settings::replay_warc, its index built now.
/// @throws std::system_error (unreadable) or warc::format_error (corrupt, naming the byte offset)
std::unique_ptr<http::fetcher> make_replay_fetcher(executor ex, http::fetch_options opts, settings const& s,
                                                   std::function<void(std::string const&)> log);

} // namespace weft::engine::detail
