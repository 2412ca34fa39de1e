// Link extraction from a parsed document: the hyperlinks a crawler follows.
//
// Reported: a[href], area[href], link[href] whose rel has next, prev or alternate, frame[src]
// and iframe[src]. javascript:, mailto:, tel: and data: references and ones that do not resolve
// are dropped. URLs are absolute (resolved against the document's first <base href>, itself
// resolved against the page URL), canonical (weft::url::canonicalize with default options: no
// fragment, normalized encoding) and de-duplicated (the first occurrence wins), in document order.
//
// The streaming weft::html::scan (scanner.hpp) applies the same rules without building a tree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::html
{

class document;

/// The element a link came from.
enum class link_source : std::uint8_t
{
    a,
    area,
    link,
    frame,
    iframe,
};

/// "a", "area", "link", "frame" or "iframe".
std::string_view to_string(link_source s) noexcept;

struct link
{
    std::string url;    ///< absolute and canonical
    link_source source; ///< the element it came from
    bool nofollow;      ///< rel contains "nofollow" (a, area, link)
    std::string rel;    ///< the raw rel attribute ("" without one)

    friend bool operator==(link const&, link const&) = default;
};

/// The links of doc, whose own URL is page_url (absolute). Never fails: when page_url does not
/// parse, only links that are absolute by themselves are reported.
std::vector<link> extract_links(document const& doc, std::string_view page_url);

/// The effective base URL: the first <base href> resolved against page_url, or page_url itself
/// when there is none or it does not resolve.
std::string effective_base(std::optional<std::string_view> base_href, std::string_view page_url);

} // namespace weft::html
