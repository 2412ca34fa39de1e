#include "html/links_collector.hpp"

#include <weft/text/ascii.hpp>
#include <weft/url/canonicalize.hpp>
#include <weft/url/resolve.hpp>

#include "url/canonical_detail.hpp"

#include <unordered_set>

namespace weft::html::detail
{
namespace
{

// Hashes/compares links by their url, through indices into the result vector (whose strings
// move when it grows).
struct url_hash
{
    std::vector<link> const* v;
    std::size_t operator()(std::size_t i) const noexcept { return std::hash<std::string>{}((*v)[i].url); }
};
struct url_eq
{
    std::vector<link> const* v;
    bool operator()(std::size_t a, std::size_t b) const noexcept { return (*v)[a].url == (*v)[b].url; }
};

} // namespace

std::optional<link_source> link_source_of(std::string_view t) noexcept
{
    if (t == "a")
        return link_source::a;
    if (t == "area")
        return link_source::area;
    if (t == "link")
        return link_source::link;
    if (t == "frame")
        return link_source::frame;
    if (t == "iframe")
        return link_source::iframe;
    return std::nullopt;
}

std::string_view link_attribute(link_source s) noexcept
{
    return s == link_source::frame || s == link_source::iframe ? "src" : "href";
}

bool rel_has(std::string_view rel, std::string_view token) noexcept
{
    std::size_t i = 0;
    while (i < rel.size())
    {
        while (i < rel.size() && text::is_html_space(rel[i]))
            ++i;
        std::size_t j = i;
        while (j < rel.size() && !text::is_html_space(rel[j]))
            ++j;
        if (j > i && text::iequals(rel.substr(i, j - i), token))
            return true;
        i = j;
    }
    return false;
}

bool link_rel_followed(std::string_view rel) noexcept
{
    return rel_has(rel, "next") || rel_has(rel, "prev") || rel_has(rel, "alternate");
}

bool is_dropped_scheme(std::string_view raw) noexcept
{
    // The URL parser trims C0 controls and spaces and ignores tabs and newlines: so do we.
    char scheme[12];
    std::size_t n = 0;
    std::size_t i = 0;
    while (i < raw.size() && static_cast<unsigned char>(raw[i]) <= 0x20)
        ++i;
    for (; i < raw.size() && n < sizeof scheme; ++i)
    {
        char c = raw[i];
        if (c == '\t' || c == '\n' || c == '\r')
            continue;
        if (c == ':')
        {
            std::string_view s(scheme, n);
            return s == "javascript" || s == "mailto" || s == "tel" || s == "data";
        }
        scheme[n++] = text::to_lower(c);
    }
    return false;
}

std::string collapse_whitespace(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    bool pending_space = false;
    for (char c : s)
    {
        if (text::is_html_space(c))
            pending_space = !out.empty();
        else
        {
            if (pending_space)
                out.push_back(' ');
            pending_space = false;
            out.push_back(c);
        }
    }
    return out;
}

void link_collector::add(link_source source, std::string_view value, std::string_view rel)
{
    // The input stream's newline normalization (CR LF and CR to LF), which the DOM parser applies.
    std::string r;
    r.reserve(rel.size());
    for (std::size_t i = 0; i < rel.size(); ++i)
    {
        if (rel[i] == '\r')
        {
            r.push_back('\n');
            if (i + 1 < rel.size() && rel[i + 1] == '\n')
                ++i;
        }
        else
            r.push_back(rel[i]);
    }
    pending_.push_back(pending{std::string(value), std::move(r), source});
}

std::vector<link> link_collector::finish(std::optional<std::string_view> base_href, std::string_view page_url)
{
    std::vector<link> out;
    out.reserve(pending_.size());
    auto base = url::base_url::make(effective_base(base_href, page_url));
    std::unordered_set<std::size_t, url_hash, url_eq> seen(pending_.size() * 2 + 1, url_hash{&out}, url_eq{&out});
    for (auto& p : pending_)
    {
        if (is_dropped_scheme(p.value))
            continue;
        auto resolved = base ? base->resolve(p.value) : url::parse(p.value);
        if (!resolved)
            continue;
        bool nofollow = p.source != link_source::frame && p.source != link_source::iframe && rel_has(p.rel, "nofollow");
        out.push_back(link{url::detail::canonicalize_parsed(*resolved, {}), p.source, nofollow, std::move(p.rel)});
        if (!seen.insert(out.size() - 1).second)
            out.pop_back();
    }
    pending_.clear();
    return out;
}

} // namespace weft::html::detail

namespace weft::html
{

std::string_view to_string(link_source s) noexcept
{
    switch (s)
    {
    case link_source::a:
        return "a";
    case link_source::area:
        return "area";
    case link_source::link:
        return "link";
    case link_source::frame:
        return "frame";
    case link_source::iframe:
        return "iframe";
    }
    return "?";
}

std::string effective_base(std::optional<std::string_view> base_href, std::string_view page_url)
{
    if (base_href)
        if (auto r = url::resolve(page_url, *base_href))
            return std::move(*r);
    return std::string(page_url);
}

} // namespace weft::html
