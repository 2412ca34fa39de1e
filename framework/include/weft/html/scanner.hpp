// A streaming HTML scanner: links, <base href>, <title> and <meta> without building a tree.
//
// It follows the HTML5 tokenizer's states (tags and attributes with every quoting form,
// character references named and numeric, comments with their `<!-->` and `--!>` edge cases,
// bogus comments, DOCTYPE, raw text in script/style/xmp/iframe/noembed/noframes with script's
// escape states, RCDATA in title/textarea, plaintext, CDATA in svg/math), so markup inside
// scripts, styles, comments and textareas is not mistaken for tags. It skips text with memchr
// and decodes only the attributes of the tags it reports; it runs at many times the speed of a
// DOM parse (bench/scanner_bench.cpp).
//
// Links follow the rules of weft::html::extract_links (links.hpp), and agree with it; the
// differences come from tree construction, which a scanner does not do:
//   - tags the tree builder drops are still seen: `<a>` inside `<select>`, content after
//     `<frameset>`, attributes of a second `<html>`/`<body>` tag; and a `frame` counts only
//     after a `<frameset>` start tag;
//   - foreign content (svg/math) is tracked with a simplified element stack;
//   - input must be UTF-8: invalid bytes are not replaced with U+FFFD as the DOM parser does.
#pragma once

#include <weft/html/links.hpp>

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace weft::html
{

struct scan_result
{
    std::vector<link> links;                 ///< as extract_links reports them
    std::optional<std::string> base_href;    ///< the first <base href>, raw
    std::string title;                       ///< the first <title>'s text, whitespace-collapsed
    std::optional<std::string> meta_charset; ///< <meta charset> or the charset of http-equiv content-type
    std::optional<std::string> meta_robots;  ///< content of the first <meta name=robots>
    std::optional<std::string> meta_refresh; ///< content of the first <meta http-equiv=refresh>
    std::optional<std::string> canonical;    ///< the first <link rel=canonical href>, resolved
};

/// Scans utf8_html, whose URL is page_url (absolute; used to resolve links).
scan_result scan(std::string_view utf8_html, std::string_view page_url);

/// One attribute of a tag: the name lower-cased, the value with character references decoded.
/// Views valid only during the callback.
struct tag_attribute
{
    std::string_view name;
    std::string_view value;
};

/// A start or end tag as the tokenizer emits it.
struct tag_token
{
    std::string_view name; ///< lower case
    bool end_tag = false;
    bool self_closing = false;
    std::span<tag_attribute const> attributes; ///< first occurrence of each name, in source order

    /// The value of attribute name (lower case), or nullopt.
    std::optional<std::string_view> attr(std::string_view name) const noexcept
    {
        for (auto const& a : attributes)
            if (a.name == name)
                return a.value;
        return std::nullopt;
    }
};

/// Calls visit for every tag of utf8_html in source order, with the tokenizer switching to raw
/// text, RCDATA and script states as a browser's tree builder would make it (comments, scripts,
/// styles and the like produce no tags). Return false from visit to stop.
void for_each_tag(std::string_view utf8_html, std::function<bool(tag_token const&)> const& visit);

} // namespace weft::html
