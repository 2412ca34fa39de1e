// Private: the link rules shared by the DOM extraction (links.cpp) and the scanner (scanner.cpp),
// so that both report exactly the same thing for the same tags.
#pragma once

#include <weft/html/links.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::html::detail
{

/// The link source of a tag, or nullopt when the tag never carries a followed link.
std::optional<link_source> link_source_of(std::string_view lower_tag) noexcept;
/// "href", or "src" for frame and iframe.
std::string_view link_attribute(link_source s) noexcept;
/// True when the ASCII-whitespace-separated tokens of rel contain token (ASCII case-insensitive).
bool rel_has(std::string_view rel, std::string_view token) noexcept;
/// link[href] counts only with rel next, prev or alternate.
bool link_rel_followed(std::string_view rel) noexcept;
/// javascript:, mailto:, tel:, data: (after the URL parser's trimming), case-insensitive.
bool is_dropped_scheme(std::string_view raw_reference) noexcept;
/// ASCII whitespace collapsed to single spaces, ends trimmed (for titles).
std::string collapse_whitespace(std::string_view s);

/// Collects raw references in document order, then resolves, canonicalizes and de-duplicates
/// them once the base is known (a <base> may come after the first links).
class link_collector
{
public:
    /// value and rel are copied.
    void add(link_source source, std::string_view value, std::string_view rel);
    std::vector<link> finish(std::optional<std::string_view> base_href, std::string_view page_url);

private:
    struct pending
    {
        std::string value;
        std::string rel;
        link_source source;
    };
    std::vector<pending> pending_;
};

} // namespace weft::html::detail
