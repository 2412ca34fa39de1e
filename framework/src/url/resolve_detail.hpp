// What resolve.cpp (the WHATWG parser), resolve_host.cpp (hosts and ports) and
// resolve_fast.cpp (the fast paths for plain links) share. Internal to weft::url.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::url::detail
{


// The parsed pieces of a URL, each already percent-encoded as Boost.URL accepts it.
struct parts
{
    std::string scheme;
    bool has_authority = false;
    std::string userinfo;
    bool has_userinfo = false;
    std::string host;
    std::string port;
    bool has_port = false;
    std::string path;
    std::optional<std::string> query;
    std::optional<std::string> fragment;
};

enum class component
{
    userinfo,
    host,
    path,
    query,
    fragment
};

/// RFC 3986 5.2.4: "." and ".." segments of a path removed.
std::string remove_dot_segments(std::string_view path);
/// Appends scheme ":" ["//" [userinfo "@"] host [":" port]].
void append_origin(std::string& out, parts const& t);
/// 80, 443, 21 for http/ws, https/wss, ftp; 0 for other schemes.
std::uint16_t default_port(std::string_view scheme);
/// Validates and normalizes t.host (IDNA, IPv4 in any notation, IPv6); false when invalid.
bool finish_host(parts& t, bool special);
/// Validates t.port and drops it when it is the scheme's default; false when invalid.
bool finish_port(parts& t);
/// True when `s` is an absolute http(s) URL already in the form the general parser gives.
bool is_normalized_http(std::string_view s);
/// `ref` resolved against `base` by string work when it is a plain relative reference;
/// nullopt when it needs the general parser.
std::optional<std::string> resolve_plain_relative(parts const& base, std::string_view ref);

} // namespace weft::url::detail
