// weft::warc::writer: appends WARC records to a file, each its own gzip member, written whole.
//
// Each record is compressed alone (RFC 1952 member) and handed to the kernel with one write
// loop before write() returns: a reader can seek to any record's offset, and a process killed
// at any moment (kill -9) leaves a file that every reader reads up to its last whole record (the
// torn member at the end, if any, is the reader's to skip: reader::truncated_at()). Nothing is
// fsync'ed: a crash of the machine, not of the process, may lose the tail.
//
// Errors: the constructor and write() throw std::system_error naming the file (cannot create,
// disk full, ...). Thread safety: none; one writer belongs to one thread (the crawl's I/O loop).
// Blocking: write() compresses and writes one record synchronously (about 1 ms per 100 kB page);
// the crawl calls it from a writer thread of its own, off the I/O loop (engine/warc_fetchers.cpp).
#pragma once

#include <weft/warc/record.hpp>

#include <cstdint>
#include <filesystem>

namespace weft::warc
{

class writer
{
public:
    enum class mode
    {
        truncate, ///< start a new file (the default)
        append,   ///< add to the records already in it (a resumed job)
    };

    /// Opens (creates) `path`. @throws std::system_error "cannot write WARC file PATH: cause".
    explicit writer(std::filesystem::path path, mode m = mode::truncate);
    writer(writer const&) = delete;
    writer& operator=(writer const&) = delete;
    ~writer();

    /// Writes `r` as one gzip member. @throws std::system_error naming the file.
    void write(record const& r);

    std::filesystem::path const& path() const { return path_; }
    /// Bytes in the file so far (the next record's offset).
    std::uint64_t size() const { return size_; }
    std::uint64_t records() const { return records_; }

private:
    std::filesystem::path path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
    std::uint64_t records_ = 0;
};

/// `data` as one gzip member (zlib level 1: the fastest; a WARC is written once and read seldom).
std::string gzip_member(std::string_view data);

} // namespace weft::warc
