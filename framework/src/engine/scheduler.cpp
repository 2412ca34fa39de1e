#include <weft/engine/scheduler.hpp>

#include <weft/text/ascii.hpp>
#include <weft/url/canonicalize.hpp>
#include <weft/url/domain.hpp>

#include <stdexcept>

namespace weft::engine
{

char const* to_string(schedule_result r) noexcept
{
    switch (r)
    {
    case schedule_result::queued:
        return "queued";
    case schedule_result::duplicate:
        return "duplicate";
    case schedule_result::offsite:
        return "offsite";
    case schedule_result::too_deep:
        return "too_deep";
    case schedule_result::denied:
        return "denied";
    case schedule_result::bad_url:
        return "bad_url";
    }
    return "unknown";
}

namespace
{
std::vector<std::regex> compile(std::vector<std::string> const& patterns, char const* flag)
{
    std::vector<std::regex> out;
    for (auto const& p : patterns)
    {
        try
        {
            out.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
        }
        catch (std::regex_error const& e)
        {
            throw std::invalid_argument(std::string(flag) + " '" + p + "': not a valid regular expression (" +
                                        e.what() + ")");
        }
    }
    return out;
}
} // namespace

scheduler::scheduler(settings const& s, stats& st)
    : settings_(s), stats_(st), allow_(compile(s.allow, "--allow")),
      deny_(compile(s.deny, "--deny"))
{
    for (auto const& h : s.allowed_hosts)
        allow_host(h);
    explicit_hosts_ = !s.allowed_hosts.empty();
    fp_options_.canonical.sort_query = s.fingerprint_sort_query;
    fp_options_.canonical.strip_tracking = s.fingerprint_strip_tracking;
    for (auto const& h : s.also_allowed_hosts)
        allow_host(h);
}

void scheduler::allow_host(std::string host)
{
    host = text::to_lower(std::move(host));
    if (host.starts_with("www."))
        hosts_.insert(host.substr(4));
    hosts_.insert(std::move(host));
}

bool scheduler::host_allowed(std::string_view host) const
{
    // The host and its subdomains (Scrapy's allowed_domains).
    std::string_view h = host;
    while (true)
    {
        if (hosts_.find(h) != hosts_.end())
            return true;
        auto dot = h.find('.');
        if (dot == std::string_view::npos)
            return false;
        h.remove_prefix(dot + 1);
    }
}

admission scheduler::admit(weft::request req, bool start)
{
    auto canonical = url::canonicalize(req.url());
    if (!canonical || !(canonical->starts_with("http://") || canonical->starts_with("https://")))
    {
        ++stats_.bad_urls;
        return {schedule_result::bad_url, std::nullopt};
    }
    auto host = url::host_of(*canonical);
    if (!host)
    {
        ++stats_.bad_urls;
        return {schedule_result::bad_url, std::nullopt};
    }
    if (start && !explicit_hosts_)
        allow_host(*host);
    if (!host_allowed(*host))
    {
        ++stats_.filtered_offsite;
        return {schedule_result::offsite, std::nullopt};
    }
    if (settings_.max_depth >= 0 && req.depth() > settings_.max_depth)
    {
        ++stats_.filtered_depth;
        return {schedule_result::too_deep, std::nullopt};
    }
    if (!start)
    {
        if (settings_.url_length_limit > 0 && req.url().size() > settings_.url_length_limit)
        {
            ++stats_.filtered_rule;
            return {schedule_result::denied, std::nullopt};
        }
        if (!allow_.empty() && std::none_of(allow_.begin(), allow_.end(),
                                            [&](auto const& re) { return std::regex_search(*canonical, re); }))
        {
            ++stats_.filtered_rule;
            return {schedule_result::denied, std::nullopt};
        }
        for (auto const& re : deny_)
            if (std::regex_search(*canonical, re))
            {
                ++stats_.filtered_rule;
                return {schedule_result::denied, std::nullopt};
            }
    }
    auto fp = make_fingerprint(req.http(), fp_options_);
    admission out;
    out.request.emplace(std::move(req), std::move(*host), fp);
    return out;
}

} // namespace weft::engine
