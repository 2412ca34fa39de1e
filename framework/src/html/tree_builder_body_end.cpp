// weft's tree builder: the end tags of the "in body" insertion mode (HTML §13.2.6.4.7), as gumbo
// 0.10 runs them (see tree_builder.hpp); the start tags are in tree_builder_body_start.cpp.
#include "tree_builder_impl.hpp"

namespace weft::html::detail::tb
{

// </form>: with a <template> open, the form element pointer is not used (HTML §13.2.6.4.7).
bool builder::in_body_end_form()
{
    if (has_open_element(GUMBO_TAG_TEMPLATE))
    {
        if (!in_scope(GUMBO_TAG_FORM))
            return false;
        generate_implied_end_tags(GUMBO_TAG_LAST);
        if (!is_html(current_node(), GUMBO_TAG_FORM))
            return false;
        while (GumboNode* n = pop())
            if (is_html(n, GUMBO_TAG_FORM))
                break;
        return true;
    }
    GumboNode* node = form_;
    form_ = nullptr;
    if (!node || !node_in_scope(node))
        return false;
    generate_implied_end_tags(GUMBO_TAG_LAST);
    bool const ok = current_node() == node;
    remove_from_open(node);
    return ok;
}

// </h1> to </h6>: any open heading closes, whichever its level.
bool builder::in_body_end_heading(token& t)
{
    if (!in_specific_scope({GUMBO_TAG_H1, GUMBO_TAG_H2, GUMBO_TAG_H3, GUMBO_TAG_H4, GUMBO_TAG_H5, GUMBO_TAG_H6},
                           false,
                           tagset{GUMBO_TAG_APPLET, GUMBO_TAG_CAPTION, GUMBO_TAG_HTML, GUMBO_TAG_TABLE,
                                  GUMBO_TAG_TD, GUMBO_TAG_TH, GUMBO_TAG_MARQUEE, GUMBO_TAG_OBJECT,
                                  GUMBO_TAG_TEMPLATE},
                           true))
        return false;
    generate_implied_end_tags(GUMBO_TAG_LAST);
    bool const ok = is_html(current_node(), t.tag);
    while (GumboNode* n = pop())
        if (is_in(n, headings))
            break;
    return ok;
}

bool builder::in_body_end(token& t)
{
    static constexpr tagset blocks{
        GUMBO_TAG_ADDRESS, GUMBO_TAG_ARTICLE, GUMBO_TAG_ASIDE,   GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_BUTTON,
        GUMBO_TAG_CENTER,  GUMBO_TAG_DETAILS, GUMBO_TAG_DIR,     GUMBO_TAG_DIV,        GUMBO_TAG_DL,
        GUMBO_TAG_FIELDSET, GUMBO_TAG_FIGCAPTION, GUMBO_TAG_FIGURE, GUMBO_TAG_FOOTER,  GUMBO_TAG_HEADER,
        GUMBO_TAG_HGROUP,  GUMBO_TAG_LISTING, GUMBO_TAG_MAIN,    GUMBO_TAG_MENU,       GUMBO_TAG_NAV,
        GUMBO_TAG_OL,      GUMBO_TAG_PRE,     GUMBO_TAG_SECTION, GUMBO_TAG_SUMMARY,    GUMBO_TAG_UL};
    static constexpr tagset formatting{GUMBO_TAG_A,     GUMBO_TAG_B,      GUMBO_TAG_BIG,    GUMBO_TAG_CODE,
                                       GUMBO_TAG_EM,    GUMBO_TAG_FONT,   GUMBO_TAG_I,      GUMBO_TAG_NOBR,
                                       GUMBO_TAG_S,     GUMBO_TAG_SMALL,  GUMBO_TAG_STRIKE, GUMBO_TAG_STRONG,
                                       GUMBO_TAG_TT,    GUMBO_TAG_U};
    static constexpr tagset markers{GUMBO_TAG_APPLET, GUMBO_TAG_MARQUEE, GUMBO_TAG_OBJECT};
    if (is_end(t, GUMBO_TAG_TEMPLATE))
        return in_head(t);
    if (is_end(t, GUMBO_TAG_BODY) || is_end(t, GUMBO_TAG_HTML))
    {
        if (!in_scope(GUMBO_TAG_BODY))
            return false;
        mode_ = mode::after_body;
        if (t.tag == GUMBO_TAG_HTML)
            reprocess_ = true;
        return true;
    }
    if (end_in(t, blocks))
    {
        if (!in_scope(t.tag))
            return false;
        implicitly_close_tags(GUMBO_NAMESPACE_HTML, t.tag);
        return true;
    }
    if (is_end(t, GUMBO_TAG_FORM))
        return in_body_end_form();
    if (is_end(t, GUMBO_TAG_P))
    {
        if (!in_button_scope(GUMBO_TAG_P))
        {
            insert_element_of_tag(GUMBO_TAG_P);
            reprocess_ = true;
            return false;
        }
        return implicitly_close_tags(GUMBO_NAMESPACE_HTML, GUMBO_TAG_P);
    }
    if (is_end(t, GUMBO_TAG_LI))
    {
        if (!in_list_scope(GUMBO_TAG_LI))
            return false;
        return implicitly_close_tags(GUMBO_NAMESPACE_HTML, GUMBO_TAG_LI);
    }
    if (is_end(t, GUMBO_TAG_DD) || is_end(t, GUMBO_TAG_DT))
    {
        if (!in_scope(t.tag))
            return false;
        return implicitly_close_tags(GUMBO_NAMESPACE_HTML, t.tag);
    }
    if (end_in(t, headings))
        return in_body_end_heading(t);
    if (end_in(t, formatting))
        return adoption_agency(t, t.tag);
    if (end_in(t, markers))
    {
        if (!in_table_scope(t.tag))
            return false;
        implicitly_close_tags(GUMBO_NAMESPACE_HTML, t.tag);
        clear_formatting_elements();
        return true;
    }
    if (is_end(t, GUMBO_TAG_BR))
    {
        reconstruct_formatting_elements();
        insert_element_of_tag(GUMBO_TAG_BR);
        pop();
        return false;
    }
    end_tag_any_other(t);
    return true;
}

// "Any other end tag": the nearest open element of that name, unless a special element is
// nearer. Unknown elements are matched by name (gumbo matches any unknown element).
void builder::end_tag_any_other(token& t)
{
    std::string scratch;
    for (int i = static_cast<int>(open_.size()); i-- > 0;)
    {
        GumboNode* n = open_[static_cast<std::size_t>(i)];
        bool match = is_html(n, t.tag);
        if (match && t.tag == GUMBO_TAG_UNKNOWN && !gumbo_quirks)
            match = element_name(n, scratch) == t.name;
        if (match)
        {
            generate_implied_end_tags(t.tag == GUMBO_TAG_UNKNOWN ? GUMBO_TAG_LAST : t.tag);
            while (GumboNode* p = pop())
                if (p == n)
                    break;
            return;
        }
        if (is_special(n))
            return;
    }
}

} // namespace weft::html::detail::tb
