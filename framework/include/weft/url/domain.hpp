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

/// The host of an absolute URL, as `parse` normalizes it (lower case, punycode, no port).
/// Errors: `weft::error::bad_url` when the URL does not parse or has no host.
boost::system::result<std::string> host_of(std::string_view url);

} // namespace weft::url
