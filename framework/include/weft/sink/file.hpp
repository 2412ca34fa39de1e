// weft::sink_file: the blocking file primitives file sinks share (run them on sink::blocking_pool).
//
// Opens with O_CLOEXEC; writes retry on EINTR and short writes; `sync` is fdatasync, and, the
// first time after the file was created, an fsync of its directory so the new name is durable.
// Every failure returns an errno error_code and fills `diagnostics` with what failed, where, and
// what to do.
//
// Gzip (`sink_file_mode::gzip`): what `write` gets is deflated, and `sync` ends the current gzip
// member before syncing, so after every sync the file is a sequence of complete gzip members
// (RFC 1952 allows several; gzip -d, zcat and zlib's gzread read them as one stream). A crash
// can only leave a torn last member, which opening in append mode cuts off.
#pragma once

#include <weft/error.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace weft
{

/// How sink_file::open treats the file.
struct sink_file_mode
{
    bool append = false;       ///< keep the content (else truncate)
    bool gzip = false;         ///< deflate into gzip members, one ended by each sync
    bool cut_torn_line = true; ///< appending to a plain file: cut what follows its last '\n'
};

class sink_file
{
public:
    sink_file();
    ~sink_file(); // closes without syncing
    sink_file(sink_file const&) = delete;
    sink_file& operator=(sink_file const&) = delete;

    /// Opens `path` for writing, creating it (mode 0644 before umask); truncating it unless
    /// `mode.append`. Appending, a torn tail left by a crash is cut off: after the last '\n' of a
    /// plain file (unless `!mode.cut_torn_line`), after the last complete member of a gzip file.
    /// "-" means standard output (never truncated, never closed, never compressed).
    error_code open(std::string const& path, sink_file_mode mode, std::string& diagnostics);
    error_code open(std::string const& path, bool append, std::string& diagnostics)
    {
        return open(path, sink_file_mode{.append = append}, diagnostics);
    }
    /// Writes all of `data` (gzip: deflates it; the output reaches the file in pieces).
    error_code write(std::string_view data, std::string& diagnostics);
    /// Makes everything written durable (gzip: ends the member first). On stdout, syncing a pipe
    /// or terminal is skipped.
    error_code sync(std::string& diagnostics);
    /// Closes the file (syncs nothing).
    error_code close(std::string& diagnostics);
    /// Writes a sink's `buffer` and empties it (its bytes are the sink's error if the write fails,
    /// never written again); with `sync`, then makes the file durable.
    error_code drain(std::string& buffer, bool sync, std::string& diagnostics);

    bool is_open() const noexcept { return fd_ >= 0; }
    int native_handle() const noexcept { return fd_; }
    std::string const& path() const noexcept { return path_; }
    /// Size of the file when opened (0 after truncation).
    long long initial_size() const noexcept { return initial_size_; }

    /// "cannot <doing> '<path>': <cause>; <advice>": the message every file sink uses.
    static std::string describe(std::string_view doing, std::string const& path, error_code ec);

private:
    struct deflater;
    error_code write_raw(std::string_view data, std::string& diagnostics);
    error_code end_member(std::string& diagnostics);

    std::unique_ptr<deflater> gzip_; // set in gzip mode
    int fd_ = -1;
    bool is_stdout_ = false;
    bool dir_synced_ = true;
    long long initial_size_ = 0;
    std::string path_;
};

/// Replaces `path` with `text` so that a crash leaves either the old file or the new one, never a
/// torn one: writes `path`.tmp, syncs it, renames it over `path` and syncs the directory.
/// Fills `diagnostics` like sink_file on failure.
error_code write_file_atomically(std::string const& path, std::string_view text, std::string& diagnostics);

} // namespace weft
