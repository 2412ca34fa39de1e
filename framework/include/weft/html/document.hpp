// A parsed HTML document (HTML5 parsing rules, via gumbo-parser or weft's own parser: see
// html::parser).
//
// Parsing never fails: HTML has error recovery, and bytes invalid in the document's encoding
// become U+FFFD. The document is movable, not copyable; its tree lives on the heap, so elements
// taken from it stay valid while it is moved around, and dangle once it is destroyed.
//
// Template contents are part of the tree (children of <template>), as in BeautifulSoup/lxml.
#pragma once

#include <weft/html/element.hpp>
#include <weft/html/encoding.hpp>
#include <weft/html/parser.hpp>
#include <weft/html/selector.hpp>
#include <weft/html/strings.hpp>
#include <weft/html/xpath.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::html
{

struct parse_options
{
    /// The charset parameter of the response's Content-Type (or the whole header value); ignored
    /// when empty or an unknown label.
    std::string_view content_type_charset{};
    /// Forces an encoding (a WHATWG label), skipping detection; ignored when empty or unknown.
    std::string_view override_encoding{};
    /// The parser that builds the tree (html/parser.hpp).
    html::parser parser = html::parser::automatic;
};

class document
{
public:
    /// Decodes bytes (see detect_encoding) and parses them.
    static document parse(std::string_view bytes, parse_options const& options = {});
    static document parse(std::string_view bytes, std::string_view content_type_charset)
    {
        parse_options o;
        o.content_type_charset = content_type_charset;
        return parse(bytes, o);
    }
    /// Parses text that is already UTF-8 (invalid sequences still become U+FFFD).
    static document from_utf8(std::string_view text, html::parser p = html::parser::automatic);

    document(document&&) noexcept;
    document& operator=(document&&) noexcept;
    ~document();

    /// The <html> element (HTML parsing always creates one).
    element root() const& noexcept;
    element root() const&& = delete; // the element would dangle: keep the document in a variable
    /// The encoding the bytes were decoded from (canonical WHATWG name).
    std::string_view encoding() const noexcept;
    /// The decoded source text (UTF-8).
    std::string_view source() const noexcept;

    /// Every element matching s, in document order, without duplicates. A selector of strings
    /// (`::text`, `::attr()`) throws selector_error: use texts()/text().
    std::vector<element> css(selector const& s) const&;
    std::vector<element> css(std::string_view s) const& { return css(selector(s)); }
    std::optional<element> css_first(selector const& s) const&;
    std::optional<element> css_first(std::string_view s) const& { return css_first(selector(s)); }
    // Elements of a temporary document would dangle at the end of the full expression.
    std::vector<element> css(selector const& s) const&& = delete;
    std::vector<element> css(std::string_view s) const&& = delete;
    std::optional<element> css_first(selector const& s) const&& = delete;
    std::optional<element> css_first(std::string_view s) const&& = delete;
    /// text() of the first match, or "". For a selector of strings (`h2::text`, `a::attr(href)`),
    /// the first string, or "".
    std::string text(selector const& s) const;
    std::string text(std::string_view s) const { return text(selector(s)); }
    /// text() of every match. For a selector of strings, every string it selects, in document
    /// order (parsel's `.css(s).getall()`).
    strings texts(selector const& s) const;
    strings texts(std::string_view s) const { return texts(selector(s)); }
    /// attr(name) of every match that has the attribute. @throws selector_error for a selector of strings.
    strings attrs(selector const& s, std::string_view name) const;
    strings attrs(std::string_view s, std::string_view name) const { return attrs(selector(s), name); }
    /// attr(name) of the first match, or nullopt.
    std::optional<std::string_view> attr(selector const& s, std::string_view name) const;
    std::optional<std::string_view> attr(std::string_view s, std::string_view name) const
    {
        return attr(selector(s), name);
    }

    /// XPath 1.0 (see xpath.hpp) from the document node: the elements selected, in document
    /// order. @throws xpath_error for a result that holds other nodes (`//a/@href`, `//p/text()`)
    /// or is not a node-set: xpath_texts() and evaluate() take those.
    std::vector<element> xpath(html::xpath const& x) const&;
    std::vector<element> xpath(std::string_view x) const& { return xpath(html::xpath(x)); }
    std::vector<element> xpath(html::xpath const& x) const&& = delete;
    std::vector<element> xpath(std::string_view x) const&& = delete;
    /// The strings of the result, parsel's `.xpath(x).getall()`: attribute values and text as
    /// they are, elements as outer HTML, a number, string or boolean as one string.
    strings xpath_texts(html::xpath const& x) const;
    strings xpath_texts(std::string_view x) const { return xpath_texts(html::xpath(x)); }
    /// The first of xpath_texts(x), or "" (parsel's `.xpath(x).get(default="")`).
    std::string xpath_text(html::xpath const& x) const;
    std::string xpath_text(std::string_view x) const { return xpath_text(html::xpath(x)); }
    /// The value of x: a node-set, string, number or boolean (`evaluate("count(//a)").number()`).
    xpath_value evaluate(html::xpath const& x) const&;
    xpath_value evaluate(std::string_view x) const& { return evaluate(html::xpath(x)); }
    xpath_value evaluate(html::xpath const& x) const&& = delete;
    xpath_value evaluate(std::string_view x) const&& = delete;

    /// The text of the first <title>, whitespace-collapsed; "" without one.
    std::string title() const;
    /// The href of the first <base> element that has one (raw, unresolved), or nullopt.
    std::optional<std::string_view> base_href() const noexcept;
    /// The whole document serialized (doctype included).
    std::string html() const;
    /// Number of elements.
    std::size_t size() const noexcept;

    /// For weft::response, which decodes once and keeps the text: parses `text` in place.
    /// `text` must be valid UTF-8 (not checked) and outlive the document, unchanged; `encoding`
    /// must have static storage (a canonical name from detect_encoding).
    static document borrow_valid_utf8(std::string_view text, std::string_view encoding,
                                      html::parser p = html::parser::automatic);

private:
    explicit document(std::unique_ptr<detail::document_impl> impl) noexcept;
    std::unique_ptr<detail::document_impl> impl_;
};

} // namespace weft::html
