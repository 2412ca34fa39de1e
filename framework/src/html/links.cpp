#include <weft/html/links.hpp>

#include <weft/html/document.hpp>

#include "html/links_collector.hpp"

namespace weft::html
{

std::vector<link> extract_links(document const& doc, std::string_view page_url)
{
    static selector const candidates("a[href], area[href], link[href], frame[src], iframe[src]");
    detail::link_collector collector;
    for (auto const& e : doc.css(candidates))
    {
        auto source = detail::link_source_of(e.tag());
        if (!source)
            continue;
        auto value = e.attr(detail::link_attribute(*source));
        if (!value)
            continue;
        auto rel = e.attr("rel").value_or("");
        if (*source == link_source::link && !detail::link_rel_followed(rel))
            continue;
        collector.add(*source, *value, rel);
    }
    return collector.finish(doc.base_href(), page_url);
}

} // namespace weft::html
