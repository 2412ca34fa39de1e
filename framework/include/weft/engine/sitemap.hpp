// weft::engine::sitemap: parse sitemaps (sitemaps.org protocol 0.9): XML `<urlset>` and
// `<sitemapindex>`, gzip-compressed ones, and plain-text ones (one URL per line).
//
// The XML reader is a small streaming tokenizer, not a full XML parser: it understands
// elements, attributes, namespace prefixes (matched by local name: `<s:loc>` is `<loc>`), CDATA,
// comments, processing instructions, the five predefined entities and numeric character
// references. It never expands DOCTYPE entities (no XXE, no billion laughs) and never fetches
// anything. Malformed input ends the parse with what was read so far.
//
// Only fields that are direct children of `<url>` / `<sitemap>` are read, so `<image:loc>` inside
// `<image:image>` does not replace a page's `<loc>`. Values are trimmed of whitespace; entries
// without a `<loc>` are dropped. URLs are returned as written: the caller checks the scheme and
// the host (the protocol allows only URLs under the sitemap's own location) and resolves them.
//
// Limits (protocol: 50,000 URLs and 50 MiB uncompressed per file): past `max_urls` entries the
// rest are ignored and `truncated` is set; a body over `max_bytes` (after decompression) is an
// error, `decompressed_too_large` for gzip and `body_too_large` otherwise.
#pragma once

#include <boost/system/result.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::engine::sitemap
{

/// One `<url>` of a `<urlset>` (or one line of a text sitemap: only `loc` then).
struct url_entry
{
    std::string loc;
    std::string lastmod;            ///< W3C datetime as written ("2024-05-01", "2024-05-01T10:00:00+00:00")
    std::optional<double> priority; ///< 0.0 to 1.0 when present and valid
    std::string changefreq;         ///< always, hourly, daily, weekly, monthly, yearly, never (lower-cased)
};

/// One `<sitemap>` of a `<sitemapindex>`.
struct child_sitemap
{
    std::string loc;
    std::string lastmod;
};

enum class format
{
    urlset,       ///< XML `<urlset>`
    sitemapindex, ///< XML `<sitemapindex>`
    text,         ///< one URL per line
    unknown,      ///< XML with another root (RSS, Atom, HTML): nothing read
};

struct document
{
    sitemap::format format = format::unknown;
    bool gzipped = false;
    bool truncated = false; ///< more than max_urls entries: the rest were ignored
    std::vector<url_entry> urls;
    std::vector<child_sitemap> sitemaps;
};

struct limits
{
    std::size_t max_urls = 50'000;            ///< entries kept per file (URLs plus child sitemaps)
    std::size_t max_bytes = 50 * 1024 * 1024; ///< body size, after decompression
};

/// Parses a sitemap body. Gzip is detected by its magic bytes (1f 8b), whatever the URL says;
/// XML by its first non-blank character being '<'; anything else is read as text, where only
/// lines starting with http:// or https:// count.
/// Errors: `weft::error::bad_content_encoding` (corrupt gzip), `weft::error::decompressed_too_large`,
/// `weft::error::body_too_large`.
boost::system::result<document> parse(std::string_view body, limits const& lim = {});

/// Decompresses gzip data (several members are concatenated) up to `max_bytes` of output.
/// Errors: `bad_content_encoding`, `decompressed_too_large`.
boost::system::result<std::string> gunzip(std::string_view data, std::size_t max_bytes);

} // namespace weft::engine::sitemap
