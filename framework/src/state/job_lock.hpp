// weft::state::detail::job_lock: a job directory's exclusive lock (flock on DIR/lock, which holds
// the owner's pid), so that two crawls never work on one job at once. Private to the framework.
//
// @par Errors
// The constructor throws weft::system_error (EBUSY, generic category) naming the
// process that holds the lock, or the errno of a lock file that cannot be made.
//
// @par Lifetimes
// Held until destroyed; the kernel releases it when the process dies, so a crawl killed with
// kill -9 never leaves a job locked.
#pragma once

#include <filesystem>

namespace weft::state::detail
{

class job_lock
{
public:
    explicit job_lock(std::filesystem::path const& dir);
    ~job_lock();
    job_lock(job_lock const&) = delete;
    job_lock& operator=(job_lock const&) = delete;

private:
    int fd_ = -1;
};

/// Removes the frontier spill files (`weft-frontier-PID-N.db`) that processes no longer alive left
/// in `dir` (killed with kill -9, or a crash). Returns how many files were removed.
std::size_t remove_stale_spills(std::filesystem::path const& dir);

/// Registers a spill file for removal when the process exits at once (a second Ctrl-C), and
/// forgets it (`remove`) once its owner removed it. At most a few files at a time.
void track_spill(std::filesystem::path const& path, bool remove = false);

} // namespace weft::state::detail
