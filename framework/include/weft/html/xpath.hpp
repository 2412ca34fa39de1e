// A compiled XPath 1.0 expression, evaluated over the same parsed document the CSS selectors use.
//
//     for (auto const& href : res.xpath_texts("//div[@class='x']/a/@href")) ...  // .getall()
//     std::string title = res.xpath_text("//h1/text()");                          // .get(default="")
//     double n = doc.evaluate("count(//a)").number();
//
// XPath 1.0 in full: the 13 axes (namespace is always empty: an HTML document has no namespace
// nodes), abbreviations, node tests, predicates (positions count backward on reverse axes),
// unions, filter expressions (`(//a)[1]`), every operator with XPath's existential comparison of
// node-sets, and the core function library; and EXSLT's `re:test(string, pattern[, flags])`,
// which parsel declares (RE2 syntax, see strings.hpp; flag `i` ignores case). Variables (`$x`) and namespace prefixes
// in names
// (`svg:rect`) are errors: a document has no variable or namespace bindings. Node-sets come in
// document order without duplicates.
//
// The tree is gumbo's HTML5 tree, as element.hpp documents: element and attribute names are
// lower case, so `//DIV` matches nothing (as in lxml.html), and HTML5 parsing adds what the
// standard says (`<tbody>` inside a table, <html>, <head>, <body>). Gumbo keeps processing
// instructions as comments, so processing-instruction() matches nothing.
//
// Where this differs from lxml (libxml2):
// - numbers become strings as XPath 1.0 says: the shortest digits that read back to the same
//   number, never an exponent (`string(0.1 + 0.2)` is "0.30000000000000004", libxml2 prints 15
//   digits and uses an exponent below 1e-5 and above 1e9);
// - lang() reads `lang` as well as `xml:lang` (lxml.html reads only xml:lang, which HTML pages
//   do not have);
// - the following axis of an attribute starts with its element's children (XPath 1.0 §2.2;
//   libxml2 starts after the element).
//
// Strings (parsel's `.xpath(x).getall()`), as xpath_texts() gives them: an attribute gives its
// value, a text node its text, an element its outer HTML, a comment `<!--...-->`, the document
// node the whole document; a string is itself; a number is formatted as XPath's string() does
// ("3", where parsel says "3.0"); a boolean "true" or "false" (parsel: "1" and "0").
//
// Errors: parse() fails with weft::error::bad_xpath (condition weft::condition::parse) and
// diagnostics naming the 1-based position and what was expected there, e.g. "invalid XPath
// '//a[': expected an expression at position 5". The throwing constructor and the string
// overloads throw xpath_error (a selector_error, so a handler for CSS errors catches both).
// Evaluation throws xpath_error too, with the position of the sub-expression, when a node-set
// is needed and the value is not one (`count('a')`, `'a'/b`), and when xpath() (elements) meets
// a result that holds strings: use xpath_texts() for those.
//
// Hostile input: nesting deeper than 100 levels fails to parse, and every location step removes
// duplicates before the next one runs, so `//*//*//*` stays polynomial.
//
// Thread safety: an xpath is immutable and cheap to copy (shared); use it from any thread.
#pragma once

#include <weft/html/selector.hpp>
#include <weft/html/strings.hpp>

#include <boost/system/result.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace weft::html
{

class element;

namespace detail
{
struct document_impl;
struct xpath_program;
} // namespace detail

/// Why an XPath did not parse or evaluate: position (1-based), expected, message.
using xpath_diagnostics = selector_diagnostics;

/// Thrown by the throwing xpath constructor, the string overloads and evaluation.
/// code() is weft::error::bad_xpath; what() is the diagnostics message.
class xpath_error : public selector_error
{
public:
    explicit xpath_error(xpath_diagnostics diag);
};

/// One node of a node-set: the document, an element, an attribute, a text node or a comment.
/// Valid while its document is alive (as element).
class xpath_node
{
public:
    enum class kind : std::uint8_t
    {
        document,
        element,
        attribute,
        text,
        comment,
    };

    kind type() const noexcept { return kind_; }
    /// The element, for an element node.
    std::optional<element> as_element() const noexcept;
    /// The element that holds this node: an attribute's element, a text node's parent, an
    /// element's parent; nullopt at the top.
    std::optional<element> parent() const noexcept;
    /// The tag of an element, the name of an attribute, "" for the others (XPath's name()).
    std::string_view name() const noexcept;
    /// XPath's string-value: all descendant text of an element or the document, an
    /// attribute's value, a text node's or a comment's text.
    std::string string_value() const;
    /// The string xpath_texts() gives (see above): outer HTML for an element.
    std::string get() const;

    friend bool operator==(xpath_node const&, xpath_node const&) noexcept = default;

    /// Implementation access (weft internal).
    xpath_node(detail::document_impl const* doc, kind k, std::uint32_t owner, std::uint32_t sub) noexcept
        : doc_(doc), owner_(owner), sub_(sub), kind_(k)
    {
    }
    std::uint32_t owner() const noexcept { return owner_; }
    std::uint32_t sub() const noexcept { return sub_; }

private:
    detail::document_impl const* doc_;
    std::uint32_t owner_; // element index (the parent's for text, comment; npos: the document)
    std::uint32_t sub_;   // attribute index, or index among the parent's children
    kind kind_;
};

/// The value of an expression: a node-set, a string, a number or a boolean.
class xpath_value
{
public:
    using node_set = std::vector<xpath_node>;
    using variant = std::variant<node_set, std::string, double, bool>;

    explicit xpath_value(variant v) noexcept : v_(std::move(v)) {}

    bool is_node_set() const noexcept { return v_.index() == 0; }
    bool is_string() const noexcept { return v_.index() == 1; }
    bool is_number() const noexcept { return v_.index() == 2; }
    bool is_boolean() const noexcept { return v_.index() == 3; }
    /// The nodes (empty for a scalar).
    node_set const& nodes() const noexcept;
    /// XPath's string(), number() and boolean() of the value.
    std::string string() const;
    double number() const;
    bool boolean() const;
    /// What xpath_texts() gives: get() of each node, or the one scalar as a string.
    strings texts() const;
    variant const& get() const noexcept { return v_; }

private:
    variant v_;
};

/// A parsed, reusable XPath 1.0 expression.
class xpath
{
public:
    /// Parses text; on failure returns weft::error::bad_xpath and fills *diag when given.
    static boost::system::result<xpath> parse(std::string_view text, xpath_diagnostics* diag = nullptr);
    /// Parses text; throws xpath_error when it does not parse.
    explicit xpath(std::string_view text);

    /// The source text, as given.
    std::string_view text() const noexcept;

    /// Implementation access.
    detail::xpath_program const& compiled() const noexcept { return *impl_; }

private:
    explicit xpath(std::shared_ptr<detail::xpath_program const> impl) noexcept : impl_(std::move(impl)) {}
    std::shared_ptr<detail::xpath_program const> impl_;
};

namespace detail
{
// Evaluates x with the context node given (owner npos and kind document: the document node).
xpath_value evaluate(document_impl const& d, xpath const& x, xpath_node context);
// The elements of an evaluated node-set; throws xpath_error naming the API to use instead.
std::vector<element> xpath_elements(document_impl const& d, xpath const& x, xpath_value const& v, char const* api);
} // namespace detail

} // namespace weft::html
