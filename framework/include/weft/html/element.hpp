// A handle to one element of a parsed document: cheap to copy, compared by identity.
//
// Lifetime: an element stays valid as long as the weft::html::document it came from is alive,
// including after that document object is moved (the tree lives on the heap). Using it after
// the document is destroyed is undefined.
//
// Selector arguments are either a weft::html::selector (parsed once) or a string, parsed on each
// call; a string that does not parse throws weft::html::selector_error (a
// boost::system::system_error with code weft::error::bad_selector).
//
// Selectors of strings (`::text`, `::attr(name)`, see selector.hpp) are searched as parsel does
// from an element: the element itself is a candidate along with its descendants, so
// `a.texts("::attr(href)")` is the link's own href.
#pragma once

#include <weft/html/selector.hpp>
#include <weft/html/strings.hpp>
#include <weft/html/xpath.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::html
{

namespace detail
{
struct document_impl;
} // namespace detail

/// One attribute: its name as parsed (lower case for HTML elements) and its decoded value.
struct attribute
{
    std::string_view name;
    std::string_view value;
};

class element
{
public:
    /// Lower-case tag name ("div", "svg", "my-widget").
    std::string_view tag() const noexcept;

    /// The value of attribute name (ASCII case-insensitive), or nullopt when absent.
    std::optional<std::string_view> attr(std::string_view name) const noexcept;
    bool has_attr(std::string_view name) const noexcept { return attr(name).has_value(); }
    /// All attributes in source order.
    std::vector<attribute> attrs() const;
    /// The id attribute, or "" without one.
    std::string_view id() const noexcept;
    /// True when the class attribute contains cls as a whitespace-separated token (case-sensitive).
    bool has_class(std::string_view cls) const noexcept;

    /// Descendant text with runs of ASCII whitespace collapsed to one space and the ends trimmed;
    /// the contents of descendant <script>, <style> and <template> elements are left out.
    std::string text() const;
    /// Every descendant text node concatenated as is (the DOM's textContent).
    std::string raw_text() const;
    /// The children serialized as HTML (the HTML fragment serialization algorithm).
    std::string inner_html() const;
    /// This element serialized as HTML.
    std::string outer_html() const;

    /// Parent element; nullopt for the root <html> element.
    std::optional<element> parent() const noexcept;
    /// Child elements (text and comments are skipped).
    std::vector<element> children() const;
    std::optional<element> first_child() const noexcept;
    std::optional<element> last_child() const noexcept;
    /// Next / previous sibling element.
    std::optional<element> next() const noexcept;
    std::optional<element> prev() const noexcept;

    /// Descendants matching s, in document order, without duplicates. A selector of strings throws
    /// selector_error (use texts()/text()). The selector sees the whole
    /// document (`div p` may match a p whose div is an ancestor of this element), like the DOM's
    /// querySelectorAll; `:scope` and a leading combinator (`> li`) refer to this element.
    std::vector<element> css(selector const& s) const;
    std::vector<element> css(std::string_view s) const { return css(selector(s)); }
    std::optional<element> css_first(selector const& s) const;
    std::optional<element> css_first(std::string_view s) const { return css_first(selector(s)); }
    /// text() of the first match, or "" when nothing matches. For a selector of strings
    /// (`h2::text`, `a::attr(href)`), the first string, or "".
    std::string text(selector const& s) const;
    std::string text(std::string_view s) const { return text(selector(s)); }
    /// text() of every match. For a selector of strings, every string it selects, in document
    /// order (parsel's `.css(s).getall()`).
    strings texts(selector const& s) const;
    strings texts(std::string_view s) const { return texts(selector(s)); }
    /// attr(name) of every match that has the attribute (`a::attr(href)` as texts() does the same).
    /// @throws selector_error for a selector of strings.
    strings attrs(selector const& s, std::string_view name) const;
    strings attrs(std::string_view s, std::string_view name) const { return attrs(selector(s), name); }
    /// attr(name) of the first match, or nullopt when nothing matches or it has no such attribute.
    std::optional<std::string_view> attr(selector const& s, std::string_view name) const;
    std::optional<std::string_view> attr(std::string_view s, std::string_view name) const
    {
        return attr(selector(s), name);
    }
    /// True when this element matches s.
    bool matches(selector const& s) const { return s.matches(*this); }
    bool matches(std::string_view s) const { return selector(s).matches(*this); }

    /// XPath 1.0 (see xpath.hpp) with this element as the context node: `./a`, `.//a`,
    /// `a/@href` are relative to it, `//a` searches the whole document (as in parsel; `.//a`
    /// searches below this element). The elements selected, in document order.
    /// @throws xpath_error for a result that holds other nodes or is not a node-set.
    std::vector<element> xpath(html::xpath const& x) const;
    std::vector<element> xpath(std::string_view x) const { return xpath(html::xpath(x)); }
    /// The strings of the result (parsel's `.xpath(x).getall()`, see document::xpath_texts).
    strings xpath_texts(html::xpath const& x) const;
    strings xpath_texts(std::string_view x) const { return xpath_texts(html::xpath(x)); }
    /// The first of xpath_texts(x), or "".
    std::string xpath_text(html::xpath const& x) const;
    std::string xpath_text(std::string_view x) const { return xpath_text(html::xpath(x)); }
    /// The value of x: a node-set, string, number or boolean.
    xpath_value evaluate(html::xpath const& x) const;
    xpath_value evaluate(std::string_view x) const { return evaluate(html::xpath(x)); }

    friend bool operator==(element const&, element const&) noexcept = default;

    /// Position in document order (0 is <html>); unique within its document.
    std::uint32_t index() const noexcept { return index_; }
    /// Implementation access (weft internal).
    detail::document_impl const& owner() const noexcept { return *doc_; }
    element(detail::document_impl const* doc, std::uint32_t index) noexcept : doc_(doc), index_(index) {}

private:
    detail::document_impl const* doc_;
    std::uint32_t index_;
};

} // namespace weft::html
