// Private: the storage behind weft::html::document and element handles.
#pragma once

#include <weft/text/ascii.hpp>

#include "arena.hpp"

#include <gumbo.h>

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace weft::html::detail
{

inline constexpr std::uint32_t npos = 0xffffffffu; // "no element"; as a parent: the document node

// Parse errors gumbo keeps (it stops recording after that many).
inline constexpr int max_parse_errors = 100;

// One element, in document (pre-)order; the index is the element's handle.
struct node_info
{
    GumboNode const* node = nullptr;
    std::string_view tag; // lower case
    std::uint32_t parent = npos;
    std::uint32_t first_child = npos;
    std::uint32_t last_child = npos;
    std::uint32_t next = npos;
    std::uint32_t prev = npos;
    std::uint32_t end = 0;         // one past the last descendant
    std::uint32_t child_pos = 0;   // 1-based among its element siblings
    std::uint32_t child_count = 0; // number of element children
};

struct document_impl
{
    arena memory;          // gumbo's tree: freed in one step with the document
    std::string owned;     // the UTF-8 text when the document holds its own copy
    std::string_view source; // UTF-8; gumbo points into it (owned, or text its owner keeps alive)
    GumboOutput* output = nullptr; // in memory
    std::vector<node_info> nodes;
    std::deque<std::string> names; // lower-cased names of unknown tags
    std::string_view encoding;
    std::uint32_t top_count = 0; // element children of the document node

    document_impl() = default;
    document_impl(document_impl const&) = delete;
    document_impl& operator=(document_impl const&) = delete;
    ~document_impl() = default;

    std::uint32_t count_children(std::uint32_t parent) const noexcept
    {
        return parent == npos ? top_count : nodes[parent].child_count;
    }
};

// The attribute named name (ASCII case-insensitive) of an element node, or nullptr.
inline GumboAttribute const* find_attribute(GumboNode const* n, std::string_view name) noexcept
{
    GumboVector const& v = n->v.element.attributes;
    for (unsigned i = 0; i < v.length; ++i)
    {
        auto const* a = static_cast<GumboAttribute const*>(v.data[i]);
        if (text::iequals(a->name, name))
            return a;
    }
    return nullptr;
}

inline bool is_element_node(GumboNode const* n) noexcept
{
    return n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE;
}

// Gumbo's children vector of a document, element or template node.
inline GumboVector const& children_of(GumboNode const* n) noexcept
{
    return n->type == GUMBO_NODE_DOCUMENT ? n->v.document.children : n->v.element.children;
}

// Text of the subtree: raw (every text node) or for text() (skips script, style, template).
void append_text(GumboNode const* n, std::string& out, bool skip_hidden);
void serialize_children(GumboNode const* n, std::string& out);
void serialize_node(GumboNode const* n, std::string& out);
std::string_view tag_name(document_impl& d, GumboNode const* n);

} // namespace weft::html::detail
