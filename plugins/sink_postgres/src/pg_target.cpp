#include "pg_target.hpp"

#include <weft/text/ascii.hpp>

#include <cctype>
#include <stdexcept>

namespace weft::pg
{
namespace
{

std::string percent_decoded(std::string_view s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i)
    {
        auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2])))
        {
            out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        }
        else
            out += s[i] == '+' ? ' ' : s[i];
    }
    return out;
}

} // namespace

std::string target::where() const
{
    return "table '" + table + "' in database '" + database + "' on " + host;
}

std::string quote_identifier(std::string_view name)
{
    std::string out = "\"";
    for (char c : name)
    {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + '"';
}

target parse_target(std::string_view output)
{
    auto const lower = text::lower_copy(std::string(output));
    std::size_t scheme = lower.starts_with("postgresql://") ? 13 : lower.starts_with("postgres://") ? 11 : 0;
    if (scheme == 0)
        throw std::invalid_argument("'" + std::string(output) + "' is not a postgresql:// or postgres:// URI");
    target t;
    std::string_view rest = output.substr(scheme);
    auto const query_at = rest.find('?');
    std::string_view query = query_at == std::string_view::npos ? std::string_view{} : rest.substr(query_at + 1);
    std::string_view before_query = rest.substr(0, query_at);
    auto const slash = before_query.find('/');
    std::string_view authority = before_query.substr(0, slash);
    std::string_view db = slash == std::string_view::npos ? std::string_view{} : before_query.substr(slash + 1);
    auto const at = authority.rfind('@');
    std::string_view hostport = at == std::string_view::npos ? authority : authority.substr(at + 1);
    std::string userinfo = at == std::string_view::npos ? "" : std::string(authority.substr(0, at));
    if (auto colon = userinfo.find(':'); colon != std::string::npos)
        userinfo = userinfo.substr(0, colon) + ":***";
    t.host = hostport.empty() ? "the local socket" : percent_decoded(hostport);
    t.database = db.empty() ? "(the user's default database)" : percent_decoded(db);

    // Keep every parameter but `table` for libpq; it refuses ones it does not know.
    std::string kept;
    while (!query.empty())
    {
        auto const amp = query.find('&');
        auto const pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        auto const eq = pair.find('=');
        auto const key = pair.substr(0, eq);
        if (key == "table")
        {
            t.table = eq == std::string_view::npos ? "" : percent_decoded(pair.substr(eq + 1));
            if (t.table.empty() || t.table.size() > 63 || t.table.find('\0') != std::string::npos)
                throw std::invalid_argument("'table' in output '" + std::string(output) +
                                            "' must be a name of 1 to 63 bytes");
            continue;
        }
        if (!pair.empty())
            kept += (kept.empty() ? "" : "&") + std::string(pair);
    }
    if (t.table.empty())
        t.table = "items";
    t.conninfo = std::string(output.substr(0, scheme)) + std::string(before_query) + (kept.empty() ? "" : "?" + kept);
    t.redacted = std::string(output.substr(0, scheme)) + (userinfo.empty() ? "" : userinfo + "@") +
                 std::string(hostport) + (slash == std::string_view::npos ? "" : "/" + std::string(db)) +
                 "?table=" + t.table;
    return t;
}

} // namespace weft::pg
