#include "middleware/render_detector.hpp"

#include <weft/html/document.hpp>
#include <weft/text/ascii.hpp>
#include <weft/url/domain.hpp>

#include <algorithm>

namespace weft::middleware::detail
{
namespace
{

// Where single-page-app frameworks mount what they draw: empty as served, full once scripts ran.
constexpr std::string_view mount_points = "#root, #app, #__next, #__nuxt, #___gatsby, app-root, [ng-app], "
                                          "[data-reactroot], [data-server-rendered]";
constexpr std::size_t min_text_chars = 64; // fewer, with scripts: drawn by script
constexpr std::size_t min_links = 3;       // fewer, with a <noscript> asking for JavaScript

std::optional<render_verdict> empty_mount_point(html::document const& doc)
{
    for (auto const& e : doc.css(mount_points))
        if (!e.first_child() && e.text().empty())
            return render_verdict{true, "empty " + std::string(e.tag()) +
                                            (e.id().empty() ? std::string() : "#" + std::string(e.id())) +
                                            ": a script draws it"};
    return std::nullopt;
}

} // namespace

render_verdict judge_http_page(std::string_view body, std::string_view content_type, std::string_view wait_for)
{
    auto const doc = html::document::parse(body, content_type);
    if (!wait_for.empty())
    {
        if (doc.css_first(wait_for))
            return {false, "has " + std::string(wait_for)};
        return {true, "lacks " + std::string(wait_for)};
    }
    if (auto v = empty_mount_point(doc))
        return *v;
    auto const scripts = doc.css("script").size();
    auto const body_el = doc.css_first("body");
    auto const text_chars = body_el ? body_el->text().size() : 0;
    if (scripts > 0 && text_chars < min_text_chars)
        return {true, "no text without JavaScript"};
    if (doc.css("a[href]").size() < min_links)
        for (auto const& ns : doc.css("noscript"))
            if (text::lower_copy(ns.raw_text()).find("javascript") != std::string::npos)
                return {true, "<noscript> asks for JavaScript"};
    return {false, "has its content as served"};
}

std::string render_pattern(std::string_view url)
{
    auto const host = url::host_of(url);
    auto const scheme_end = url.find("://");
    auto const rest = scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
    auto const slash = rest.find('/');
    std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    path = path.substr(0, path.find_first_of("?#"));

    std::string_view first;
    std::string_view last;
    std::size_t depth = 0;
    for (std::size_t at = 0; at < path.size();)
    {
        auto const end = std::min(path.find('/', at + 1), path.size());
        auto const segment = path.substr(at + 1, end - at - 1);
        at = end;
        if (segment.empty())
            continue;
        if (++depth == 1)
            first = segment;
        last = segment;
    }
    // A folder names a template ("/product/..."); a file at the top ("/about.html") does not.
    if (depth < 2)
        first = {};
    else if (std::any_of(first.begin(), first.end(), [](char c) { return c >= '0' && c <= '9'; }))
        first = "*";
    auto const dot = last.rfind('.');
    auto const extension = dot == std::string_view::npos ? std::string_view() : last.substr(dot);
    return (host ? *host : std::string()) + "/" + std::string(first) + "/" + std::to_string(depth) +
           std::string(extension);
}

bool render_memory::settled(std::string const& pattern, bool helped)
{
    auto it = patterns_.find(pattern);
    if (it == patterns_.end())
        return false;
    auto& r = it->second;
    auto const yes = helped ? r.helped : r.no_help;
    auto const others = r.helped + r.no_help + r.served - yes;
    if (yes < min_pages || yes < 9 * others)
        return false;
    if (++r.since_check >= check_every)
    {
        r.since_check = 0;
        return false; // this page is judged again: does the pattern still behave so?
    }
    return true;
}

void render_memory::learn(std::string const& pattern, render_outcome outcome)
{
    auto it = patterns_.find(pattern);
    if (it == patterns_.end())
    {
        if (patterns_.size() >= max_patterns)
            return;
        it = patterns_.emplace(pattern, record{}).first;
    }
    auto& r = it->second;
    ++(outcome == render_outcome::render_helped ? r.helped
       : outcome == render_outcome::render_no_help ? r.no_help
                                                   : r.served);
}

} // namespace weft::middleware::detail
