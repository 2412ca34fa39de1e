#include <weft/http/proxy.hpp>

#include <weft/text/ascii.hpp>

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace weft::http {

std::optional<std::string> meta_proxy(request const& req)
{
    if (auto const* meta = req.meta_if(); meta && meta->is_object())
        if (auto it = meta->find("proxy"); it != meta->end() && it->is_string())
            return it->get<std::string>();
    return std::nullopt;
}

std::string proxy_for(request const& req, fetch_options const& opts)
{
    return meta_proxy(req).value_or(opts.proxy);
}

std::string checked_proxy_url(std::string_view url)
{
    auto const scheme_end = url.find("://");
    if (url.empty() || scheme_end == std::string_view::npos)
        return std::string(url);
    auto const scheme = text::lower_copy(url.substr(0, scheme_end));
    for (char const* ok : {"http", "https", "socks4", "socks4a", "socks5", "socks5h"})
        if (scheme == ok)
            return std::string(url);
    throw std::invalid_argument("proxy " + redact_credentials(url) +
                                ": expected http://, https://, socks4://, socks4a://, socks5:// or socks5h://");
}

std::string redact_credentials(std::string_view url)
{
    // The last '@' anywhere, not just in the authority: a password with an unescaped '/' must
    // not leak (a proxy URL has no path worth keeping).
    auto const scheme_end = url.find("://"); // curl takes "bob:pw@proxy:3128" without one too
    auto const userinfo_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    auto const at = url.rfind('@');
    if (at == std::string_view::npos || at < userinfo_start)
        return std::string(url);
    auto const colon = url.find(':', userinfo_start);
    if (colon > at)
        return std::string(url); // a user name alone is no secret
    std::string out(url.substr(0, colon));
    out.append(":***").append(url.substr(at));
    return out;
}

std::string redact_credentials_in(std::string message, std::string_view url)
{
    auto const redacted = redact_credentials(url);
    if (redacted == url)
        return message;
    for (auto at = message.find(url); at != std::string::npos; at = message.find(url, at + redacted.size()))
        message.replace(at, url.size(), redacted);
    // The password is what redact_credentials cut: between the user name's ':' and the last '@'.
    auto const scheme_end = url.find("://");
    auto const colon = url.find(':', scheme_end == std::string_view::npos ? 0 : scheme_end + 3);
    auto const password = std::string(url.substr(colon + 1, url.rfind('@') - colon - 1));
    if (password.size() >= 3)
        for (auto at = message.find(password); at != std::string::npos; at = message.find(password, at + 3))
            message.replace(at, password.size(), "***");
    return message;
}

} // namespace weft::http
