// The XPath data model over a weft document (XPath 1.0 §5): the document node, elements (the
// element index), attributes, text and comment nodes (gumbo's children of their parent), the
// axes in their order, and document order for every kind of node.
#include "xpath_impl.hpp"

#include <algorithm>

namespace weft::html::detail
{
namespace
{

using kind = xpath_node::kind;

// The kind of a non-element gumbo child, or false for what XPath does not see.
bool leaf_kind(GumboNode const* g, kind& k) noexcept
{
    switch (g->type)
    {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_CDATA:
        k = kind::text;
        return true;
    case GUMBO_NODE_COMMENT:
        k = kind::comment;
        return true;
    default:
        return false;
    }
}

} // namespace

GumboNode const* tree::gumbo(xnode const& n) const noexcept
{
    switch (n.kind)
    {
    case kind::document:
        return d_.output->document;
    case kind::element:
    case kind::attribute:
        return d_.nodes[n.owner].node;
    default:
    {
        GumboNode const* p = n.owner == npos ? d_.output->document : d_.nodes[n.owner].node;
        return static_cast<GumboNode const*>(children_of(p).data[n.sub]);
    }
    }
}

std::optional<xnode> tree::parent(xnode const& n) const noexcept
{
    std::uint32_t p = n.owner;
    if (n.kind == kind::document)
        return std::nullopt;
    if (n.kind == kind::element)
        p = d_.nodes[n.owner].parent;
    if (p == npos)
        return xnode{};
    return element_node(p);
}

std::uint32_t tree::depth(std::uint32_t e) const noexcept
{
    std::uint32_t n = 0;
    for (; e != npos; e = d_.nodes[e].parent)
        ++n;
    return n;
}

void tree::children(xnode const& n, node_list& out) const
{
    if (n.kind != kind::document && n.kind != kind::element)
        return;
    std::uint32_t const owner = n.kind == kind::document ? npos : n.owner;
    // Element children come in the order of the index's sibling links.
    std::uint32_t next_element = owner == npos ? (d_.nodes.empty() ? npos : 0) : d_.nodes[owner].first_child;
    GumboVector const& kids = children_of(gumbo(n));
    for (unsigned k = 0; k < kids.length; ++k)
    {
        auto const* g = static_cast<GumboNode const*>(kids.data[k]);
        kind lk;
        if (is_element_node(g))
        {
            out.push_back(element_node(next_element));
            next_element = d_.nodes[next_element].next;
        }
        else if (leaf_kind(g, lk))
            out.push_back({lk, owner, k});
    }
}

void tree::descendants(xnode const& n, bool elements_only, node_list& out) const
{
    if (n.kind != kind::document && n.kind != kind::element)
        return;
    std::uint32_t const first = n.kind == kind::document ? 0 : n.owner + 1;
    std::uint32_t const end =
        n.kind == kind::document ? static_cast<std::uint32_t>(d_.nodes.size()) : d_.nodes[n.owner].end;
    if (elements_only)
    {
        for (std::uint32_t i = first; i < end; ++i)
            out.push_back(element_node(i));
        return;
    }
    // Pre-order walk; elements are met in index order, as build_index numbered them.
    struct frame
    {
        GumboNode const* node;
        std::uint32_t owner;
        unsigned next;
    };
    std::vector<frame> stack{{gumbo(n), n.kind == kind::document ? npos : n.owner, 0}};
    std::uint32_t counter = first;
    while (!stack.empty())
    {
        frame& f = stack.back();
        GumboVector const& kids = children_of(f.node);
        if (f.next >= kids.length)
        {
            stack.pop_back();
            continue;
        }
        unsigned const k = f.next++;
        auto const* g = static_cast<GumboNode const*>(kids.data[k]);
        kind lk;
        if (is_element_node(g))
        {
            std::uint32_t const idx = counter++;
            out.push_back(element_node(idx));
            stack.push_back({g, idx, 0});
        }
        else if (leaf_kind(g, lk))
            out.push_back({lk, f.owner, k});
    }
}

void tree::siblings(xnode const& n, bool forward, bool elements_only, node_list& out) const
{
    if (n.kind == kind::document || n.kind == kind::attribute)
        return;
    if (elements_only && n.kind == kind::element)
    {
        for (auto i = forward ? d_.nodes[n.owner].next : d_.nodes[n.owner].prev; i != npos;
             i = forward ? d_.nodes[i].next : d_.nodes[i].prev)
            out.push_back(element_node(i));
        return;
    }
    node_list all;
    children(*parent(n), all);
    auto const at = std::find(all.begin(), all.end(), n);
    if (at == all.end())
        return;
    if (forward)
        out.insert(out.end(), at + 1, all.end());
    else
        out.insert(out.end(), std::make_reverse_iterator(at), all.rend());
}

void tree::following(xnode const& n, bool elements_only, node_list& out) const
{
    xnode x = n;
    if (n.kind == kind::attribute)
    {
        // after the attribute come its element's descendants (XPath 1.0 §2.2)
        x = element_node(n.owner);
        descendants(x, elements_only, out);
    }
    if (elements_only && x.kind == kind::element)
    {
        for (std::uint32_t i = d_.nodes[x.owner].end; i < d_.nodes.size(); ++i)
            out.push_back(element_node(i));
        return;
    }
    node_list sibs;
    for (std::optional<xnode> cur = x; cur && cur->kind != kind::document; cur = parent(*cur))
    {
        sibs.clear();
        siblings(*cur, true, false, sibs);
        for (auto const& s : sibs)
        {
            if (!elements_only || s.kind == kind::element)
                out.push_back(s);
            descendants(s, elements_only, out);
        }
    }
}

void tree::preceding(xnode const& n, bool elements_only, node_list& out) const
{
    xnode const x = n.kind == kind::attribute ? element_node(n.owner) : n;
    if (elements_only && x.kind == kind::element)
    {
        std::vector<bool> ancestor(x.owner, false);
        for (auto p = d_.nodes[x.owner].parent; p != npos; p = d_.nodes[p].parent)
            ancestor[p] = true;
        for (std::uint32_t i = x.owner; i-- > 0;)
            if (!ancestor[i])
                out.push_back(element_node(i));
        return;
    }
    // In document order, level by level from the top, then reversed: the axis runs backward.
    node_list chain;
    for (std::optional<xnode> cur = x; cur && cur->kind != kind::document; cur = parent(*cur))
        chain.push_back(*cur);
    std::size_t const start = out.size();
    node_list sibs;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    {
        sibs.clear();
        siblings(*it, false, false, sibs);
        for (auto s = sibs.rbegin(); s != sibs.rend(); ++s)
        {
            if (!elements_only || s->kind == kind::element)
                out.push_back(*s);
            descendants(*s, elements_only, out);
        }
    }
    std::reverse(out.begin() + static_cast<std::ptrdiff_t>(start), out.end());
}

void tree::axis_nodes(axis a, xnode const& n, bool elements_only, node_list& out)
{
    auto self_if = [&](xnode const& x)
    {
        if (!elements_only || x.kind == kind::element)
            out.push_back(x);
    };
    switch (a)
    {
    case axis::child:
        if (elements_only && n.kind == kind::element)
        {
            for (auto i = d_.nodes[n.owner].first_child; i != npos; i = d_.nodes[i].next)
                out.push_back(element_node(i));
            return;
        }
        {
            std::size_t const start = out.size();
            children(n, out);
            if (elements_only)
                out.erase(std::remove_if(out.begin() + static_cast<std::ptrdiff_t>(start), out.end(),
                                         [](xnode const& x) { return x.kind != kind::element; }),
                          out.end());
        }
        return;
    case axis::descendant_or_self:
        self_if(n);
        [[fallthrough]];
    case axis::descendant:
        return descendants(n, elements_only, out);
    case axis::self:
        return self_if(n);
    case axis::parent:
        if (auto p = parent(n))
            self_if(*p);
        return;
    case axis::ancestor_or_self:
        self_if(n);
        [[fallthrough]];
    case axis::ancestor:
        for (auto p = parent(n); p; p = parent(*p))
            self_if(*p);
        return;
    case axis::following_sibling:
        return siblings(n, true, elements_only, out);
    case axis::preceding_sibling:
        return siblings(n, false, elements_only, out);
    case axis::following:
        return following(n, elements_only, out);
    case axis::preceding:
        return preceding(n, elements_only, out);
    case axis::attribute:
        if (n.kind == kind::element)
        {
            GumboVector const& attrs = d_.nodes[n.owner].node->v.element.attributes;
            for (unsigned i = 0; i < attrs.length; ++i)
                out.push_back({kind::attribute, n.owner, i});
        }
        return;
    case axis::namespace_:
        return;
    }
}

order_key tree::key(xnode const& n)
{
    switch (n.kind)
    {
    case kind::document:
        return {-2, 0, 0};
    case kind::element:
        return {n.owner, 0, 0};
    case kind::attribute:
        return {n.owner, 0, n.sub + 1};
    default:
        break;
    }
    auto [it, added] = child_keys_.try_emplace(n.owner + 1);
    if (added)
    {
        // A text or comment child follows the last descendant D of the element sibling before
        // it: its key is D's, ranked by how many levels above D it sits.
        std::vector<order_key>& keys = it->second;
        GumboNode const* p = n.owner == npos ? d_.output->document : d_.nodes[n.owner].node;
        GumboVector const& kids = children_of(p);
        keys.resize(kids.length);
        std::uint32_t const parent_depth = n.owner == npos ? 0 : depth(n.owner);
        std::uint32_t next_element = n.owner == npos ? (d_.nodes.empty() ? npos : 0) : d_.nodes[n.owner].first_child;
        std::uint32_t last = npos;
        for (unsigned k = 0; k < kids.length; ++k)
        {
            if (is_element_node(static_cast<GumboNode const*>(kids.data[k])))
            {
                last = next_element;
                next_element = d_.nodes[next_element].next;
                continue;
            }
            if (last == npos)
                keys[k] = {n.owner == npos ? -1 : std::int64_t(n.owner), 1, k};
            else
            {
                std::uint32_t const d = d_.nodes[last].end - 1;
                keys[k] = {d, 1 + depth(d) - parent_depth, k};
            }
        }
    }
    return it->second[n.sub];
}

void tree::sort_unique(node_list& nodes)
{
    if (nodes.size() < 2)
        return;
    bool const elements =
        std::all_of(nodes.begin(), nodes.end(), [](xnode const& x) { return x.kind == kind::element; });
    if (elements)
    {
        std::sort(nodes.begin(), nodes.end(), [](xnode const& a, xnode const& b) { return a.owner < b.owner; });
        nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
        return;
    }
    std::vector<std::pair<order_key, xnode>> keyed;
    keyed.reserve(nodes.size());
    for (auto const& x : nodes)
        keyed.emplace_back(key(x), x);
    std::sort(keyed.begin(), keyed.end(), [](auto const& a, auto const& b) { return a.first < b.first; });
    nodes.clear();
    for (std::size_t i = 0; i < keyed.size(); ++i)
        if (i == 0 || keyed[i].first != keyed[i - 1].first)
            nodes.push_back(keyed[i].second);
}

std::string tree::string_value(xnode const& n) const
{
    switch (n.kind)
    {
    case kind::document:
    case kind::element:
    {
        std::string out;
        append_text(gumbo(n), out, false);
        return out;
    }
    case kind::attribute:
        return static_cast<GumboAttribute const*>(gumbo(n)->v.element.attributes.data[n.sub])->value;
    default:
        return gumbo(n)->v.text.text;
    }
}

std::string_view tree::name(xnode const& n) const noexcept
{
    if (n.kind == kind::element)
        return d_.nodes[n.owner].tag;
    if (n.kind == kind::attribute)
        return static_cast<GumboAttribute const*>(gumbo(n)->v.element.attributes.data[n.sub])->name;
    return {};
}

} // namespace weft::html::detail
