#include <weft/engine/robots.hpp>

#include <weft/text/ascii.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace weft::engine
{
namespace
{

constexpr std::string_view whitespace = " \t\v\f";

std::string_view trim(std::string_view s)
{
    auto b = s.find_first_not_of(whitespace);
    if (b == std::string_view::npos)
        return {};
    auto e = s.find_last_not_of(whitespace);
    return s.substr(b, e - b + 1);
}

bool is_unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

enum class key
{
    unknown,
    user_agent,
    allow,
    disallow,
    crawl_delay,
    sitemap,
};

// Google's parser accepts these spellings (robots.cc, "ParsedRobotsKey::Parse").
key classify(std::string_view k)
{
    if (text::iequals(k, "user-agent") || text::iequals(k, "useragent") || text::iequals(k, "user agent") ||
        text::iequals(k, "user_agent"))
        return key::user_agent;
    if (text::iequals(k, "allow"))
        return key::allow;
    for (auto d : {"disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"})
        if (text::iequals(k, d))
            return key::disallow;
    if (text::iequals(k, "crawl-delay") || text::iequals(k, "crawldelay") || text::iequals(k, "crawl_delay"))
        return key::crawl_delay;
    if (text::iequals(k, "sitemap") || text::iequals(k, "site-map"))
        return key::sitemap;
    return key::unknown;
}

// Splits "key: value" (or, leniently, "key value" with no other whitespace) after the comment
// was removed and the line trimmed. Returns false when the line has no key/value shape.
bool split_line(std::string_view line, std::string_view& k, std::string_view& v)
{
    auto colon = line.find(':');
    if (colon != std::string_view::npos)
    {
        k = trim(line.substr(0, colon));
        v = trim(line.substr(colon + 1));
        return !k.empty();
    }
    // "Disallow /x": Google accepts a missing colon when exactly two tokens remain.
    auto ws = line.find_first_of(whitespace);
    if (ws == std::string_view::npos)
        return false;
    k = line.substr(0, ws);
    v = trim(line.substr(ws));
    return !v.empty() && v.find_first_of(whitespace) == std::string_view::npos;
}

std::optional<std::chrono::milliseconds> parse_delay(std::string_view v)
{
    double seconds = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
    if (ec != std::errc{} || end == v.data() || !std::isfinite(seconds) || seconds < 0)
        return std::nullopt;
    seconds = std::min(seconds, 86400.0);
    return std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000)));
}

// A rule pattern matches a prefix of the path; `*` matches any run; a trailing `$` anchors.
// Leftmost-greedy segment search is exact for this pattern language and linear-ish in practice.
bool matches(std::string_view pat, std::string_view path)
{
    bool anchored = !pat.empty() && pat.back() == '$';
    if (anchored)
        pat.remove_suffix(1);
    auto star = pat.find('*');
    if (star == std::string_view::npos)
        return anchored ? path == pat : path.starts_with(pat);
    if (!path.starts_with(pat.substr(0, star)))
        return false;
    std::size_t pos = star;
    auto rest = pat.substr(star + 1);
    for (;;)
    {
        star = rest.find('*');
        if (star == std::string_view::npos)
        {
            if (!anchored)
                return rest.empty() || path.find(rest, pos) != std::string_view::npos;
            return path.size() - pos >= rest.size() && path.ends_with(rest);
        }
        auto seg = rest.substr(0, star);
        if (!seg.empty())
        {
            auto f = path.find(seg, pos);
            if (f == std::string_view::npos)
                return false;
            pos = f + seg.size();
        }
        rest = rest.substr(star + 1);
    }
}

// How well a group's token serves the crawler's: exact beats any prefix; a longer prefix beats
// a shorter one; 0 when it does not apply.
std::size_t specificity(std::string_view group_token, std::string_view crawler)
{
    if (group_token.empty() || group_token == "*")
        return 0;
    if (text::iequals(group_token, crawler))
        return std::numeric_limits<std::size_t>::max();
    if (group_token.size() < crawler.size() && text::iequals(group_token, crawler.substr(0, group_token.size())) &&
        (crawler[group_token.size()] == '-' || crawler[group_token.size()] == '_'))
        return group_token.size();
    return 0;
}

} // namespace

std::string_view robots::product_token(std::string_view agent) noexcept
{
    agent = trim(agent);
    if (!agent.empty() && agent[0] == '*')
        return "*";
    std::size_t n = 0;
    while (n < agent.size() && ((agent[n] >= 'a' && agent[n] <= 'z') || (agent[n] >= 'A' && agent[n] <= 'Z') ||
                                agent[n] == '-' || agent[n] == '_'))
        ++n;
    return agent.substr(0, n);
}

std::string robots::normalize(std::string_view in)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i)
    {
        auto c = static_cast<unsigned char>(in[i]);
        if (c == '%' && i + 2 < in.size() && text::is_hex_digit(in[i + 1]) && text::is_hex_digit(in[i + 2]))
        {
            auto d = static_cast<unsigned char>(text::hex_value(in[i + 1]) * 16 + text::hex_value(in[i + 2]));
            if (is_unreserved(d))
                out.push_back(static_cast<char>(d));
            else
            {
                out.push_back('%');
                out.push_back(hex[d >> 4]);
                out.push_back(hex[d & 15]);
            }
            i += 2;
        }
        else if (c <= 0x20 || c >= 0x7F)
        {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
        else
            out.push_back(static_cast<char>(c));
    }
    return out;
}

std::string robots::path_of(std::string_view url)
{
    url = url.substr(0, url.find('#'));
    std::size_t start = 0;
    if (!url.starts_with("/") || url.starts_with("//"))
    {
        // An absolute URL: skip "scheme:" when present, then "//authority".
        auto colon = url.find(':');
        if (colon != std::string_view::npos && colon > 0 &&
            std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(colon),
                        [](char c)
                        {
                            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                   c == '+' || c == '-' || c == '.';
                        }))
            start = colon + 1;
        if (url.substr(start).starts_with("//"))
        {
            start += 2;
            auto end = url.find_first_of("/?", start);
            start = end == std::string_view::npos ? url.size() : end;
        }
    }
    auto path = url.substr(start);
    if (path.empty())
        return "/";
    if (path[0] != '/')
        return "/" + std::string(path);
    return std::string(path);
}

robots robots::disallow_all()
{
    robots r;
    r.disallow_all_ = true;
    return r;
}

robots robots::parse(std::string_view body)
{
    robots r;
    // A UTF-8 BOM, or what is left of one (google/robotstxt skips a partial BOM too).
    for (char b : {'\xEF', '\xBB', '\xBF'})
        if (!body.empty() && body.front() == b)
            body.remove_prefix(1);
        else
            break;
    if (body.size() > max_size)
    {
        // Content past the limit is ignored, and so is the line the limit cuts.
        body = body.substr(0, max_size);
        auto last = body.find_last_of("\r\n");
        body = body.substr(0, last == std::string_view::npos ? 0 : last);
    }

    group* current = nullptr;
    bool in_agents = false; // the previous key line was a user-agent: the run continues
    std::size_t pos = 0;
    while (pos < body.size())
    {
        auto eol = body.find_first_of("\r\n", pos);
        auto line = body.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
        pos = eol == std::string_view::npos ? body.size() : eol + 1;
        if (eol != std::string_view::npos && body[eol] == '\r' && pos < body.size() && body[pos] == '\n')
            ++pos;

        line = line.substr(0, max_line);
        line = trim(line.substr(0, line.find('#')));
        std::string_view k, v;
        if (line.empty() || !split_line(line, k, v))
            continue;

        switch (classify(k))
        {
        case key::user_agent:
        {
            if (!in_agents)
            {
                r.groups_.emplace_back();
                current = &r.groups_.back();
                in_agents = true;
            }
            auto token = product_token(v);
            if (!token.empty())
            {
                current->agents.push_back(text::lower_copy(token));
            }
            break;
        }
        case key::allow:
        case key::disallow:
            in_agents = false;
            if (current && !v.empty())
                current->rules.push_back(rule{normalize(v), classify(k) == key::allow});
            break;
        case key::crawl_delay:
            in_agents = false;
            if (current && !current->crawl_delay)
                current->crawl_delay = parse_delay(v);
            break;
        case key::sitemap:
            if (!v.empty())
                r.sitemaps_.emplace_back(v);
            break;
        case key::unknown:
            break;
        }
    }
    // Groups that name no agent can never be selected.
    std::erase_if(r.groups_, [](group const& g) { return g.agents.empty(); });
    return r;
}

robots::group const* robots::select(std::string_view agent, std::vector<group const*>& out) const
{
    auto crawler = product_token(agent);
    std::size_t best = 0;
    for (auto const& g : groups_)
        for (auto const& a : g.agents)
            best = std::max(best, specificity(a, crawler));
    for (auto const& g : groups_)
        if (std::any_of(g.agents.begin(), g.agents.end(),
                        [&](std::string const& a) { return best ? specificity(a, crawler) == best : a == "*"; }))
            out.push_back(&g);
    return out.empty() ? nullptr : out.front();
}

bool robots::allowed(std::string_view agent, std::string_view path_and_query) const
{
    auto path = path_of(path_and_query);
    if (std::string_view(path).substr(0, path.find('?')) == "/robots.txt")
        return true;
    if (disallow_all_)
        return false;
    std::vector<group const*> selected;
    if (!select(agent, selected))
        return true;
    auto normalized = normalize(path);
    long best_allow = -1, best_disallow = -1;
    for (auto const* g : selected)
        for (auto const& r : g->rules)
        {
            auto length = static_cast<long>(r.pattern.size());
            if (length <= (r.allow ? best_allow : best_disallow) || !matches(r.pattern, normalized))
                continue;
            (r.allow ? best_allow : best_disallow) = length;
        }
    return best_disallow <= best_allow;
}

std::optional<std::chrono::milliseconds> robots::crawl_delay(std::string_view agent) const
{
    std::vector<group const*> selected;
    select(agent, selected);
    for (auto const* g : selected)
        if (g->crawl_delay)
            return g->crawl_delay;
    return std::nullopt;
}

namespace
{
// Its own category rather than a weft::error: those values are part of the plugin ABI.
class robots_category final : public boost::system::error_category
{
public:
    char const* name() const noexcept override { return "weft.robots"; }
    std::string message(int) const override { return "robots.txt unreachable"; }
    error_condition default_error_condition(int) const noexcept override { return condition::network; }
};
} // namespace

error_code robots_unreachable_error() noexcept
{
    static robots_category const category;
    return error_code(1, category);
}

robots_policy robots_from_fetch(int status, std::string_view body)
{
    robots_policy p;
    if (status >= 200 && status < 300)
    {
        p.rules = robots::parse(body);
        p.from = robots_policy::source::parsed;
    }
    else if ((status >= 300 && status < 400) || (status >= 400 && status < 500 && status != 429))
    {
        p.rules = robots::allow_all();
        p.from = robots_policy::source::unavailable;
    }
    else
    {
        // 5xx, 429 (Google treats it as a server error), no response, nonsense statuses.
        p.rules = robots::disallow_all();
        p.from = robots_policy::source::unreachable;
        p.max_age = unreachable_retry;
    }
    return p;
}

} // namespace weft::engine
