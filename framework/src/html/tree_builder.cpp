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

namespace
{
constexpr tagset default_scope{GUMBO_TAG_APPLET, GUMBO_TAG_CAPTION, GUMBO_TAG_HTML,   GUMBO_TAG_TABLE,
                               GUMBO_TAG_TD,     GUMBO_TAG_TH,      GUMBO_TAG_MARQUEE, GUMBO_TAG_OBJECT,
                               GUMBO_TAG_TEMPLATE};
constexpr tagset list_scope{GUMBO_TAG_APPLET, GUMBO_TAG_CAPTION,  GUMBO_TAG_HTML, GUMBO_TAG_TABLE,
                            GUMBO_TAG_TD,     GUMBO_TAG_TH,       GUMBO_TAG_MARQUEE, GUMBO_TAG_OBJECT,
                            GUMBO_TAG_TEMPLATE, GUMBO_TAG_OL,     GUMBO_TAG_UL};
constexpr tagset button_scope{GUMBO_TAG_APPLET,  GUMBO_TAG_CAPTION,  GUMBO_TAG_HTML,   GUMBO_TAG_TABLE,
                              GUMBO_TAG_TD,      GUMBO_TAG_TH,       GUMBO_TAG_MARQUEE, GUMBO_TAG_OBJECT,
                              GUMBO_TAG_TEMPLATE, GUMBO_TAG_BUTTON};
constexpr tagset table_scope{GUMBO_TAG_HTML, GUMBO_TAG_TABLE, GUMBO_TAG_TEMPLATE};
constexpr tagset select_scope{GUMBO_TAG_OPTGROUP, GUMBO_TAG_OPTION};
constexpr tagset html_only{GUMBO_TAG_HTML};

// The MathML and SVG elements of the default scope's boundary.
bool foreign_boundary(GumboNode const* n) noexcept
{
    return is_mathml_integration_point(n) || is_ns(n, GUMBO_NAMESPACE_MATHML, GUMBO_TAG_ANNOTATION_XML) ||
           is_ns(n, GUMBO_NAMESPACE_SVG, GUMBO_TAG_FOREIGNOBJECT) || is_ns(n, GUMBO_NAMESPACE_SVG, GUMBO_TAG_DESC) ||
           is_ns(n, GUMBO_NAMESPACE_SVG, GUMBO_TAG_TITLE);
}
} // namespace

bool builder::in_specific_scope(std::initializer_list<GumboTag> targets, bool negate, tagset const& html_set,
                                bool foreign_boundaries) const
{
    for (int i = static_cast<int>(open_.size()); i-- > 0;)
    {
        GumboNode const* n = open_[i];
        if (!is_element(n))
            continue;
        bool const html = n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML;
        for (GumboTag t : targets)
            if (html && n->v.element.tag == t)
                return true;
        bool const found = (html && html_set.has(n->v.element.tag)) || (foreign_boundaries && foreign_boundary(n));
        if (negate != found)
            return false;
    }
    return false;
}

bool builder::has_open_element(GumboTag tag) const { return in_specific_scope({tag}, false, html_only, false); }
bool builder::in_scope(GumboTag tag) const { return in_specific_scope({tag}, false, default_scope, true); }
bool builder::in_list_scope(GumboTag tag) const { return in_specific_scope({tag}, false, list_scope, true); }
bool builder::in_button_scope(GumboTag tag) const { return in_specific_scope({tag}, false, button_scope, true); }
bool builder::in_table_scope(GumboTag tag) const { return in_specific_scope({tag}, false, table_scope, false); }
bool builder::in_select_scope(GumboTag tag) const { return in_specific_scope({tag}, true, select_scope, false); }

bool builder::node_in_scope(GumboNode const* node) const
{
    for (int i = static_cast<int>(open_.size()); i-- > 0;)
    {
        GumboNode const* n = open_[i];
        if (n == node)
            return true;
        if (is_in(n, default_scope) || foreign_boundary(n))
            return false;
    }
    return false;
}

void builder::generate_implied_end_tags(GumboTag exception)
{
    static constexpr tagset implied{GUMBO_TAG_DD,       GUMBO_TAG_DT, GUMBO_TAG_LI, GUMBO_TAG_OPTION,
                                    GUMBO_TAG_OPTGROUP, GUMBO_TAG_P,  GUMBO_TAG_RP, GUMBO_TAG_RB,
                                    GUMBO_TAG_RT,       GUMBO_TAG_RTC};
    while (!open_.empty() && is_in(current_node(), implied) && !is_html(current_node(), exception))
        pop();
}

void builder::generate_all_implied_end_tags_thoroughly()
{
    static constexpr tagset implied{GUMBO_TAG_CAPTION, GUMBO_TAG_COLGROUP, GUMBO_TAG_DD,    GUMBO_TAG_DT,
                                    GUMBO_TAG_LI,      GUMBO_TAG_OPTION,   GUMBO_TAG_OPTGROUP, GUMBO_TAG_P,
                                    GUMBO_TAG_RP,      GUMBO_TAG_RT,       GUMBO_TAG_RTC,   GUMBO_TAG_TBODY,
                                    GUMBO_TAG_TD,      GUMBO_TAG_TFOOT,    GUMBO_TAG_TH,    GUMBO_TAG_HEAD,
                                    GUMBO_TAG_TR};
    while (!open_.empty() && is_in(current_node(), implied))
        pop();
}

bool builder::close_table()
{
    if (!in_table_scope(GUMBO_TAG_TABLE))
        return false;
    while (GumboNode* n = pop())
        if (is_html(n, GUMBO_TAG_TABLE))
            break;
    reset_insertion_mode();
    return true;
}

bool builder::close_table_cell(GumboTag cell)
{
    generate_implied_end_tags(GUMBO_TAG_LAST);
    bool const ok = is_html(current_node(), cell);
    while (GumboNode* n = pop())
        if (is_html(n, cell))
            break;
    clear_formatting_elements();
    mode_ = mode::in_row;
    return ok;
}

bool builder::close_current_cell()
{
    return close_table_cell(in_table_scope(GUMBO_TAG_TD) ? GUMBO_TAG_TD : GUMBO_TAG_TH);
}

void builder::close_current_select()
{
    while (GumboNode* n = pop())
        if (is_html(n, GUMBO_TAG_SELECT))
            break;
    reset_insertion_mode();
}

bool builder::implicitly_close_tags(GumboNamespaceEnum ns, GumboTag target)
{
    generate_implied_end_tags(target);
    bool ok = true;
    if (!is_ns(current_node(), ns, target))
    {
        ok = false;
        while (!open_.empty() && !is_ns(current_node(), ns, target))
            pop();
    }
    pop();
    return ok;
}

bool builder::maybe_close_p()
{
    if (in_button_scope(GUMBO_TAG_P))
        return implicitly_close_tags(GUMBO_NAMESPACE_HTML, GUMBO_TAG_P);
    return true;
}

void builder::maybe_close_list_item(bool is_li)
{
    static constexpr tagset dd_dt{GUMBO_TAG_DD, GUMBO_TAG_DT};
    static constexpr tagset passes{GUMBO_TAG_ADDRESS, GUMBO_TAG_DIV, GUMBO_TAG_P};
    frameset_ok_ = false;
    for (int i = static_cast<int>(open_.size()); i-- > 0;)
    {
        GumboNode const* n = open_[i];
        if (is_li ? is_html(n, GUMBO_TAG_LI) : is_in(n, dd_dt))
        {
            implicitly_close_tags(n->v.element.tag_namespace, n->v.element.tag);
            return;
        }
        if (is_special(n) && !is_in(n, passes))
            return;
    }
}

void builder::clear_stack_to(tagset const& context)
{
    while (!open_.empty() && !is_in(current_node(), context))
        pop();
}

// ---- active formatting elements ----

int builder::index_in_formatting(GumboNode const* n) const noexcept
{
    for (int i = static_cast<int>(formatting_.size()); i-- > 0;)
        if (formatting_[i] == n)
            return i;
    return -1;
}

namespace
{
bool same_attributes(GumboVector const& a, GumboVector const& b)
{
    if (a.length != b.length)
        return false;
    for (unsigned i = 0; i < a.length; ++i)
    {
        auto const* x = static_cast<GumboAttribute const*>(a.data[i]);
        auto const* y = find_attr(b, x->name);
        if (!y || std::strcmp(x->value, y->value) != 0)
            return false;
    }
    return true;
}
} // namespace

// The Noah's Ark clause: at most three identical elements after the last marker.
void builder::add_formatting_element(GumboNode* node)
{
    if (node)
    {
        int count = 0;
        int earliest = -1;
        for (int i = static_cast<int>(formatting_.size()); i-- > 0;)
        {
            GumboNode const* f = formatting_[i];
            if (!f)
                break;
            if (is_ns(f, node->v.element.tag_namespace, node->v.element.tag) &&
                same_attributes(f->v.element.attributes, node->v.element.attributes))
            {
                ++count;
                earliest = i;
            }
        }
        if (count >= 3)
            formatting_.erase(formatting_.begin() + earliest);
    }
    formatting_.push_back(node);
}

void builder::reconstruct_formatting_elements()
{
    if (formatting_.empty())
        return;
    int i = static_cast<int>(formatting_.size()) - 1;
    if (!formatting_[i] || index_in_open(formatting_[i]) >= 0)
        return;
    while (i > 0)
    {
        GumboNode const* f = formatting_[i - 1];
        if (!f || index_in_open(f) >= 0)
            break;
        --i;
    }
    for (; i < static_cast<int>(formatting_.size()); ++i)
    {
        GumboNode* clone = clone_node(formatting_[i]);
        insert_node(clone, insertion_location(nullptr));
        open_.push_back(clone);
        formatting_[i] = clone;
    }
}

void builder::clear_formatting_elements()
{
    while (!formatting_.empty())
    {
        GumboNode const* n = formatting_.back();
        formatting_.pop_back();
        if (!n)
            break;
    }
}

// HTML §13.2.6.4.7, as gumbo 0.10 runs it.
bool builder::adoption_agency(token& t, GumboTag subject)
{
    (void)t;
    GumboNode* current = current_node();
    if (is_html(current, subject) && index_in_formatting(current) == -1)
    {
        pop();
        return false;
    }
    for (int outer = 0; outer < 8; ++outer)
    {
        GumboNode* formatting = nullptr;
        int formatting_in_open = -1;
        for (int j = static_cast<int>(formatting_.size()); j-- > 0;)
        {
            GumboNode* f = formatting_[j];
            if (!f)
                return false;
            if (is_html(f, subject))
            {
                formatting = f;
                formatting_in_open = index_in_open(f);
                break;
            }
        }
        if (!formatting)
            return false;
        if (formatting_in_open == -1)
        {
            formatting_.erase(formatting_.begin() + index_in_formatting(formatting));
            return false;
        }
        if (!in_scope(formatting->v.element.tag))
            return false;
        GumboNode* furthest = nullptr;
        for (std::size_t j = static_cast<std::size_t>(formatting_in_open); j < open_.size(); ++j)
            if (is_special(open_[j]))
            {
                furthest = open_[j];
                break;
            }
        if (!furthest)
        {
            while (current_node() != formatting)
                pop();
            pop();
            formatting_.erase(formatting_.begin() + index_in_formatting(formatting));
            return false;
        }
        GumboNode* common_ancestor = open_[static_cast<std::size_t>(index_in_open(formatting) - 1)];
        int bookmark = index_in_formatting(formatting) + 1;
        GumboNode* node = furthest;
        GumboNode* last = furthest;
        int saved = index_in_open(node);
        for (int j = 1;; ++j)
        {
            int node_index = index_in_open(node);
            if (node_index == -1)
                node_index = saved;
            saved = --node_index;
            node = open_[static_cast<std::size_t>(node_index)];
            if (node == formatting)
                break;
            int const f_index = index_in_formatting(node);
            if (j > 3 && f_index != -1)
            {
                formatting_.erase(formatting_.begin() + f_index);
                if (f_index < bookmark)
                    --bookmark;
                continue;
            }
            if (f_index == -1)
            {
                open_.erase(open_.begin() + node_index);
                continue;
            }
            node = clone_node(node);
            formatting_[static_cast<std::size_t>(f_index)] = node;
            open_[static_cast<std::size_t>(node_index)] = node;
            if (last == furthest)
                bookmark = f_index + 1;
            remove_from_parent(last);
            append_node(node, last);
            last = node;
        }
        remove_from_parent(last);
        insert_node(last, insertion_location(common_ancestor));
        GumboNode* replacement = clone_node(formatting);
        // The furthest block's children move to the new formatting element.
        std::swap(replacement->v.element.children, furthest->v.element.children);
        GumboVector& moved = replacement->v.element.children;
        for (unsigned k = 0; k < moved.length; ++k)
            static_cast<GumboNode*>(moved.data[k])->parent = replacement;
        append_node(furthest, replacement);
        int const old_index = index_in_formatting(formatting);
        if (old_index < bookmark)
            --bookmark;
        formatting_.erase(formatting_.begin() + old_index);
        formatting_.insert(formatting_.begin() + bookmark, replacement);
        remove_from_open(formatting);
        open_.insert(open_.begin() + index_in_open(furthest) + 1, replacement);
    }
    return true;
}

// ---- modes ----

mode builder::current_template_mode() const noexcept
{
    return template_modes_.empty() ? mode::none : template_modes_.back();
}

mode builder::appropriate_mode(int index) const
{
    GumboNode const* n = open_[static_cast<std::size_t>(index)];
    bool const last = index == 0;
    // gumbo 0.10.1 (Debian's) lacks this test (added after the release): <math><tbody> made
    // "in table body" the mode
    if (n->v.element.tag_namespace != GUMBO_NAMESPACE_HTML && !gumbo_quirks)
        return last ? mode::in_body : mode::none;
    switch (n->v.element.tag)
    {
    case GUMBO_TAG_SELECT:
        if (last)
            return mode::in_select;
        for (int i = index; i > 0; --i)
        {
            if (is_html(open_[static_cast<std::size_t>(i)], GUMBO_TAG_TEMPLATE))
                return mode::in_select;
            if (is_html(open_[static_cast<std::size_t>(i)], GUMBO_TAG_TABLE))
                return mode::in_select_in_table;
        }
        return mode::in_select;
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
        if (!last)
            return mode::in_cell;
        break;
    case GUMBO_TAG_TR: return mode::in_row;
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TFOOT: return mode::in_table_body;
    case GUMBO_TAG_CAPTION: return mode::in_caption;
    case GUMBO_TAG_COLGROUP: return mode::in_column_group;
    case GUMBO_TAG_TABLE: return mode::in_table;
    case GUMBO_TAG_TEMPLATE: return current_template_mode();
    case GUMBO_TAG_HEAD:
        if (!last)
            return mode::in_head;
        break;
    case GUMBO_TAG_BODY: return mode::in_body;
    case GUMBO_TAG_FRAMESET: return mode::in_frameset;
    case GUMBO_TAG_HTML: return head_ ? mode::after_head : mode::before_head;
    default: break;
    }
    return last ? mode::in_body : mode::none;
}

void builder::reset_insertion_mode()
{
    for (int i = static_cast<int>(open_.size()); i-- > 0;)
    {
        mode const m = appropriate_mode(i);
        if (m != mode::none)
        {
            mode_ = m;
            return;
        }
    }
    mode_ = mode::in_body;
}

void builder::run_generic_parsing(token& t, lex state)
{
    insert_element_from_token(t);
    lx.state = state;
    original_mode_ = mode_;
    mode_ = mode::text;
}

void builder::merge_attributes(token& t, GumboNode* node)
{
    GumboVector& mine = node->v.element.attributes;
    for (unsigned i = 0; i < t.attributes.length; ++i)
    {
        auto* a = static_cast<GumboAttribute*>(t.attributes.data[i]);
        if (!find_attr(mine, a->name))
            vector_add(mine, a);
    }
    t.attributes = GumboVector{};
}

void builder::finish()
{
    flush_text();
    open_.clear();
}

bool builder::current_node_foreign() const noexcept
{
    GumboNode const* n = current_node();
    return n && n->v.element.tag_namespace != GUMBO_NAMESPACE_HTML;
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
