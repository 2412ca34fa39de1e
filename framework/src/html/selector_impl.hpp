// Private: the compiled form of a selector list and the matcher over document_impl.
#pragma once

#include "document_impl.hpp"

#include <weft/html/selector.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace weft::html::detail
{

struct selector_list;

enum class combinator : std::uint8_t
{
    none,
    descendant,         // "a b"
    child,              // "a > b"
    next_sibling,       // "a + b"
    subsequent_sibling, // "a ~ b"
};

enum class attr_op : std::uint8_t
{
    exists,
    equals,
    includes,
    dash,
    prefix,
    suffix,
    substring,
};

enum class pseudo : std::uint8_t
{
    nth_child,
    nth_last_child,
    nth_of_type,
    nth_last_of_type,
    only_child,
    only_of_type,
    empty,
    root,
    scope,
    checked,
    disabled,
    enabled,
    required,
    optional,
    read_only,
    read_write,
    placeholder_shown,
    link,
    never,
    not_,
    is,
    has,
    lang,
    contains,
};

struct simple_selector
{
    enum kind_t : std::uint8_t
    {
        id,
        class_,
        attribute,
        pseudo_class,
    } kind = id;
    pseudo pc = pseudo::never;
    attr_op op = attr_op::exists;
    bool icase = false;                 // attribute value comparison
    std::string name;                   // attribute name (lower case)
    std::string value;                  // id, class, attribute value, :contains text
    std::vector<std::string> langs;     // :lang() ranges
    std::int64_t a = 0, b = 0;          // An+B
    std::shared_ptr<selector_list> sub; // :not :is :has, nth-child "of S"
};

struct compound_selector
{
    std::string tag;    // lower case; empty: any
    bool never = false; // "|E": elements without a namespace (none in HTML)
    std::vector<simple_selector> simples;
};

// parsel's pseudo-elements, which turn a selector's matches into strings.
enum class pseudo_element : std::uint8_t
{
    none,
    text, // "::text": the direct text children of each match
    attr, // "::attr(name)": the attribute's value
};

struct complex_selector
{
    pseudo_element pe = pseudo_element::none;
    std::string pe_attr;                      // ::attr(name): name as written
    combinator leading = combinator::none;    // relative selectors (":has(> a)", "> a")
    std::vector<compound_selector> compounds; // left to right
    std::vector<combinator> combinators;      // combinators[i] joins compounds[i] and compounds[i + 1]
};

struct selector_list
{
    std::string text;
    std::vector<complex_selector> items;

    // Items ending in a pseudo-element (the parser allows all or none at the top level).
    bool selects_strings() const noexcept { return !items.empty() && items.front().pe != pseudo_element::none; }
};

// A syntax error, thrown by parse_selector_list and turned into selector_diagnostics.
struct failure
{
    std::size_t offset;
    std::string expected; // "']'" -> "expected ']'"
    std::string what;     // used instead of "expected ..." when set
};

// A message for text that looks like XPath ("this looks like XPath ...; in CSS: 'a::attr(href)'"),
// or "" when it does not look like XPath (selector_hints.cpp).
std::string xpath_hint(std::string_view text);

// Throws failure when text is no valid selector list.
selector_list parse_selector_list(std::string_view text);

bool has_class_token(GumboNode const* n, std::string_view cls) noexcept;

// Whether element i matches list; scope is the element searched from (npos: the document).
bool matches(document_impl const& d, selector_list const& list, std::uint32_t i, std::uint32_t scope);

// Whether element i matches one compound selector, ignoring combinators (the differential test
// of the combinator walk uses it).
bool matches_compound(document_impl const& d, compound_selector const& c, std::uint32_t i, std::uint32_t scope);

// The strings a list of pseudo-element selectors selects among the elements [begin, end), in
// document order without duplicates (attributes of an element before its children), up to max
// of them (selector_strings.cpp).
std::vector<std::string> select_strings(document_impl const& d, selector_list const& list, std::uint32_t begin,
                                        std::uint32_t end, std::uint32_t scope, std::size_t max);

// Throws selector_error when s ends in a pseudo-element: call ("css()") gives elements.
void check_selects_elements(selector const& s, char const* call);

// Calls f(ctx, i) for each element in [begin, end) that matches, until f returns false. One
// matcher (and one memo) serves the whole range: the cost is linear in the elements visited.
void select_each(document_impl const& d, selector_list const& list, std::uint32_t begin, std::uint32_t end,
                 std::uint32_t scope, bool (*f)(void* ctx, std::uint32_t i), void* ctx);

// Calls f(i) for each element in [begin, end) that matches, until f returns false.
template <class F>
void select(document_impl const& d, selector_list const& list, std::uint32_t begin, std::uint32_t end,
            std::uint32_t scope, F&& f)
{
    using fn = std::remove_reference_t<F>;
    select_each(
        d, list, begin, end, scope, [](void* ctx, std::uint32_t i) { return bool((*static_cast<fn*>(ctx))(i)); },
        static_cast<void*>(&f));
}

} // namespace weft::html::detail
