#include <weft/html/element.hpp>

#include "document_impl.hpp"
#include "selector_impl.hpp"

namespace weft::html
{
namespace detail
{
namespace
{

// Lower-case tag name of an element node, computed without a document (for serialization).
std::string_view node_tag(GumboNode const* n, std::string& scratch)
{
    GumboElement const& el = n->v.element;
    if (el.tag != GUMBO_TAG_UNKNOWN)
        return gumbo_normalized_tagname(el.tag);
    GumboStringPiece piece = el.original_tag;
    if (piece.length == 0 || piece.data == nullptr)
        return {};
    gumbo_tag_from_original_text(&piece);
    scratch.assign(piece.data, piece.length);
    for (char& c : scratch)
        c = text::to_lower(c);
    return scratch;
}

bool is_void(GumboTag t) noexcept
{
    switch (t)
    {
    case GUMBO_TAG_AREA:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_BASEFONT:
    case GUMBO_TAG_BGSOUND:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_COL:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_FRAME:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_IMG:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_KEYGEN:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_META:
    case GUMBO_TAG_PARAM:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_TRACK:
    case GUMBO_TAG_WBR:
        return true;
    default:
        return false;
    }
}

// Text children of these are serialized as is (HTML fragment serialization algorithm);
// noscript too, since gumbo parses it with scripting enabled.
bool is_raw_text_parent(GumboNode const* p) noexcept
{
    if (p == nullptr || !is_element_node(p) || p->v.element.tag_namespace != GUMBO_NAMESPACE_HTML)
        return false;
    switch (p->v.element.tag)
    {
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_XMP:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_PLAINTEXT:
    case GUMBO_TAG_NOSCRIPT:
        return true;
    default:
        return false;
    }
}

bool is_hidden_text_parent(GumboNode const* n) noexcept
{
    if (n->v.element.tag_namespace != GUMBO_NAMESPACE_HTML)
        return false;
    GumboTag const t = n->v.element.tag;
    return t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE || t == GUMBO_TAG_TEMPLATE;
}

void escape(std::string_view s, std::string& out, bool attribute_mode)
{
    for (std::size_t i = 0; i < s.size(); ++i)
    {
        char const c = s[i];
        switch (c)
        {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            if (attribute_mode)
                out += "&quot;";
            else
                out += c;
            break;
        case '\xC2':
            if (i + 1 < s.size() && s[i + 1] == '\xA0')
            {
                out += "&nbsp;";
                ++i;
            }
            else
                out += c;
            break;
        default:
            out += c;
        }
    }
}

// Pre-order walk without recursion: enter(n) returns whether to descend; leave(n) after children.
template <class Enter, class Leave>
void walk_children(GumboNode const* n, Enter enter, Leave leave)
{
    struct frame
    {
        GumboNode const* node;
        unsigned next;
    };
    std::vector<frame> stack;
    stack.push_back({n, 0});
    while (!stack.empty())
    {
        frame& f = stack.back();
        GumboVector const& kids = children_of(f.node);
        if (f.next >= kids.length)
        {
            GumboNode const* done = f.node;
            stack.pop_back();
            if (!stack.empty())
                leave(done);
            continue;
        }
        auto const* c = static_cast<GumboNode const*>(kids.data[f.next++]);
        if (enter(c) && (is_element_node(c)))
            stack.push_back({c, 0});
        else if (is_element_node(c))
            leave(c);
    }
}

void open_tag(GumboNode const* n, std::string& out, std::string& scratch)
{
    out += '<';
    out += node_tag(n, scratch);
    GumboVector const& attrs = n->v.element.attributes;
    for (unsigned i = 0; i < attrs.length; ++i)
    {
        auto const* a = static_cast<GumboAttribute const*>(attrs.data[i]);
        out += ' ';
        switch (a->attr_namespace)
        {
        case GUMBO_ATTR_NAMESPACE_XLINK:
            out += "xlink:";
            break;
        case GUMBO_ATTR_NAMESPACE_XML:
            out += "xml:";
            break;
        case GUMBO_ATTR_NAMESPACE_XMLNS:
            if (std::string_view(a->name) != "xmlns")
                out += "xmlns:";
            break;
        default:
            break;
        }
        out += a->name;
        out += "=\"";
        escape(a->value, out, true);
        out += '"';
    }
    out += '>';
}

} // namespace

void append_text(GumboNode const* n, std::string& out, bool skip_hidden)
{
    walk_children(
        n,
        [&](GumboNode const* c)
        {
            switch (c->type)
            {
            case GUMBO_NODE_TEXT:
            case GUMBO_NODE_WHITESPACE:
            case GUMBO_NODE_CDATA:
                out += c->v.text.text;
                return false;
            case GUMBO_NODE_ELEMENT:
            case GUMBO_NODE_TEMPLATE:
                return !(skip_hidden && is_hidden_text_parent(c));
            default:
                return false;
            }
        },
        [](GumboNode const*) {});
}

void serialize_children(GumboNode const* n, std::string& out)
{
    std::string scratch;
    walk_children(
        n,
        [&](GumboNode const* c)
        {
            switch (c->type)
            {
            case GUMBO_NODE_TEXT:
            case GUMBO_NODE_WHITESPACE:
                if (is_raw_text_parent(c->parent))
                    out += c->v.text.text;
                else
                    escape(c->v.text.text, out, false);
                return false;
            case GUMBO_NODE_CDATA:
                out += "<![CDATA[";
                out += c->v.text.text;
                out += "]]>";
                return false;
            case GUMBO_NODE_COMMENT:
                out += "<!--";
                out += c->v.text.text;
                out += "-->";
                return false;
            case GUMBO_NODE_ELEMENT:
            case GUMBO_NODE_TEMPLATE:
                open_tag(c, out, scratch);
                return true;
            default:
                return false;
            }
        },
        [&](GumboNode const* c)
        {
            if (c->v.element.tag_namespace == GUMBO_NAMESPACE_HTML && is_void(c->v.element.tag))
                return;
            out += "</";
            out += node_tag(c, scratch);
            out += '>';
        });
}

void serialize_node(GumboNode const* n, std::string& out)
{
    std::string scratch;
    open_tag(n, out, scratch);
    if (n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML && is_void(n->v.element.tag))
        return;
    serialize_children(n, out);
    out += "</";
    out += node_tag(n, scratch);
    out += '>';
}

} // namespace detail

namespace
{

std::string collapse(std::string const& raw)
{
    std::string out;
    out.reserve(raw.size());
    bool pending_space = false;
    for (char c : raw)
    {
        if (text::is_html_space(c))
        {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space)
            out += ' ';
        pending_space = false;
        out += c;
    }
    return out;
}

} // namespace

std::string_view element::tag() const noexcept
{
    return doc_->nodes[index_].tag;
}

std::optional<std::string_view> element::attr(std::string_view name) const noexcept
{
    if (auto const* a = detail::find_attribute(doc_->nodes[index_].node, name))
        return std::string_view(a->value);
    return std::nullopt;
}

std::vector<attribute> element::attrs() const
{
    std::vector<attribute> out;
    GumboVector const& v = doc_->nodes[index_].node->v.element.attributes;
    out.reserve(v.length);
    for (unsigned i = 0; i < v.length; ++i)
    {
        auto const* a = static_cast<GumboAttribute const*>(v.data[i]);
        out.push_back({a->name, a->value});
    }
    return out;
}

std::string_view element::id() const noexcept
{
    return attr("id").value_or(std::string_view());
}

bool element::has_class(std::string_view cls) const noexcept
{
    return detail::has_class_token(doc_->nodes[index_].node, cls);
}

std::string element::text() const
{
    std::string raw;
    detail::append_text(doc_->nodes[index_].node, raw, true);
    return collapse(raw);
}

std::string element::raw_text() const
{
    std::string raw;
    detail::append_text(doc_->nodes[index_].node, raw, false);
    return raw;
}

std::string element::inner_html() const
{
    std::string out;
    detail::serialize_children(doc_->nodes[index_].node, out);
    return out;
}

std::string element::outer_html() const
{
    std::string out;
    detail::serialize_node(doc_->nodes[index_].node, out);
    return out;
}

namespace
{
std::optional<element> handle(detail::document_impl const* d, std::uint32_t i) noexcept
{
    if (i == detail::npos)
        return std::nullopt;
    return element(d, i);
}
} // namespace

std::optional<element> element::parent() const noexcept
{
    return handle(doc_, doc_->nodes[index_].parent);
}
std::optional<element> element::first_child() const noexcept
{
    return handle(doc_, doc_->nodes[index_].first_child);
}
std::optional<element> element::last_child() const noexcept
{
    return handle(doc_, doc_->nodes[index_].last_child);
}
std::optional<element> element::next() const noexcept
{
    return handle(doc_, doc_->nodes[index_].next);
}
std::optional<element> element::prev() const noexcept
{
    return handle(doc_, doc_->nodes[index_].prev);
}

std::vector<element> element::children() const
{
    std::vector<element> out;
    out.reserve(doc_->nodes[index_].child_count);
    for (auto i = doc_->nodes[index_].first_child; i != detail::npos; i = doc_->nodes[i].next)
        out.emplace_back(doc_, i);
    return out;
}

std::vector<element> element::css(selector const& s) const
{
    detail::check_selects_elements(s, "css()");
    std::vector<element> out;
    detail::select(*doc_, s.compiled(), index_ + 1, doc_->nodes[index_].end, index_,
                   [&](std::uint32_t i)
                   {
                       out.emplace_back(doc_, i);
                       return true;
                   });
    return out;
}

std::optional<element> element::css_first(selector const& s) const
{
    detail::check_selects_elements(s, "css_first()");
    std::optional<element> out;
    detail::select(*doc_, s.compiled(), index_ + 1, doc_->nodes[index_].end, index_,
                   [&](std::uint32_t i)
                   {
                       out.emplace(doc_, i);
                       return false;
                   });
    return out;
}


std::optional<std::string_view> element::attr(selector const& s, std::string_view name) const
{
    auto e = css_first(s);
    return e ? e->attr(name) : std::nullopt;
}

} // namespace weft::html
