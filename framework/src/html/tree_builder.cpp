// weft's tree builder: nodes, the stack of open elements, scopes, the active formatting
// elements, the adoption agency algorithm and the dispatcher (see tree_builder.hpp).
#include "tree_builder.hpp"
#include "tree_builder_impl.hpp"

#include <weft/text/ascii.hpp>

#include <cstring>

namespace weft::html::detail
{
namespace tb
{

bool is_special(GumboNode const* n) noexcept
{
    static constexpr tagset html{
        GUMBO_TAG_ADDRESS,  GUMBO_TAG_APPLET,   GUMBO_TAG_AREA,     GUMBO_TAG_ARTICLE,    GUMBO_TAG_ASIDE,
        GUMBO_TAG_BASE,     GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND,  GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_BODY,
        GUMBO_TAG_BR,       GUMBO_TAG_BUTTON,   GUMBO_TAG_CAPTION,  GUMBO_TAG_CENTER,     GUMBO_TAG_COL,
        GUMBO_TAG_COLGROUP, GUMBO_TAG_MENUITEM, GUMBO_TAG_DD,       GUMBO_TAG_DETAILS,    GUMBO_TAG_DIR,
        GUMBO_TAG_DIV,      GUMBO_TAG_DL,       GUMBO_TAG_DT,       GUMBO_TAG_EMBED,      GUMBO_TAG_FIELDSET,
        GUMBO_TAG_FIGCAPTION, GUMBO_TAG_FIGURE, GUMBO_TAG_FOOTER,   GUMBO_TAG_FORM,       GUMBO_TAG_FRAME,
        GUMBO_TAG_FRAMESET, GUMBO_TAG_H1,       GUMBO_TAG_H2,       GUMBO_TAG_H3,         GUMBO_TAG_H4,
        GUMBO_TAG_H5,       GUMBO_TAG_H6,       GUMBO_TAG_HEAD,     GUMBO_TAG_HEADER,     GUMBO_TAG_HGROUP,
        GUMBO_TAG_HR,       GUMBO_TAG_HTML,     GUMBO_TAG_IFRAME,   GUMBO_TAG_IMG,        GUMBO_TAG_INPUT,
        GUMBO_TAG_ISINDEX,  GUMBO_TAG_LI,       GUMBO_TAG_LINK,     GUMBO_TAG_LISTING,    GUMBO_TAG_MARQUEE,
        GUMBO_TAG_MENU,     GUMBO_TAG_META,     GUMBO_TAG_NAV,      GUMBO_TAG_NOEMBED,    GUMBO_TAG_NOFRAMES,
        GUMBO_TAG_NOSCRIPT, GUMBO_TAG_OBJECT,   GUMBO_TAG_OL,       GUMBO_TAG_P,          GUMBO_TAG_PARAM,
        GUMBO_TAG_PLAINTEXT, GUMBO_TAG_PRE,     GUMBO_TAG_SCRIPT,   GUMBO_TAG_SECTION,    GUMBO_TAG_SELECT,
        GUMBO_TAG_STYLE,    GUMBO_TAG_SUMMARY,  GUMBO_TAG_TABLE,    GUMBO_TAG_TBODY,      GUMBO_TAG_TD,
        GUMBO_TAG_TEMPLATE, GUMBO_TAG_TEXTAREA, GUMBO_TAG_TFOOT,    GUMBO_TAG_TH,         GUMBO_TAG_THEAD,
        GUMBO_TAG_TITLE,    GUMBO_TAG_TR,       GUMBO_TAG_UL,       GUMBO_TAG_WBR,        GUMBO_TAG_XMP};
    if (is_in(n, html))
        return true;
    if (!is_element(n))
        return false;
    auto const ns = n->v.element.tag_namespace;
    auto const t = n->v.element.tag;
    if (ns == GUMBO_NAMESPACE_MATHML)
        return t == GUMBO_TAG_MI || t == GUMBO_TAG_MO || t == GUMBO_TAG_MN || t == GUMBO_TAG_MS ||
               t == GUMBO_TAG_MTEXT || t == GUMBO_TAG_ANNOTATION_XML;
    if (ns == GUMBO_NAMESPACE_SVG)
        return t == GUMBO_TAG_FOREIGNOBJECT || t == GUMBO_TAG_DESC;
    return false;
}

bool is_mathml_integration_point(GumboNode const* n) noexcept
{
    if (!is_element(n) || n->v.element.tag_namespace != GUMBO_NAMESPACE_MATHML)
        return false;
    auto const t = n->v.element.tag;
    return t == GUMBO_TAG_MI || t == GUMBO_TAG_MO || t == GUMBO_TAG_MN || t == GUMBO_TAG_MS || t == GUMBO_TAG_MTEXT;
}

bool is_html_integration_point(GumboNode const* n) noexcept
{
    if (is_ns(n, GUMBO_NAMESPACE_SVG, GUMBO_TAG_FOREIGNOBJECT) || is_ns(n, GUMBO_NAMESPACE_SVG, GUMBO_TAG_DESC) ||
        is_ns(n, GUMBO_NAMESPACE_SVG, GUMBO_TAG_TITLE))
        return true;
    if (!is_ns(n, GUMBO_NAMESPACE_MATHML, GUMBO_TAG_ANNOTATION_XML))
        return false;
    auto const* a = find_attr(n->v.element.attributes, "encoding");
    return a && (text::iequals(a->value, "text/html") || text::iequals(a->value, "application/xhtml+xml"));
}

GumboAttribute* find_attr(GumboVector const& v, std::string_view name) noexcept
{
    for (unsigned i = 0; i < v.length; ++i)
    {
        auto* a = static_cast<GumboAttribute*>(v.data[i]);
        if (text::iequals(a->name, name))
            return a;
    }
    return nullptr;
}

std::string_view element_name(GumboNode const* n, std::string& scratch)
{
    GumboElement const& el = n->v.element;
    if (el.tag != GUMBO_TAG_UNKNOWN)
        return gumbo_normalized_tagname(el.tag);
    GumboStringPiece piece = el.original_tag;
    if (piece.length < 2 || piece.data == nullptr)
        return {};
    std::string_view s(piece.data + 1, piece.length - 1);
    if (s.starts_with('/'))
        s.remove_prefix(1);
    s = s.substr(0, s.find_first_of(" \t\n\f\r/>"));
    scratch = text::lower_copy(s);
    return scratch;
}

// ---- construction ----

builder::builder(std::string_view text, arena& memory) : lx(text, *this), memory_(memory)
{
    output_ = static_cast<GumboOutput*>(memory_.allocate(sizeof(GumboOutput)));
    std::memset(output_, 0, sizeof(GumboOutput));
    document_ = create_node(GUMBO_NODE_DOCUMENT);
    document_->parse_flags = GUMBO_INSERTION_BY_PARSER;
    output_->document = document_;
    open_.reserve(64);
    text_.reserve(256);
}

GumboOutput* builder::run()
{
    lx.run();
    token eof;
    eof.type = token_type::eof;
    process(eof);
    finish();
    GumboDocument& d = document_->v.document;
    if (!d.name)
        d.name = copy("");
    if (!d.public_identifier)
        d.public_identifier = copy("");
    if (!d.system_identifier)
        d.system_identifier = copy("");
    return output_;
}

char* builder::copy(std::string_view s)
{
    auto* p = static_cast<char*>(memory_.allocate(s.size() + 1));
    if (!s.empty())
        std::memcpy(p, s.data(), s.size());
    p[s.size()] = 0;
    return p;
}

void builder::vector_add(GumboVector& v, void* p)
{
    if (v.length == v.capacity)
    {
        unsigned const cap = v.capacity ? v.capacity * 2 : 4;
        auto** data = static_cast<void**>(memory_.allocate(cap * sizeof(void*)));
        if (v.length)
            std::memcpy(data, v.data, v.length * sizeof(void*));
        v.data = data;
        v.capacity = cap;
    }
    v.data[v.length++] = p;
}

void builder::vector_insert_at(GumboVector& v, void* p, unsigned index)
{
    vector_add(v, nullptr);
    std::memmove(v.data + index + 1, v.data + index, (v.length - 1 - index) * sizeof(void*));
    v.data[index] = p;
}

void builder::vector_remove_at(GumboVector& v, unsigned index)
{
    std::memmove(v.data + index, v.data + index + 1, (v.length - index - 1) * sizeof(void*));
    --v.length;
}

GumboNode* builder::create_node(GumboNodeType type)
{
    auto* n = static_cast<GumboNode*>(memory_.allocate(sizeof(GumboNode)));
    std::memset(n, 0, sizeof(GumboNode));
    n->type = type;
    n->index_within_parent = static_cast<std::size_t>(-1);
    return n;
}

GumboNode* builder::create_element(GumboTag tag)
{
    GumboNode* n = create_node(GUMBO_NODE_ELEMENT);
    n->parse_flags = GUMBO_INSERTION_BY_PARSER;
    n->v.element.tag = tag;
    n->v.element.tag_namespace = GUMBO_NAMESPACE_HTML;
    return n;
}

GumboNode* builder::create_element_from_token(token& t, GumboNamespaceEnum ns)
{
    bool const is_template = ns == GUMBO_NAMESPACE_HTML && t.tag == GUMBO_TAG_TEMPLATE;
    GumboNode* n = create_node(is_template ? GUMBO_NODE_TEMPLATE : GUMBO_NODE_ELEMENT);
    GumboElement& el = n->v.element;
    el.attributes = t.attributes;
    el.tag = t.tag;
    el.tag_namespace = ns;
    el.original_tag = t.original;
    t.attributes = GumboVector{};
    return n;
}

GumboNode* builder::clone_node(GumboNode const* from)
{
    GumboNode* n = create_node(from->type);
    *n = *from;
    n->parent = nullptr;
    n->index_within_parent = static_cast<std::size_t>(-1);
    n->parse_flags = static_cast<GumboParseFlags>(from->parse_flags | GUMBO_INSERTION_BY_PARSER);
    GumboElement& el = n->v.element;
    el.children = GumboVector{};
    el.attributes = GumboVector{};
    GumboVector const& old = from->v.element.attributes;
    for (unsigned i = 0; i < old.length; ++i)
    {
        auto const* a = static_cast<GumboAttribute const*>(old.data[i]);
        auto* c = static_cast<GumboAttribute*>(memory_.allocate(sizeof(GumboAttribute)));
        *c = *a;
        c->name = copy(a->name);
        c->value = copy(a->value);
        vector_add(el.attributes, c);
    }
    return n;
}

builder::location builder::insertion_location(GumboNode* override_target)
{
    location at{override_target, -1};
    if (!at.target)
        at.target = output_->root ? current_node() : document_;
    static constexpr tagset table_like{GUMBO_TAG_TABLE, GUMBO_TAG_TBODY, GUMBO_TAG_TFOOT, GUMBO_TAG_THEAD,
                                       GUMBO_TAG_TR};
    if (!foster_ || !is_in(at.target, table_like))
        return at;
    int last_template = -1;
    int last_table = -1;
    for (int i = 0; i < static_cast<int>(open_.size()); ++i)
    {
        if (is_html(open_[i], GUMBO_TAG_TEMPLATE))
            last_template = i;
        if (is_html(open_[i], GUMBO_TAG_TABLE))
            last_table = i;
    }
    if (last_template != -1 && (last_table == -1 || last_template > last_table))
        return {open_[last_template], -1};
    if (last_table == -1)
        return {open_[0], -1};
    GumboNode* table = open_[last_table];
    if (table->parent)
        return {table->parent, static_cast<int>(table->index_within_parent)};
    return {open_[last_table - 1], -1};
}

namespace
{
GumboVector& children(GumboNode* n)
{
    return n->type == GUMBO_NODE_DOCUMENT ? n->v.document.children : n->v.element.children;
}
} // namespace

void builder::append_node(GumboNode* parent, GumboNode* node)
{
    GumboVector& kids = children(parent);
    node->parent = parent;
    node->index_within_parent = kids.length;
    vector_add(kids, node);
}

void builder::insert_node(GumboNode* node, location at)
{
    if (at.index < 0)
        return append_node(at.target, node);
    GumboVector& kids = children(at.target);
    node->parent = at.target;
    vector_insert_at(kids, node, static_cast<unsigned>(at.index));
    for (unsigned i = static_cast<unsigned>(at.index); i < kids.length; ++i)
        static_cast<GumboNode*>(kids.data[i])->index_within_parent = i;
}

void builder::remove_from_parent(GumboNode* node)
{
    if (!node->parent)
        return;
    GumboVector& kids = children(node->parent);
    unsigned const index = static_cast<unsigned>(node->index_within_parent);
    vector_remove_at(kids, index);
    for (unsigned i = index; i < kids.length; ++i)
        static_cast<GumboNode*>(kids.data[i])->index_within_parent = i;
    node->parent = nullptr;
    node->index_within_parent = static_cast<std::size_t>(-1);
}

// ---- text and comments ----

void builder::insert_text(token const& t)
{
    text_.append(t.text);
    if (t.type == token_type::character)
        text_type_ = GUMBO_NODE_TEXT;
    else if (t.type == token_type::cdata)
        text_type_ = GUMBO_NODE_CDATA;
}

// Gumbo buffers character tokens and makes one text node of them when the next node is
// inserted or an element popped, at the insertion location of that moment.
void builder::flush_text()
{
    if (text_.empty())
        return;
    location at = insertion_location(nullptr);
    if (at.target->type != GUMBO_NODE_DOCUMENT)
    {
        GumboNode* n = create_node(text_type_);
        n->v.text.text = copy(text_);
        insert_node(n, at);
    }
    text_.clear();
    text_type_ = GUMBO_NODE_WHITESPACE;
}

void builder::append_comment(GumboNode* parent, token const& t)
{
    flush_text();
    GumboNode* n = create_node(GUMBO_NODE_COMMENT);
    n->v.text.text = copy(t.text);
    append_node(parent, n);
}

// ---- the stack of open elements ----

GumboNode* builder::pop()
{
    flush_text();
    if (open_.empty())
        return nullptr;
    GumboNode* n = open_.back();
    open_.pop_back();
    return n;
}

void builder::insert_element(GumboNode* node, bool reconstructing)
{
    if (!reconstructing)
        flush_text();
    insert_node(node, insertion_location(nullptr));
    open_.push_back(node);
}

GumboNode* builder::insert_element_from_token(token& t)
{
    GumboNode* n = create_element_from_token(t, GUMBO_NAMESPACE_HTML);
    insert_element(n, false);
    return n;
}

GumboNode* builder::insert_element_of_tag(GumboTag tag)
{
    GumboNode* n = create_element(tag);
    insert_element(n, false);
    return n;
}

GumboNode* builder::insert_foreign_element(token& t, GumboNamespaceEnum ns)
{
    GumboNode* n = create_element_from_token(t, ns);
    insert_element(n, false);
    return n;
}

int builder::index_in_open(GumboNode const* n) const noexcept
{
    for (int i = static_cast<int>(open_.size()); i-- > 0;)
        if (open_[i] == n)
            return i;
    return -1;
}

void builder::remove_from_open(GumboNode const* n)
{
    int const i = index_in_open(n);
    if (i >= 0)
        open_.erase(open_.begin() + i);
}

// ---- the dispatcher ----

void builder::process(token& t)
{
    reprocess_ = false;
    dispatch(t);
    while (reprocess_)
    {
        reprocess_ = false;
        dispatch(t);
    }
}

bool builder::dispatch(token& t)
{
    if (ignore_next_linefeed_ && t.type == token_type::whitespace && t.text.starts_with('\n'))
    {
        ignore_next_linefeed_ = false;
        t.text.remove_prefix(1);
        if (t.text.empty())
            return true;
    }
    ignore_next_linefeed_ = false;
    GumboNode const* n = current_node();
    bool const chars = t.type == token_type::character || t.type == token_type::whitespace ||
                       t.type == token_type::null;
    if (!n || n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML ||
        (is_mathml_integration_point(n) &&
         (chars || (t.type == token_type::start_tag && t.tag != GUMBO_TAG_MGLYPH && t.tag != GUMBO_TAG_MALIGNMARK))) ||
        (is_ns(n, GUMBO_NAMESPACE_MATHML, GUMBO_TAG_ANNOTATION_XML) && is_start(t, GUMBO_TAG_SVG)) ||
        (is_html_integration_point(n) && (chars || t.type == token_type::start_tag)) || t.type == token_type::eof)
        return handle_mode(t);
    return foreign_content(t);
}

bool builder::handle_mode(token& t)
{
    switch (mode_)
    {
    case mode::initial: return initial(t);
    case mode::before_html: return before_html(t);
    case mode::before_head: return before_head(t);
    case mode::in_head: return in_head(t);
    case mode::in_head_noscript: return in_head_noscript(t);
    case mode::after_head: return after_head(t);
    case mode::in_body: return in_body(t);
    case mode::text: return text_mode(t);
    case mode::in_table: return in_table(t);
    case mode::in_table_text: return in_table_text(t);
    case mode::in_caption: return in_caption(t);
    case mode::in_column_group: return in_column_group(t);
    case mode::in_table_body: return in_table_body(t);
    case mode::in_row: return in_row(t);
    case mode::in_cell: return in_cell(t);
    case mode::in_select: return in_select(t);
    case mode::in_select_in_table: return in_select_in_table(t);
    case mode::in_template: return in_template(t);
    case mode::after_body: return after_body(t);
    case mode::in_frameset: return in_frameset(t);
    case mode::after_frameset: return after_frameset(t);
    case mode::after_after_body: return after_after_body(t);
    case mode::after_after_frameset: return after_after_frameset(t);
    case mode::none: break;
    }
    return in_body(t);
}

namespace
{
bool is_ws(char c) noexcept
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\r';
}
} // namespace

// Character tokens come in runs; gumbo takes them one by one. A run is cut into whitespace and
// other characters, and each piece is one token: every mode treats the characters of a piece
// alike (a mode switch on the first character applies to the rest).
void builder::characters(std::string_view s)
{
    GumboNode const* n = current_node();
    if (mode_ == mode::in_body && n && n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML && !ignore_next_linefeed_)
    {
        // the common case, whole: reconstruct, insert, and frameset-ok off unless all whitespace
        reconstruct_formatting_elements();
        text_.append(s);
        if (text_type_ != GUMBO_NODE_TEXT)
            for (char c : s)
                if (!is_ws(c))
                {
                    text_type_ = GUMBO_NODE_TEXT;
                    break;
                }
        if (text_type_ == GUMBO_NODE_TEXT && frameset_ok_)
            for (char c : s)
                if (!is_ws(c))
                {
                    frameset_ok_ = false;
                    break;
                }
        return;
    }
    std::size_t i = 0;
    while (i < s.size())
    {
        bool const ws = is_ws(s[i]);
        std::size_t j = i + 1;
        while (j < s.size() && is_ws(s[j]) == ws)
            ++j;
        token t;
        t.type = ws ? token_type::whitespace : token_type::character;
        t.text = s.substr(i, j - i);
        process(t);
        i = j;
    }
}

} // namespace tb

GumboOutput* build_tree(std::string_view text, arena& memory, bool gumbo_quirks)
{
    tb::builder b(text, memory);
    b.gumbo_quirks = gumbo_quirks;
    return b.run();
}

} // namespace weft::html::detail
