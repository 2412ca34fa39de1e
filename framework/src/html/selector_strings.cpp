// Selectors that give strings: parsel's `::text` and `::attr(name)` pseudo-elements, and the
// texts()/attrs() calls of element and document.
#include <weft/html/document.hpp>
#include <weft/html/element.hpp>

#include "document_impl.hpp"
#include "selector_impl.hpp"

#include <map>

namespace weft::html
{
namespace detail
{
namespace
{

bool is_text_node(GumboNode const* n) noexcept
{
    return n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE || n->type == GUMBO_NODE_CDATA;
}

// Which elements of [begin, end) own the strings: one flag vector per pseudo-element.
struct owners
{
    std::vector<char> text;
    std::map<std::string, std::vector<char>, std::less<>> attrs; // by lower-cased name
};

owners find_owners(document_impl const& d, selector_list const& list, std::uint32_t begin, std::uint32_t end,
                   std::uint32_t scope)
{
    selector_list text_items;
    std::map<std::string, selector_list, std::less<>> attr_items;
    for (auto const& cx : list.items)
    {
        complex_selector item = cx;
        item.pe = pseudo_element::none;
        if (cx.pe == pseudo_element::text)
            text_items.items.push_back(std::move(item));
        else
            attr_items[text::to_lower(cx.pe_attr)].items.push_back(std::move(item));
    }
    auto flags = [&](selector_list const& l)
    {
        std::vector<char> f(end - begin, 0);
        if (!l.items.empty())
            select(d, l, begin, end, scope,
                   [&](std::uint32_t i)
                   {
                       f[i - begin] = 1;
                       return true;
                   });
        return f;
    };
    owners o;
    o.text = flags(text_items);
    for (auto const& [name, l] : attr_items)
        o.attrs.emplace(name, flags(l));
    return o;
}

} // namespace

std::vector<std::string> select_strings(document_impl const& d, selector_list const& list, std::uint32_t begin,
                                        std::uint32_t end, std::uint32_t scope, std::size_t max)
{
    std::vector<std::string> out;
    if (begin >= end || max == 0)
        return out;
    owners const o = find_owners(d, list, begin, end, scope);
    // Document order: an element's attributes (in source order), then its children, the text
    // children between the element children's subtrees. Elements are numbered in pre-order, so
    // the element children met in gumbo's child list are first_child, next, next...
    struct frame
    {
        std::uint32_t index;
        unsigned next_kid = 0;
        std::uint32_t next_element;
    };
    std::vector<frame> stack;
    auto enter = [&](std::uint32_t i)
    {
        GumboVector const& attrs = d.nodes[i].node->v.element.attributes;
        for (unsigned k = 0; k < attrs.length && out.size() < max; ++k)
        {
            auto const* a = static_cast<GumboAttribute const*>(attrs.data[k]);
            auto it = o.attrs.find(text::to_lower(a->name));
            if (it != o.attrs.end() && it->second[i - begin])
                out.emplace_back(a->value);
        }
        stack.push_back({i, 0, d.nodes[i].first_child});
    };
    for (std::uint32_t top = begin; top < end && out.size() < max; top = d.nodes[top].end)
    {
        enter(top);
        while (!stack.empty() && out.size() < max)
        {
            frame& f = stack.back();
            GumboVector const& kids = children_of(d.nodes[f.index].node);
            if (f.next_kid >= kids.length)
            {
                stack.pop_back();
                continue;
            }
            auto const* kid = static_cast<GumboNode const*>(kids.data[f.next_kid++]);
            if (is_text_node(kid))
            {
                if (o.text[f.index - begin])
                    out.emplace_back(kid->v.text.text);
            }
            else if (is_element_node(kid) && f.next_element != npos)
            {
                std::uint32_t const child = f.next_element;
                f.next_element = d.nodes[child].next;
                enter(child); // invalidates f
            }
        }
        stack.clear();
    }
    return out;
}

} // namespace detail

namespace
{

[[noreturn]] void refuse_strings(selector const& s, std::string const& advice)
{
    selector_diagnostics diag;
    diag.position = 1;
    diag.expected = "a selector of elements";
    diag.message = "CSS selector '" + std::string(s.text()) + "' " + advice;
    throw selector_error(std::move(diag));
}

} // namespace

void detail::check_selects_elements(selector const& s, char const* call)
{
    if (!s.selects_strings())
        return;
    std::string const t(s.text());
    refuse_strings(s, std::string("selects strings (::text, ::attr()), and ") + call +
                          " gives elements: use texts(\"" + t + "\") for all of them, text(\"" + t + "\") for the first");
}

namespace
{

void require_no_strings(selector const& s)
{
    if (s.selects_strings())
        refuse_strings(s, "already selects strings: attrs(selector, name) takes a selector of elements; use texts(\"" +
                              std::string(s.text()) + "\")");
}

strings texts_of(std::vector<element> const& matches)
{
    strings out;
    out.reserve(matches.size());
    for (auto const& e : matches)
        out.push_back(e.text());
    return out;
}

strings attrs_of(std::vector<element> const& matches, std::string_view name)
{
    strings out;
    for (auto const& e : matches)
        if (auto v = e.attr(name))
            out.emplace_back(*v);
    return out;
}

} // namespace

strings element::texts(selector const& s) const
{
    if (!s.selects_strings())
        return texts_of(css(s));
    // parsel's descendant-or-self: the element itself is a candidate ("a.css('::attr(href)')").
    return detail::select_strings(*doc_, s.compiled(), index_, doc_->nodes[index_].end, index_, std::string::npos);
}

strings element::attrs(selector const& s, std::string_view name) const
{
    require_no_strings(s);
    return attrs_of(css(s), name);
}

strings document::texts(selector const& s) const
{
    if (!s.selects_strings())
        return texts_of(css(s));
    auto const n = static_cast<std::uint32_t>(impl_->nodes.size());
    return detail::select_strings(*impl_, s.compiled(), 0, n, detail::npos, std::string::npos);
}

strings document::attrs(selector const& s, std::string_view name) const
{
    require_no_strings(s);
    return attrs_of(css(s), name);
}

std::string element::text(selector const& s) const
{
    if (s.selects_strings())
    {
        auto first = detail::select_strings(*doc_, s.compiled(), index_, doc_->nodes[index_].end, index_, 1);
        return first.empty() ? std::string() : std::move(first.front());
    }
    auto e = css_first(s);
    return e ? e->text() : std::string();
}

std::string document::text(selector const& s) const
{
    if (s.selects_strings())
    {
        auto const n = static_cast<std::uint32_t>(impl_->nodes.size());
        auto first = detail::select_strings(*impl_, s.compiled(), 0, n, detail::npos, 1);
        return first.empty() ? std::string() : std::move(first.front());
    }
    auto e = css_first(s);
    return e ? e->text() : std::string();
}

} // namespace weft::html
