// Content-Encoding helpers for tests: compress bodies the way servers do, and decode them back.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace weft::test
{

/// gzip (RFC 1952) of `data`.
std::string gzip(std::string_view data);
/// HTTP "deflate": the zlib format (RFC 1950), as servers send it.
std::string deflate_zlib(std::string_view data);
/// Brotli (RFC 7932) of `data`.
std::string brotli(std::string_view data);
/// Zstandard (RFC 8878) frame of `data`, with its content size.
std::string zstd(std::string_view data);
/// gzip of `n` zero bytes, compressed in pieces (a compression bomb: about 1000:1).
std::string gzip_zeros(std::size_t n);

/// Decodes gzip or zlib data (auto-detected).
/// @throws std::runtime_error when it does not decode.
std::string inflate(std::string_view data);

} // namespace weft::test
