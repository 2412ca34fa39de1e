// A canonical form of a URL, for de-duplication (the frontier's "seen" set, link lists).
#pragma once

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace weft::url
{

/// What `canonicalize` does beyond the always-applied normalization.
struct canonical_options
{
    bool sort_query = false;     ///< sort query parameters by name (stable: equal names keep their order)
    bool strip_tracking = false; ///< drop utm_*, gclid, fbclid, mc_cid, mc_eid, ... parameters
};

/// The canonical form of an absolute URL: parsed as `parse` does (WHATWG rules), then scheme and
/// host lower-cased, default port dropped, empty path made `/`, dot segments removed,
/// percent-encoding normalized (unreserved characters decoded, hex digits upper-cased) and the
/// fragment dropped; query parameters sorted and tracking parameters removed on request.
/// Errors: `weft::error::bad_url` when `url` does not parse as an absolute URL.
boost::system::result<std::string> canonicalize(std::string_view url, canonical_options options = {});

/// True when `name` is a query parameter that only tracks the visitor (utm_*, gclid, fbclid, ...).
bool is_tracking_parameter(std::string_view name) noexcept;

} // namespace weft::url
