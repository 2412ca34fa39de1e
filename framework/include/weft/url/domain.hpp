// Hosts and registered domains (eTLD+1) through the Public Suffix List (libpsl's built-in copy).
#pragma once

#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace weft::url
{

/// The registered domain (eTLD+1) of a host: "a.b.example.co.uk" -> "example.co.uk".
/// The host is lower-cased and converted to punycode first; a trailing dot is ignored.
/// Empty when the host has none: an IP address, a public suffix itself ("co.uk"), an empty host.
std::optional<std::string> registered_domain(std::string_view host);

/// The public suffix of a host ("example.co.uk" -> "co.uk"); empty for IP addresses.
std::optional<std::string> public_suffix(std::string_view host);

/// True when `domain` is itself a public suffix ("com", "co.uk", "github.io", and any name under
/// an unknown top-level domain's implicit "*" rule, such as "localhost" or "test"), ICANN and
/// private sections both: a cookie must not be scoped to one (RFC 6265 §5.3 step 5). False for IP
/// addresses and for names that do not convert to ASCII.
bool is_public_suffix(std::string_view domain);

/// The host of an absolute URL, as `parse` normalizes it (lower case, punycode, no port).
/// Errors: `weft::error::bad_url` when the URL does not parse or has no host.
boost::system::result<std::string> host_of(std::string_view url);

} // namespace weft::url
