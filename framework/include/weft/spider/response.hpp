// weft::response: what a callback receives; the HTTP response, the request that asked for it,
// and the page parsed on demand (a DOM for CSS selectors, or the fast link scanner).
#pragma once

#include <weft/html/document.hpp>
#include <weft/html/element.hpp>
#include <weft/html/links.hpp>
#include <weft/html/scanner.hpp>
#include <weft/http/response.hpp>
#include <weft/spider/request.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft
{

/// A response as a spider sees it. Cheap to copy: copies share one state, so elements taken from
/// css() stay valid while any copy is alive (callbacks take it by value).
///
/// Parsing is lazy and done once: text() decodes the body to UTF-8 (BOM, Content-Type charset,
/// <meta>, else windows-1252), document() builds the DOM on first use, links()/scan() run the
/// streaming scanner (no DOM). The engine may do both ahead of time on a worker pool
/// (settings::parse_workers); the state is not synchronized otherwise: use a response from one
/// thread at a time.
class response
{
public:
    response();
    response(http::response res, weft::request req);

    /// The final URL (after redirects).
    std::string const& url() const;
    int status() const;
    http::headers const& headers() const;
    /// The raw body bytes.
    std::string const& body() const;
    /// The body decoded to UTF-8.
    std::string_view text() const;
    /// The Content-Type's media type ("text/html"), lower-cased.
    std::string media_type() const;
    /// True for text/html, application/xhtml+xml, or no Content-Type with a body that looks like HTML.
    bool is_html() const;

    weft::request const& request() const;
    /// The request's meta (Scrapy's response.meta).
    nlohmann::json& meta();
    /// The request's callback arguments (weft::request::kwarg, Scrapy's cb_kwargs).
    nlohmann::json const& kwargs() const;
    /// One callback argument. @throws std::out_of_range naming the key and the URL when the
    /// request did not give it.
    nlohmann::json const& kwarg(std::string const& key) const;
    /// The body parsed as JSON. @throws nlohmann::json::parse_error.
    nlohmann::json json() const;

    /// The parsed document (built on first use). css()/css_first() give elements; a selector
    /// ending in `::text` or `::attr(name)` gives strings and goes to text()/texts() instead
    /// (css() throws html::selector_error saying so).
    html::document const& document() const;
    std::vector<html::element> css(std::string_view selector) const { return document().css(selector); }
    std::optional<html::element> css_first(std::string_view selector) const { return document().css_first(selector); }
    /// text() of the first match of `selector`, or ""; with `::text` / `::attr(name)` at the end,
    /// the first string it selects (Scrapy's `response.css("a::attr(href)").get(default="")`).
    std::string text(std::string_view selector) const { return document().text(selector); }
    /// text() of every match; with `::text` / `::attr(name)`, every string (Scrapy's
    /// `response.css("h2::text").getall()`). The result has Scrapy's re() and re_first():
    /// `res.texts("span.price::text").re(R"([\d.]+)")` (RE2 syntax, see html/strings.hpp).
    html::strings texts(std::string_view selector) const { return document().texts(selector); }
    /// attr(name) of the first match, or nullopt (also when it has no such attribute).
    std::optional<std::string_view> attr(std::string_view selector, std::string_view name) const
    {
        return document().attr(selector, name);
    }
    /// attr(name) of every match that has it (as texts("a::attr(href)")).
    html::strings attrs(std::string_view selector, std::string_view name) const
    {
        return document().attrs(selector, name);
    }
    /// XPath 1.0 (html/xpath.hpp), Scrapy's response.xpath(): the elements an expression selects
    /// (html::xpath_error for one that selects attributes or text: use xpath_texts()).
    std::vector<html::element> xpath(std::string_view expr) const { return document().xpath(expr); }
    /// Every string it selects, `response.xpath("//a/@href").getall()` (elements as outer HTML).
    html::strings xpath_texts(std::string_view expr) const { return document().xpath_texts(expr); }
    /// The first of xpath_texts(), or "" (`response.xpath("//h1/text()").get(default="")`).
    std::string xpath_text(std::string_view expr) const { return document().xpath_text(expr); }
    /// The value of an expression (`evaluate("count(//a)").number()`).
    html::xpath_value evaluate(std::string_view expr) const { return document().evaluate(expr); }
    /// The page's links through the streaming scanner: absolute, canonical, de-duplicated.
    std::vector<html::link> const& links() const;
    /// Everything the scanner found (links, base, title, meta robots...).
    html::scan_result const& scan() const;
    /// The effective base URL: <base href> resolved against the page URL, else the page URL.
    std::string base_url() const;

    /// A request for `href` resolved against the page and its <base>; the referer set to this page.
    /// An href that does not resolve (or none) gives a request the scheduler drops as bad_url.
    weft::request follow(std::string_view href) const;
    weft::request follow(std::optional<std::string_view> href) const;
    weft::request follow(char const* href) const { return follow(std::string_view(href)); }
    weft::request follow(std::string const& href) const { return follow(std::string_view(href)); }
    /// A request for an element's href (a, area, link) or src (frame, iframe, img, script).
    weft::request follow(html::element const& e) const;
    /// A request for every element matching `selector` that has an href or src; with a selector of
    /// strings (`a.next::attr(href)`), one for each string (Scrapy's follow_all(css=...)).
    std::vector<weft::request> follow_all(std::string_view selector) const;

    http::response const& http() const;
    http::response& http();

    /// The parser document() builds the DOM with (html/parser.hpp); the engine sets the crawl's
    /// `html_parser` setting. Takes effect only before the first document() call.
    void set_parser(html::parser p);

    /// Builds what `document()` and `links()` need now, e.g. on a worker thread.
    void prepare(bool document, bool links) const;

private:
    struct state;
    std::shared_ptr<state> st_;
};

} // namespace weft
