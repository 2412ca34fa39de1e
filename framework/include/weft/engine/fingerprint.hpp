// weft::engine::fingerprint: a 128-bit identity of a request, for de-duplication.
//
// The fingerprint hashes, each length-prefixed so no two inputs collide by concatenation:
//   1. the method, upper-cased;
//   2. the canonical URL (`weft::url::canonicalize`: scheme/host lower-cased, default port and
//      fragment dropped, percent-encoding normalized; query sorting and tracking-parameter removal
//      as the options say); a URL that does not parse is hashed as given;
//   3. the body;
//   4. the headers named in `fingerprint_options::headers` (opt-in; names compared
//      case-insensitively, hashed in the order listed, absent ones hashed as absent).
//
// The hash is SipHash-2-4 with 128-bit output under a fixed, public key: stable across runs,
// processes and machines (fingerprints are persisted in job directories and shared through
// Redis), well mixed (any 64 bits of it index a hash table), and ~1 GB/s. The key is public, so
// it is not a MAC; it is not meant to be one.
#pragma once

#include <weft/url/canonicalize.hpp>

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weft::http
{
class request;
}

namespace weft::engine
{

/// 128 bits identifying a request. Zero is a valid value (tables must not use it as "empty"
/// without remapping).
struct fingerprint
{
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;

    friend constexpr bool operator==(fingerprint, fingerprint) = default;
    friend constexpr auto operator<=>(fingerprint, fingerprint) = default;

    /// 32 lower-case hex digits, `hi` first.
    std::string to_hex() const;
    /// Parses `to_hex()`'s output; false when `hex` is not 32 hex digits.
    static bool from_hex(std::string_view hex, fingerprint& out) noexcept;
};

/// What goes into a fingerprint beyond method, URL and body.
struct fingerprint_options
{
    url::canonical_options canonical{}; ///< how the URL is canonicalized
    std::vector<std::string> headers;   ///< header names to include (e.g. "Accept-Language")
};

/// The fingerprint of a request given by parts. `url` need not be canonical: it is canonicalized
/// here (a bad URL is hashed verbatim). `header_values` pairs with `options.headers`; a null
/// data() marks an absent header.
fingerprint make_fingerprint(std::string_view method, std::string_view url, std::string_view body,
                             fingerprint_options const& options = {},
                             std::vector<std::string_view> const& header_values = {});

/// The fingerprint of `req`: its method, URL, body, and the headers `options` names.
fingerprint make_fingerprint(http::request const& req, fingerprint_options const& options = {});

/// SipHash-2-4-128 of `data` under weft's fixed key: the primitive beneath make_fingerprint.
fingerprint hash128(std::string_view data) noexcept;

/// SipHash-2-4-128 under key (k0, k1) (little-endian words of the 16-byte key); `hi` holds the
/// first 8 output bytes, `lo` the last 8, each read little-endian (the reference's byte order).
fingerprint siphash128(std::uint64_t k0, std::uint64_t k1, std::string_view data) noexcept;

} // namespace weft::engine
