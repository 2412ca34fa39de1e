// A compiled CSS selector list (Selectors Level 3 plus the common Level 4 pseudo-classes).
//
// Parse once, match many times: a selector is immutable and cheap to copy (shared), so one
// instance may be used from several threads at once.
//
// Supported: type, universal (with the `*|` / `|` namespace prefixes), `#id`, `.class`,
// attributes (`[a] [a=v] [a~=v] [a|=v] [a^=v] [a$=v] [a*=v]`, values quoted or unquoted, flags
// ` i` and ` s`), the four combinators, selector lists, `:not() :is() :where() :matches()`
// with selector lists, `:has()` with relative selectors (`:has(> img)`, `:has(+ p)`),
// `:nth-child(An+B [of S]) :nth-last-child(An+B [of S]) :nth-of-type() :nth-last-of-type()`,
// `:first-child :last-child :only-child :first-of-type :last-of-type :only-of-type :empty
// :root :scope :checked :disabled :enabled :required :optional :read-only :read-write
// :placeholder-shown :link :any-link :lang()` and `:contains("text")` (jQuery/cheerio).
// The user-action pseudo-classes (`:hover :active :focus :focus-within :focus-visible
// :visited :target`) parse and never match: a parsed document has no user.
// A list item may start with a combinator (`> p`): it is relative to the element searched from.
//
// Strings (parsel's pseudo-elements, so Scrapy selectors paste in unchanged): an item may end in
// `::text` (the direct text children of each match, whitespace-only ones included) or
// `::attr(name)` (the attribute's value, for matches that have it). As in parsel, a trailing `*`
// after a descendant combinator is dropped: `div ::text` and `div *::text` are every text node
// inside each div, its own direct text included; `::text` alone is all text. A list is all
// strings or all elements. Such a selector goes to texts()/text() of document, element and
// weft::response (css()/css_first() give elements and throw selector_error pointing there):
//
//     for (auto const& t : res.texts("h2::text")) ...          // response.css("h2::text").getall()
//     std::string href = res.text("a.next::attr(href)");       // response.css(...).get(default="")
//     auto year = res.texts("p.date::text").re_first(R"(\d{4})"); // .re_first(r"\d{4}")
//
// Case rules (HTML documents, no-quirks): type and attribute names are ASCII case-insensitive;
// ids and classes are case-sensitive; attribute values are case-sensitive except for the
// attributes the HTML standard lists as case-insensitive (`type`, `lang`, `dir`, `rel`,
// `method`, `http-equiv`, ...; see "case-sensitivity of selectors" in HTML §4.16.2), and the
// ` i` / ` s` flags override both ways.
//
// Errors: `parse` fails with weft::error::bad_selector (condition weft::condition::parse) for
// syntax errors, pseudo-elements other than `::text` and `::attr()` (`::before`, `:after`, which
// select nothing in a parsed page), unknown pseudo-classes and namespace prefixes other than `*`
// and the empty one. The diagnostics name the 1-based position and what was expected, e.g.
// "invalid CSS selector 'a[href': expected ']' at position 7". XPath given as CSS (`//a/@href`,
// `a[@href]`, `//p/text()`) gets "this looks like XPath ..., and CSS selectors do not take XPath:
// use xpath()/xpath_texts() ... for XPath; in CSS: 'a::attr(href)'", with the CSS for the
// common shapes (XPath itself: xpath.hpp).
#pragma once

#include <weft/error.hpp>

#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace weft::html
{

class element;

namespace detail
{
struct selector_list;
} // namespace detail

/// Why a selector did not parse.
struct selector_diagnostics
{
    std::size_t position = 0; ///< 1-based character position of the error (length + 1 at end of input)
    std::string expected;     ///< what was expected there, e.g. "']'", "an identifier"
    std::string message;      ///< "invalid CSS selector '<text>': expected <expected> at position <n>"
};

/// Thrown by the throwing selector constructor (and by the string overloads of css()).
/// code() is weft::error::bad_selector; what() is the diagnostics message.
class selector_error : public boost::system::system_error
{
public:
    explicit selector_error(selector_diagnostics diag);
    char const* what() const noexcept override { return diag_.message.c_str(); }
    selector_diagnostics const& diagnostics() const noexcept { return diag_; }

protected:
    /// For xpath_error: the same diagnostics under another code (weft::error::bad_xpath).
    selector_error(selector_diagnostics diag, boost::system::error_code code);

private:
    selector_diagnostics diag_;
};

/// A parsed, reusable selector list.
class selector
{
public:
    /// Parses text; on failure returns weft::error::bad_selector and fills *diag when given.
    static boost::system::result<selector> parse(std::string_view text, selector_diagnostics* diag = nullptr);

    /// Parses text; throws selector_error (a boost::system::system_error) when it does not parse.
    explicit selector(std::string_view text);

    /// The source text, as given.
    std::string_view text() const noexcept;

    /// True when the items end in `::text` or `::attr(name)`: the selector gives strings.
    bool selects_strings() const noexcept;

    /// True when e matches any selector of the list (`:scope` means `:root` here); for a selector
    /// of strings, when e is an element whose strings it selects.
    bool matches(element const& e) const;

    /// Implementation access for weft's own matcher.
    detail::selector_list const& compiled() const noexcept { return *impl_; }

private:
    explicit selector(std::shared_ptr<detail::selector_list const> impl) noexcept : impl_(std::move(impl)) {}
    std::shared_ptr<detail::selector_list const> impl_;
};

} // namespace weft::html
