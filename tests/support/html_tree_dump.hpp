// Test support: gumbo trees (gumbo's own, or weft's tree builder's) in html5lib's
// tree-construction format ("| <html>", two spaces per level), and the first difference of two.
#pragma once

#include <gumbo.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace weft::test
{

struct tree_dump_options
{
    bool merge_text = false;      // adjacent text nodes as one (html5lib's DOM merges them)
    bool whitespace_kind = false; // mark GUMBO_NODE_WHITESPACE / CDATA text ("#ws"/"#cdata")
    bool template_content = false; // html5lib's "content" line under <template>
    bool svg_case = false;        // html5lib's camelCase svg tag names
};

inline std::string_view dump_svg_name(std::string_view lower)
{
    static constexpr std::string_view names[] = {
        "altGlyph",      "altGlyphDef",   "altGlyphItem",    "animateColor",     "animateMotion",
        "animateTransform", "clipPath",   "feBlend",         "feColorMatrix",    "feComponentTransfer",
        "feComposite",   "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap", "feDistantLight",
        "feDropShadow",  "feFlood",       "feFuncA",         "feFuncB",          "feFuncG",
        "feFuncR",       "feGaussianBlur", "feImage",        "feMerge",          "feMergeNode",
        "feMorphology",  "feOffset",      "fePointLight",    "feSpecularLighting", "feSpotLight",
        "feTile",        "feTurbulence",  "foreignObject",   "glyphRef",         "linearGradient",
        "radialGradient", "textPath"};
    for (auto n : names)
        if (n.size() == lower.size() && std::equal(n.begin(), n.end(), lower.begin(),
                                                   [](char a, char b) { return (a | 0x20) == b; }))
            return n;
    return lower;
}

inline std::string dump_element_name(GumboNode const* n, bool svg_case)
{
    GumboElement const& el = n->v.element;
    std::string name;
    if (el.tag != GUMBO_TAG_UNKNOWN)
        name = gumbo_normalized_tagname(el.tag);
    else if (el.original_tag.data && el.original_tag.length >= 2)
    {
        std::string_view s(el.original_tag.data + 1, el.original_tag.length - 1);
        if (!s.empty() && s[0] == '/')
            s.remove_prefix(1);
        s = s.substr(0, s.find_first_of(" \t\n\f\r/>"));
        for (char c : s)
            name.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    }
    if (el.tag_namespace == GUMBO_NAMESPACE_SVG)
        return "svg " + std::string(svg_case ? dump_svg_name(name) : std::string_view(name));
    if (el.tag_namespace == GUMBO_NAMESPACE_MATHML)
        return "math " + name;
    return name;
}

inline void dump_node(GumboNode const* n, int depth, tree_dump_options const& o, std::vector<std::string>& out)
{
    auto indent = [&](int d) { return "| " + std::string(static_cast<std::size_t>(d) * 2, ' '); };
    switch (n->type)
    {
    case GUMBO_NODE_DOCUMENT: break;
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_CDATA:
    {
        std::string kind;
        if (o.whitespace_kind && n->type != GUMBO_NODE_TEXT)
            kind = n->type == GUMBO_NODE_CDATA ? "#cdata " : "#ws ";
        std::string const line = indent(depth) + kind + "\"" + n->v.text.text + "\"";
        if (o.merge_text && !out.empty() && out.back().starts_with(indent(depth) + "\"") &&
            out.back().back() == '"' && n->index_within_parent > 0)
        {
            auto const* prev = static_cast<GumboNode const*>(
                n->parent->type == GUMBO_NODE_DOCUMENT
                    ? n->parent->v.document.children.data[n->index_within_parent - 1]
                    : n->parent->v.element.children.data[n->index_within_parent - 1]);
            if (prev->type == GUMBO_NODE_TEXT || prev->type == GUMBO_NODE_WHITESPACE || prev->type == GUMBO_NODE_CDATA)
            {
                out.back().pop_back();
                out.back() += std::string(n->v.text.text) + "\"";
                return;
            }
        }
        out.push_back(line);
        return;
    }
    case GUMBO_NODE_COMMENT: out.push_back(indent(depth) + "<!-- " + n->v.text.text + " -->"); return;
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
    {
        out.push_back(indent(depth) + "<" + dump_element_name(n, o.svg_case) + ">");
        std::vector<std::string> attrs;
        GumboVector const& av = n->v.element.attributes;
        for (unsigned i = 0; i < av.length; ++i)
        {
            auto const* a = static_cast<GumboAttribute const*>(av.data[i]);
            std::string prefix;
            switch (a->attr_namespace)
            {
            case GUMBO_ATTR_NAMESPACE_XLINK: prefix = "xlink "; break;
            case GUMBO_ATTR_NAMESPACE_XML: prefix = "xml "; break;
            case GUMBO_ATTR_NAMESPACE_XMLNS: prefix = "xmlns "; break;
            default: break;
            }
            attrs.push_back(indent(depth + 1) + prefix + a->name + "=\"" + a->value + "\"");
        }
        std::sort(attrs.begin(), attrs.end());
        out.insert(out.end(), attrs.begin(), attrs.end());
        int child_depth = depth + 1;
        if (o.template_content && n->type == GUMBO_NODE_TEMPLATE)
        {
            out.push_back(indent(depth + 1) + "content");
            child_depth = depth + 2;
        }
        GumboVector const& kids = n->v.element.children;
        for (unsigned i = 0; i < kids.length; ++i)
            dump_node(static_cast<GumboNode const*>(kids.data[i]), child_depth, o, out);
        return;
    }
    }
}

/// The tree as lines, without the leading "#document".
inline std::vector<std::string> dump_tree(GumboOutput const* out, tree_dump_options const& o = {})
{
    std::vector<std::string> lines;
    GumboDocument const& d = out->document->v.document;
    if (d.has_doctype)
    {
        std::string line = "| <!DOCTYPE " + std::string(d.name);
        if ((d.public_identifier && *d.public_identifier) || (d.system_identifier && *d.system_identifier))
            line += " \"" + std::string(d.public_identifier) + "\" \"" + std::string(d.system_identifier) + "\"";
        lines.push_back(line + ">");
    }
    GumboVector const& kids = d.children;
    for (unsigned i = 0; i < kids.length; ++i)
        dump_node(static_cast<GumboNode const*>(kids.data[i]), 0, o, lines);
    return lines;
}

/// "" when equal, else the first differing line of each with the lines above it (the path).
inline std::string first_difference(std::vector<std::string> const& a, std::vector<std::string> const& b)
{
    std::size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i])
        ++i;
    if (i == a.size() && i == b.size())
        return {};
    std::string s = "first difference at line " + std::to_string(i + 1) + ":\n";
    for (std::size_t k = i > 6 ? i - 6 : 0; k < i; ++k)
        s += "   " + a[k] + "\n";
    s += "A: " + (i < a.size() ? a[i] : std::string("(end)")) + "\n";
    s += "B: " + (i < b.size() ? b[i] : std::string("(end)")) + "\n";
    return s;
}

} // namespace weft::test
