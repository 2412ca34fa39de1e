// weft::warc::reader: reads WARC records from a .warc.gz file (gzip members, one per record or
// any other split) or an uncompressed .warc file, in order or at a known offset.
//
// Errors: corrupt input (not a WARC record, a bad field line, a Content-Length that is not a
// number or over max_block_size, gzip data that does not decode) throws warc::format_error with
// the byte offset of the record (its gzip member) where it was found. A file that ends inside
// a record is not an error: next() returns nothing and truncated_at() says where the torn record
// starts (what a writer killed mid-record leaves).
// Lifetimes: a reader owns its stream. Thread safety: none; one reader per thread.
#pragma once

#include <weft/warc/record.hpp>

#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace weft::warc
{

/// Corrupt WARC input; what() names the file (when known), the byte offset and the cause.
class format_error : public std::runtime_error
{
public:
    format_error(std::uint64_t offset, std::string const& what) : std::runtime_error(what), offset_(offset) {}
    std::uint64_t offset() const noexcept { return offset_; }

private:
    std::uint64_t offset_;
};

class reader
{
public:
    /// The largest block accepted: a bigger Content-Length is refused as corrupt rather than
    /// buffered.
    static constexpr std::uint64_t max_block_size = 1ull << 30;

    /// Reads `path`. @throws std::system_error "cannot read WARC file PATH: cause".
    explicit reader(std::filesystem::path const& path);
    /// Reads bytes held in memory (tests, the fuzz target).
    static reader from_bytes(std::string bytes);

    reader(reader&&) noexcept;
    reader& operator=(reader&&) noexcept;
    ~reader();

    /// The next record, or nothing at the end of the file (or at a torn last record).
    /// @throws format_error
    std::optional<record> next();
    /// The record whose gzip member (or first byte) is at `offset`; then next() goes on after it.
    /// @throws format_error, also when nothing whole is there
    record read_at(std::uint64_t offset);

    /// Set when the input ended inside a record: that record's offset.
    std::optional<std::uint64_t> truncated_at() const { return truncated_at_; }

private:
    explicit reader(std::unique_ptr<std::istream> in, std::string name);
    bool fill_input();
    bool pull();
    void start_member();
    std::optional<record> parse_buffered(std::uint64_t offset, bool aligned);
    [[noreturn]] void fail(std::uint64_t offset, std::string const& what) const;

    std::unique_ptr<std::istream> in_;
    std::string name_;  // the file, in messages
    std::string input_; // compressed bytes read, from input_offset_
    std::size_t input_pos_ = 0;
    std::uint64_t input_offset_ = 0;
    std::string out_; // decompressed bytes not yet parsed, from out_pos_
    std::size_t out_pos_ = 0;
    std::optional<bool> gzip_; // decided by the first two bytes of the file
    bool in_member_ = false;
    std::uint64_t member_start_ = 0;
    struct inflater; // zlib's state, private to reader.cpp
    std::unique_ptr<inflater> z_;
    std::optional<std::uint64_t> truncated_at_;
};

} // namespace weft::warc
