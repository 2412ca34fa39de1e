// weft::sink_file: the blocking file primitives file sinks share (run them on sink::blocking_pool).
//
// Opens with O_CLOEXEC; writes retry on EINTR and short writes; `sync` is fdatasync, and, the
// first time after the file was created, an fsync of its directory so the new name is durable.
// Every failure returns an errno error_code and fills `diagnostics` with what failed, where, and
// what to do.
#pragma once

#include <weft/error.hpp>

#include <string>
#include <string_view>

namespace weft
{

class sink_file
{
public:
    sink_file() = default;
    ~sink_file(); // closes without syncing
    sink_file(sink_file const&) = delete;
    sink_file& operator=(sink_file const&) = delete;

    /// Opens `path` for writing, creating it (mode 0644 before umask); truncating it unless
    /// `append`. In append mode a torn last line (no final '\n', left by a crash) is cut off.
    /// "-" means standard output (never truncated, never closed).
    error_code open(std::string const& path, bool append, std::string& diagnostics);
    /// Writes all of `data`.
    error_code write(std::string_view data, std::string& diagnostics);
    /// Makes everything written durable. On stdout, syncing a pipe or terminal is skipped.
    error_code sync(std::string& diagnostics);
    /// Closes the file (syncs nothing).
    error_code close(std::string& diagnostics);

    bool is_open() const noexcept { return fd_ >= 0; }
    int native_handle() const noexcept { return fd_; }
    std::string const& path() const noexcept { return path_; }
    /// Size of the file when opened (0 after truncation).
    long long initial_size() const noexcept { return initial_size_; }

    /// "cannot <doing> '<path>': <cause>; <advice>": the message every file sink uses.
    static std::string describe(std::string_view doing, std::string const& path, error_code ec);

private:
    int fd_ = -1;
    bool is_stdout_ = false;
    bool dir_synced_ = true;
    long long initial_size_ = 0;
    std::string path_;
};

} // namespace weft
