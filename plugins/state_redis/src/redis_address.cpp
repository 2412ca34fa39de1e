// weft::redis::address: redis://[USER:PASSWORD@]HOST[:PORT][/DB], parsed strictly so a typo in
// the state's address is reported at start, not discovered as a connection to the wrong place.
#include "redis_client.hpp"

#include <weft/text/ascii.hpp>

#include <charconv>
#include <optional>
#include <stdexcept>

namespace weft::redis
{

namespace
{

constexpr std::string_view expected_form = "redis://[USER:PASSWORD@]HOST[:PORT][/DB]";

[[noreturn]] void bad(std::string_view url, std::string_view why)
{
    // The text is shown without its user info: it may hold the password.
    std::string shown(url);
    if (auto at = shown.rfind('@'); at != std::string::npos)
        if (auto scheme = shown.find("://"); scheme != std::string::npos && scheme < at)
            shown.replace(scheme + 3, at - scheme - 3, "***");
    throw std::invalid_argument("bad Redis address '" + shown + "': " + std::string(why) + "; expected " +
                                std::string(expected_form));
}

// Digits only (no sign, no spaces), at most `max`.
bool parse_number(std::string_view text, long long max, long long& out)
{
    if (text.empty() || text.size() > 10)
        return false;
    for (char c : text)
        if (c < '0' || c > '9')
            return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && out <= max;
}

// User and password may be percent-encoded (a password holding '@', ':' or '/').
bool percent_decode(std::string_view in, std::string& out)
{
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i)
    {
        if (in[i] != '%')
        {
            out += in[i];
            continue;
        }
        if (i + 2 >= in.size())
            return false;
        if (!text::is_hex_digit(in[i + 1]) || !text::is_hex_digit(in[i + 2]))
            return false;
        out += static_cast<char>(text::hex_value(in[i + 1]) * 16 + text::hex_value(in[i + 2]));
        i += 2;
    }
    return true;
}

} // namespace

address address::parse(std::string_view url)
{
    constexpr std::string_view scheme = "redis://";
    if (url.substr(0, scheme.size()) != scheme)
    {
        if (url.substr(0, 9) == "rediss://")
            bad(url, "TLS (rediss://) is not supported");
        bad(url, "the scheme must be redis://");
    }
    address a;
    std::string_view rest = url.substr(scheme.size());
    if (rest.find_first_of("?#") != std::string_view::npos)
        bad(url, "query strings and fragments are not supported");

    // The last '@' ends the user info: an unencoded '@' in a password stays in the password.
    std::string_view hostport = rest.substr(0, rest.find('/'));
    if (auto at = hostport.rfind('@'); at != std::string_view::npos)
    {
        std::string_view info = rest.substr(0, at);
        rest.remove_prefix(at + 1);
        auto colon = info.find(':');
        if (colon == std::string_view::npos)
            bad(url, "the user info must be USER:PASSWORD or :PASSWORD");
        if (!percent_decode(info.substr(0, colon), a.user) || !percent_decode(info.substr(colon + 1), a.password))
            bad(url, "bad percent-encoding in the user info");
        if (a.password.empty())
            bad(url, "the password is empty");
    }

    auto slash = rest.find('/');
    hostport = rest.substr(0, slash);
    std::optional<std::string_view> port_text;
    if (!hostport.empty() && hostport.front() == '[') // [IPv6]:PORT
    {
        auto close = hostport.find(']');
        if (close == std::string_view::npos)
            bad(url, "unclosed '[' in the host");
        a.host = std::string(hostport.substr(1, close - 1));
        std::string_view after = hostport.substr(close + 1);
        if (!after.empty() && after.front() != ':')
            bad(url, "unexpected text after the host");
        if (!after.empty())
            port_text = after.substr(1);
    }
    else
    {
        auto colon = hostport.find(':');
        a.host = std::string(hostport.substr(0, colon));
        if (colon != std::string_view::npos)
            port_text = hostport.substr(colon + 1);
    }
    if (a.host.empty())
        bad(url, "the host is missing");
    if (port_text)
    {
        long long port = 0;
        if (!parse_number(*port_text, 65535, port) || port == 0)
            bad(url, "the port must be a number from 1 to 65535");
        a.port = static_cast<std::uint16_t>(port);
    }

    if (slash != std::string_view::npos)
    {
        std::string_view db_text = rest.substr(slash + 1);
        if (!db_text.empty())
        {
            long long db = 0;
            if (!parse_number(db_text, 2147483647, db))
                bad(url, "the database must be a number (0 to 15 on a default Redis)");
            a.db = static_cast<int>(db);
        }
    }
    return a;
}

std::string address::redacted() const
{
    std::string out = "redis://";
    if (!password.empty())
        out += user + ":***@";
    if (host.find(':') != std::string::npos)
        out += "[" + host + "]";
    else
        out += host;
    return out + ":" + std::to_string(port) + "/" + std::to_string(db);
}

} // namespace weft::redis
