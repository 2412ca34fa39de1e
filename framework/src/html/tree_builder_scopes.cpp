// weft's tree builder: scopes, implied end tags, the active formatting elements, the adoption
// agency algorithm and resetting the insertion mode (see tree_builder.hpp).
#include "tree_builder_impl.hpp"

#include <cstring>

namespace weft::html::detail::tb
{
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

// The inner loop of the adoption agency algorithm (HTML §13.2.6.4.7, step 4.13): walks up from
// the furthest block to the formatting element, dropping what is no longer a formatting element
// and cloning what is, each clone taking the previous one as its child. Returns the last node
// moved; the bookmark follows the list of active formatting elements as it changes.
GumboNode* builder::adoption_inner_loop(GumboNode* formatting, GumboNode* furthest, int& bookmark)
{
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
    return last;
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
        GumboNode* last = adoption_inner_loop(formatting, furthest, bookmark);
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

} // namespace weft::html::detail::tb
