// Private to the cookie jar: the Set-Cookie parse (RFC 6265 §5.2) before the storage model applies.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::middleware::detail
{

struct set_cookie
{
    std::string name;
    std::string value;
    std::vector<std::pair<std::string, std::string>> attributes; ///< in order, names as sent
};

/// The name, value and attributes of a Set-Cookie value; nullopt (with `why` set) when the whole
/// header is to be ignored.
std::optional<set_cookie> parse_set_cookie(std::string_view line, std::string& why);

/// An IPv4 address (digits and dots) or a bracketed IPv6 one: never domain-matched by suffix.
bool is_ip_host(std::string_view host) noexcept;

} // namespace weft::middleware::detail
