// weft::warc::record: one WARC 1.1 record (named fields and a block), and the digests, ids and
// dates its fields hold.
//
// The format: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/
// A record is "WARC/1.1" CRLF, named fields CRLF, CRLF, the block (Content-Length bytes), CRLF CRLF.
//
// Errors: serialize() never fails; the reader (<weft/warc/reader.hpp>) throws warc::format_error.
// Thread safety: none needed (values and pure functions); make_record_id() may be called anywhere.
#pragma once

#include <weft/http/headers.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace weft::warc
{

/// A WARC record. `fields` keep their order; Content-Length is written from the block, never
/// from `fields`.
class record
{
public:
    http::headers fields; ///< WARC-Type, WARC-Record-ID, WARC-Date, ... (case-insensitive names)
    std::string block;    ///< the record's content block (for response records: the HTTP message)

    /// Where the reader found the record: the byte offset of its gzip member (or of its first
    /// byte in an uncompressed file) in the file.
    std::uint64_t offset = 0;
    /// True when the record starts its own gzip member (or the file is not compressed), so
    /// reader::read_at(offset) reads it again. Files weft writes always are.
    bool aligned = true;

    /// The WARC-Type field ("warcinfo", "request", "response", ...), or "".
    std::string_view type() const;
    /// The field `name`, or "".
    std::string_view field(std::string_view name) const;
};

/// The record as bytes: version line, fields, Content-Length, the block and the two CRLFs.
std::string serialize(record const& r);

/// "sha1:" and the SHA-1 of `data` in RFC 4648 base32 (32 characters), as WARC digests are
/// customarily written (WARC-Block-Digest, WARC-Payload-Digest).
std::string sha1_digest(std::string_view data);

/// A new "<urn:uuid:...>" (version 4, random) for WARC-Record-ID.
std::string make_record_id();

/// WARC-Date: UTC with microseconds, "2026-12-05T18:43:12.123456Z" (WARC 1.1 allows fractions).
std::string format_date(std::chrono::system_clock::time_point t);

} // namespace weft::warc
