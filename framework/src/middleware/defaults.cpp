#include <weft/middleware/builtin.hpp>

#include "middleware/detail.hpp"

#include <cstddef>
#include <iterator>

namespace weft::middleware
{
namespace
{

using settings = engine::settings;

// The one table of the built-ins: each one's name, its priority (Scrapy's order), when
// install_defaults adds it, and how to make it. Rows are in the order of detail::builtin_id.
struct builtin_row
{
    detail::builtin_id id;
    std::string_view name;
    int priority;
    bool (*enabled)(settings const&);
    std::unique_ptr<downloader_middleware> (*make)(settings const&);
};

constexpr builtin_row builtins[] = {
    {detail::builtin_id::robots, "robots", 100, [](settings const& s) { return s.obey_robots; },
     [](settings const&) { return make_robots(); }},
    {detail::builtin_id::user_agent, "user_agent", 500, [](settings const&) { return true; },
     [](settings const&) { return make_user_agent(); }},
    {detail::builtin_id::retry, "retry", 550, [](settings const&) { return true; },
     [](settings const&) { return make_retry(); }},
    {detail::builtin_id::redirect, "redirect", 600, [](settings const&) { return true; },
     [](settings const&) { return make_redirect(); }},
    {detail::builtin_id::cookies, "cookies", 700, [](settings const& s) { return s.cookies; },
     [](settings const&) { return make_cookies(); }},
    {detail::builtin_id::http_cache, "http_cache", 900, [](settings const& s) { return !s.http_cache_dir.empty(); },
     [](settings const& s) { return make_http_cache(s.http_cache_dir); }},
    // Always there: a request may ask for "auto" whatever the crawl's setting.
    {detail::builtin_id::adaptive_render, "adaptive_render", 590, [](settings const&) { return true; },
     [](settings const&) { return make_adaptive_render(); }},
};

constexpr bool rows_in_id_order()
{
    for (std::size_t i = 0; i < std::size(builtins); ++i)
        if (static_cast<std::size_t>(builtins[i].id) != i)
            return false;
    return true;
}
static_assert(rows_in_id_order(), "builtins[] must list the rows in the order of detail::builtin_id");

builtin_row const& row(detail::builtin_id id) noexcept
{
    return builtins[static_cast<std::size_t>(id)];
}

} // namespace

std::string_view detail::builtin_name(builtin_id id) noexcept
{
    return row(id).name;
}

int detail::builtin_priority(builtin_id id) noexcept
{
    return row(id).priority;
}

void install_defaults(middleware_chain& chain, engine::settings const& s)
{
    for (auto const& r : builtins)
        if (r.enabled(s) && !chain.find(r.name))
            chain.add(r.make(s));
}

} // namespace weft::middleware
