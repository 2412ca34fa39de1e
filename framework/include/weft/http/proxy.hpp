// weft::http::proxy_for: which proxy a request goes through.
#pragma once

#include <weft/http/options.hpp>
#include <weft/http/request.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace weft::http {

/// The request's own proxy: its meta "proxy" when that is a string ("" for none: a direct
/// connection), as Scrapy's meta["proxy"].
std::optional<std::string> meta_proxy(request const& req);

/// The proxy URL for `req`: meta_proxy(req), else the fetcher's fetch_options::proxy. The
/// environment's http_proxy and friends are never used.
std::string proxy_for(request const& req, fetch_options const& opts);

/// `url` if it is a proxy URL libcurl speaks: http://, https://, socks4://, socks4a://, socks5://,
/// socks5h:// (the proxy resolves names), or no scheme (http). "" is none.
/// @throws std::invalid_argument naming the schemes, with the password redacted.
std::string checked_proxy_url(std::string_view url);

/// `url` with the password of its user info replaced by "***" ("http://bob:***@proxy:3128"), for
/// messages, logs and stats. A user name without a password is left as it is.
std::string redact_credentials(std::string_view url);
/// `message` with every occurrence of `url` redacted as above, and of its password (3 characters
/// or more) replaced by "***": for a message another component wrote about `url`.
std::string redact_credentials_in(std::string message, std::string_view url);

} // namespace weft::http
