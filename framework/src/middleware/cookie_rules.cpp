// RFC 6265's algorithms that need no jar: dates, domain and path matching, the Set-Cookie parse.
#include <weft/middleware/cookie_jar.hpp>

#include <weft/text/ascii.hpp>

#include "middleware/cookie_detail.hpp"

#include <array>
#include <ctime>

namespace weft::middleware
{
namespace
{

// §5.1.1 delimiter: %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
bool is_date_delimiter(unsigned char c)
{
    return c == 0x09 || (c >= 0x20 && c <= 0x2F) || (c >= 0x3B && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
}

// Reads 1 to `max` leading digits of `s` into `out`; the count read, 0 when none.
std::size_t leading_digits(std::string_view s, std::size_t max, int& out)
{
    std::size_t n = 0;
    out = 0;
    while (n < s.size() && n < max && text::is_digit(s[n]))
        out = out * 10 + (s[n++] - '0');
    return n;
}

// hms-time = 1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT ( non-digit *OCTET )
bool parse_time(std::string_view t, int& h, int& m, int& s)
{
    int* parts[3] = {&h, &m, &s};
    for (int i = 0; i < 3; ++i)
    {
        auto n = leading_digits(t, 2, *parts[i]);
        if (n == 0)
            return false;
        t.remove_prefix(n);
        if (i < 2)
        {
            if (t.empty() || t.front() != ':')
                return false;
            t.remove_prefix(1);
        }
    }
    return t.empty() || !text::is_digit(t.front());
}

int month_of(std::string_view token)
{
    static constexpr std::array<std::string_view, 12> names = {"jan", "feb", "mar", "apr", "may", "jun",
                                                               "jul", "aug", "sep", "oct", "nov", "dec"};
    if (token.size() < 3)
        return 0;
    for (std::size_t i = 0; i < names.size(); ++i)
        if (text::iequals(token.substr(0, 3), names[i]))
            return static_cast<int>(i) + 1;
    return 0;
}

// A 1*N DIGIT token followed by nothing or a non-digit.
bool digits_token(std::string_view token, std::size_t min, std::size_t max, int& out)
{
    auto n = leading_digits(token, max, out);
    return n >= min && (n == token.size() || !text::is_digit(token[n]));
}

} // namespace

std::optional<cookie::time_point> parse_cookie_date(std::string_view s)
{
    bool found_time = false, found_day = false, found_month = false, found_year = false;
    int hour = 0, minute = 0, second = 0, day = 0, month = 0, year = 0;
    std::size_t i = 0;
    while (i < s.size())
    {
        while (i < s.size() && is_date_delimiter(static_cast<unsigned char>(s[i])))
            ++i;
        auto start = i;
        while (i < s.size() && !is_date_delimiter(static_cast<unsigned char>(s[i])))
            ++i;
        auto token = s.substr(start, i - start);
        if (token.empty())
            continue;
        int v = 0;
        if (!found_time && parse_time(token, hour, minute, second))
            found_time = true;
        else if (!found_day && digits_token(token, 1, 2, v))
            found_day = true, day = v;
        else if (!found_month && (v = month_of(token)) != 0)
            found_month = true, month = v;
        else if (!found_year && digits_token(token, 2, 4, v))
            found_year = true, year = v;
    }
    if (year >= 70 && year <= 99)
        year += 1900;
    else if (year >= 0 && year <= 69)
        year += 2000;
    if (!found_time || !found_day || !found_month || !found_year || day < 1 || day > 31 || year < 1601 ||
        hour > 23 || minute > 59 || second > 59)
        return std::nullopt;
    std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                    std::chrono::day(static_cast<unsigned>(day))};
    if (!ymd.ok())
        return std::nullopt; // 31 Feb: "fails to parse" per §5.1.1 step 5
    return std::chrono::sys_days(ymd) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
           std::chrono::seconds(second);
}

bool detail::is_ip_host(std::string_view host) noexcept
{
    if (host.starts_with('['))
        return true;
    if (host.empty())
        return false;
    for (char c : host)
        if (!text::is_digit(c) && c != '.')
            return false;
    return true;
}

bool domain_matches(std::string_view host, std::string_view domain) noexcept
{
    if (host == domain)
        return !host.empty();
    return !domain.empty() && host.size() > domain.size() && host.ends_with(domain) &&
           host[host.size() - domain.size() - 1] == '.' && !detail::is_ip_host(host);
}

std::string default_cookie_path(std::string_view request_path)
{
    if (request_path.empty() || request_path.front() != '/')
        return "/";
    auto last = request_path.rfind('/');
    if (last == 0)
        return "/";
    return std::string(request_path.substr(0, last));
}

bool path_matches(std::string_view request_path, std::string_view cookie_path) noexcept
{
    if (request_path == cookie_path)
        return true;
    if (!request_path.starts_with(cookie_path))
        return false;
    return cookie_path.ends_with('/') || request_path[cookie_path.size()] == '/';
}

std::optional<detail::set_cookie> detail::parse_set_cookie(std::string_view line, std::string& why)
{
    auto trim = [](std::string_view s) { return text::trim(s, text::is_http_space); };
    auto semi = line.find(';');
    auto pair = line.substr(0, semi);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos)
    {
        why = "no '=' in the name-value pair";
        return std::nullopt;
    }
    set_cookie out;
    out.name = std::string(trim(pair.substr(0, eq)));
    out.value = std::string(trim(pair.substr(eq + 1)));
    if (out.name.empty())
    {
        why = "an empty cookie name";
        return std::nullopt;
    }
    for (unsigned char c : out.name + out.value)
        if ((c < 0x20 && c != 0x09) || c == 0x7F)
        {
            why = "a control character in the name or value";
            return std::nullopt;
        }
    if (out.name.size() + out.value.size() > 4096)
    {
        why = "name and value longer than 4096 bytes";
        return std::nullopt;
    }
    while (semi != std::string_view::npos)
    {
        auto start = semi + 1;
        semi = line.find(';', start);
        auto av = line.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start);
        auto aeq = av.find('=');
        auto key = trim(av.substr(0, aeq));
        auto value = aeq == std::string_view::npos ? std::string_view() : trim(av.substr(aeq + 1));
        if (value.size() > 1024)
            continue; // 6265bis §5.6: an attribute value over 1024 bytes is ignored
        out.attributes.push_back({std::string(key), std::string(value)});
    }
    return out;
}

} // namespace weft::middleware
