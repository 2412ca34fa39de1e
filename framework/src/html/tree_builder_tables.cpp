// weft's tree builder: the table, select and template modes (HTML §13.2.6.4.9-18), as gumbo
// 0.10 runs them.
#include "tree_builder_impl.hpp"

#include <weft/text/ascii.hpp>

namespace weft::html::detail::tb
{
namespace
{
constexpr tagset table_context{GUMBO_TAG_HTML, GUMBO_TAG_TABLE, GUMBO_TAG_TEMPLATE};
constexpr tagset table_body_context{GUMBO_TAG_HTML, GUMBO_TAG_TBODY, GUMBO_TAG_TFOOT, GUMBO_TAG_THEAD,
                                    GUMBO_TAG_TEMPLATE};
constexpr tagset table_row_context{GUMBO_TAG_HTML, GUMBO_TAG_TR, GUMBO_TAG_TEMPLATE};
constexpr tagset table_sections{GUMBO_TAG_TBODY, GUMBO_TAG_TFOOT, GUMBO_TAG_THEAD};

} // namespace

bool builder::in_table(token& t)
{
    static constexpr tagset rows{GUMBO_TAG_TBODY, GUMBO_TAG_TFOOT, GUMBO_TAG_THEAD,
                                 GUMBO_TAG_TD,    GUMBO_TAG_TH,    GUMBO_TAG_TR};
    static constexpr tagset ignored_end{GUMBO_TAG_BODY,  GUMBO_TAG_CAPTION, GUMBO_TAG_COL,   GUMBO_TAG_COLGROUP,
                                        GUMBO_TAG_HTML,  GUMBO_TAG_TBODY,   GUMBO_TAG_TD,    GUMBO_TAG_TFOOT,
                                        GUMBO_TAG_TH,    GUMBO_TAG_THEAD,   GUMBO_TAG_TR};
    static constexpr tagset head_tags{GUMBO_TAG_STYLE, GUMBO_TAG_SCRIPT, GUMBO_TAG_TEMPLATE};
    switch (t.type)
    {
    case token_type::character:
    case token_type::whitespace:
        original_mode_ = mode_;
        reprocess_ = true;
        mode_ = mode::in_table_text;
        return true;
    case token_type::doctype: return false;
    case token_type::comment: append_comment(current_node(), t); return true;
    case token_type::eof: return in_body(t);
    default: break;
    }
    if (is_start(t, GUMBO_TAG_CAPTION))
    {
        clear_stack_to(table_context);
        add_formatting_element(nullptr);
        insert_element_from_token(t);
        mode_ = mode::in_caption;
        return true;
    }
    if (is_start(t, GUMBO_TAG_COLGROUP))
    {
        clear_stack_to(table_context);
        insert_element_from_token(t);
        mode_ = mode::in_column_group;
        return true;
    }
    if (is_start(t, GUMBO_TAG_COL))
    {
        clear_stack_to(table_context);
        insert_element_of_tag(GUMBO_TAG_COLGROUP);
        reprocess_ = true;
        mode_ = mode::in_column_group;
        return true;
    }
    if (start_in(t, rows))
    {
        clear_stack_to(table_context);
        mode_ = mode::in_table_body;
        if (t.tag == GUMBO_TAG_TD || t.tag == GUMBO_TAG_TH || t.tag == GUMBO_TAG_TR)
        {
            insert_element_of_tag(GUMBO_TAG_TBODY);
            reprocess_ = true;
        }
        else
            insert_element_from_token(t);
        return true;
    }
    if (is_start(t, GUMBO_TAG_TABLE))
    {
        if (close_table())
            reprocess_ = true;
        return false;
    }
    if (is_end(t, GUMBO_TAG_TABLE))
        return close_table();
    if (end_in(t, ignored_end))
        return false;
    if (start_in(t, head_tags) || is_end(t, GUMBO_TAG_TEMPLATE))
        return in_head(t);
    if (is_start(t, GUMBO_TAG_INPUT))
    {
        auto const* type = find_attr(t.attributes, "type");
        if (type && text::iequals(type->value, "hidden"))
        {
            insert_element_from_token(t);
            pop();
            return false;
        }
    }
    if (is_start(t, GUMBO_TAG_FORM))
    {
        if (form_ || has_open_element(GUMBO_TAG_TEMPLATE))
            return false;
        form_ = insert_element_from_token(t);
        pop();
        return false;
    }
    foster_ = true;
    in_body(t);
    foster_ = false;
    return false;
}

bool builder::in_table_text(token& t)
{
    if (t.type == token_type::null)
        return false;
    if (t.type == token_type::character || t.type == token_type::whitespace)
    {
        insert_text(t);
        return true;
    }
    for (char c : text_)
        if (!(c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\r'))
        {
            foster_ = true;
            reconstruct_formatting_elements();
            break;
        }
    flush_text();
    foster_ = false;
    reprocess_ = true;
    mode_ = original_mode_;
    return true;
}

bool builder::in_caption(token& t)
{
    static constexpr tagset table_starts{GUMBO_TAG_CAPTION, GUMBO_TAG_COL,   GUMBO_TAG_COLGROUP,
                                         GUMBO_TAG_TBODY,   GUMBO_TAG_TD,    GUMBO_TAG_TFOOT,
                                         GUMBO_TAG_TH,      GUMBO_TAG_THEAD, GUMBO_TAG_TR};
    static constexpr tagset ignored_end{GUMBO_TAG_BODY,  GUMBO_TAG_COL, GUMBO_TAG_COLGROUP, GUMBO_TAG_HTML,
                                        GUMBO_TAG_TBODY, GUMBO_TAG_TD,  GUMBO_TAG_TFOOT,    GUMBO_TAG_TH,
                                        GUMBO_TAG_THEAD, GUMBO_TAG_TR};
    bool const end_caption = is_end(t, GUMBO_TAG_CAPTION);
    if (end_caption || start_in(t, table_starts) || is_end(t, GUMBO_TAG_TABLE))
    {
        if (!in_table_scope(GUMBO_TAG_CAPTION))
            return false;
        if (end_caption)
            generate_implied_end_tags(GUMBO_TAG_LAST);
        while (GumboNode* n = pop())
            if (is_html(n, GUMBO_TAG_CAPTION))
                break;
        clear_formatting_elements();
        mode_ = mode::in_table;
        if (!end_caption)
            reprocess_ = true;
        return true;
    }
    if (end_in(t, ignored_end))
        return false;
    return in_body(t);
}

bool builder::in_column_group(token& t)
{
    switch (t.type)
    {
    case token_type::whitespace: insert_text(t); return true;
    case token_type::doctype: return false;
    case token_type::comment: append_comment(current_node(), t); return true;
    case token_type::eof: return in_body(t);
    default: break;
    }
    if (is_start(t, GUMBO_TAG_HTML))
        return in_body(t);
    if (is_start(t, GUMBO_TAG_COL))
    {
        insert_element_from_token(t);
        pop();
        return true;
    }
    if (is_end(t, GUMBO_TAG_COLGROUP))
    {
        if (!is_html(current_node(), GUMBO_TAG_COLGROUP))
            return false;
        pop();
        mode_ = mode::in_table;
        return false;
    }
    if (is_end(t, GUMBO_TAG_COL))
        return false;
    if (is_start(t, GUMBO_TAG_TEMPLATE) || is_end(t, GUMBO_TAG_TEMPLATE))
        return in_head(t);
    if (!is_html(current_node(), GUMBO_TAG_COLGROUP))
        return false;
    pop();
    mode_ = mode::in_table;
    reprocess_ = true;
    return true;
}

bool builder::in_table_body(token& t)
{
    static constexpr tagset table_starts{GUMBO_TAG_CAPTION, GUMBO_TAG_COL,   GUMBO_TAG_COLGROUP,
                                         GUMBO_TAG_TBODY,   GUMBO_TAG_TFOOT, GUMBO_TAG_THEAD};
    static constexpr tagset ignored_end{GUMBO_TAG_BODY,  GUMBO_TAG_CAPTION, GUMBO_TAG_COL, GUMBO_TAG_TR,
                                        GUMBO_TAG_COLGROUP, GUMBO_TAG_HTML, GUMBO_TAG_TD,  GUMBO_TAG_TH};
    if (is_start(t, GUMBO_TAG_TR))
    {
        clear_stack_to(table_body_context);
        insert_element_from_token(t);
        mode_ = mode::in_row;
        return true;
    }
    if (is_start(t, GUMBO_TAG_TD) || is_start(t, GUMBO_TAG_TH))
    {
        clear_stack_to(table_body_context);
        insert_element_of_tag(GUMBO_TAG_TR);
        reprocess_ = true;
        mode_ = mode::in_row;
        return false;
    }
    if (end_in(t, table_sections))
    {
        if (!in_table_scope(t.tag))
            return false;
        clear_stack_to(table_body_context);
        pop();
        mode_ = mode::in_table;
        return true;
    }
    if (start_in(t, table_starts) || is_end(t, GUMBO_TAG_TABLE))
    {
        if (!(in_table_scope(GUMBO_TAG_TBODY) || in_table_scope(GUMBO_TAG_THEAD) || in_table_scope(GUMBO_TAG_TFOOT)))
            return false;
        clear_stack_to(table_body_context);
        pop();
        mode_ = mode::in_table;
        reprocess_ = true;
        return true;
    }
    if (end_in(t, ignored_end))
        return false;
    return in_table(t);
}

bool builder::in_row(token& t)
{
    static constexpr tagset table_starts{GUMBO_TAG_CAPTION, GUMBO_TAG_COL,   GUMBO_TAG_COLGROUP, GUMBO_TAG_TBODY,
                                         GUMBO_TAG_TFOOT,   GUMBO_TAG_THEAD, GUMBO_TAG_TR};
    static constexpr tagset ignored_end{GUMBO_TAG_BODY, GUMBO_TAG_CAPTION, GUMBO_TAG_COL, GUMBO_TAG_COLGROUP,
                                        GUMBO_TAG_HTML, GUMBO_TAG_TD,      GUMBO_TAG_TH};
    if (is_start(t, GUMBO_TAG_TH) || is_start(t, GUMBO_TAG_TD))
    {
        clear_stack_to(table_row_context);
        insert_element_from_token(t);
        mode_ = mode::in_cell;
        add_formatting_element(nullptr);
        return true;
    }
    bool const end_tr = is_end(t, GUMBO_TAG_TR);
    bool const section_end = end_in(t, table_sections);
    if (end_tr || start_in(t, table_starts) || is_end(t, GUMBO_TAG_TABLE) || section_end)
    {
        if ((section_end && !in_table_scope(t.tag)) || !in_table_scope(GUMBO_TAG_TR))
            return false;
        clear_stack_to(table_row_context);
        pop();
        mode_ = mode::in_table_body;
        if (!end_tr)
            reprocess_ = true;
        return true;
    }
    if (end_in(t, ignored_end))
        return false;
    return in_table(t);
}

bool builder::in_cell(token& t)
{
    static constexpr tagset table_starts{GUMBO_TAG_CAPTION, GUMBO_TAG_COL,   GUMBO_TAG_COLGROUP,
                                         GUMBO_TAG_TBODY,   GUMBO_TAG_TD,    GUMBO_TAG_TFOOT,
                                         GUMBO_TAG_TH,      GUMBO_TAG_THEAD, GUMBO_TAG_TR};
    static constexpr tagset ignored_end{GUMBO_TAG_BODY, GUMBO_TAG_CAPTION, GUMBO_TAG_COL, GUMBO_TAG_COLGROUP,
                                        GUMBO_TAG_HTML};
    static constexpr tagset table_ends{GUMBO_TAG_TABLE, GUMBO_TAG_TBODY, GUMBO_TAG_TFOOT, GUMBO_TAG_THEAD,
                                       GUMBO_TAG_TR};
    if (is_end(t, GUMBO_TAG_TD) || is_end(t, GUMBO_TAG_TH))
    {
        if (!in_table_scope(t.tag))
            return false;
        return close_table_cell(t.tag);
    }
    if (start_in(t, table_starts))
    {
        if (!in_table_scope(GUMBO_TAG_TH) && !in_table_scope(GUMBO_TAG_TD))
            return false;
        reprocess_ = true;
        return close_current_cell();
    }
    if (end_in(t, ignored_end))
        return false;
    if (end_in(t, table_ends))
    {
        if (!in_table_scope(t.tag))
            return false;
        reprocess_ = true;
        return close_current_cell();
    }
    return in_body(t);
}

bool builder::in_select(token& t)
{
    switch (t.type)
    {
    case token_type::null: return false;
    case token_type::character:
    case token_type::whitespace: insert_text(t); return true;
    case token_type::doctype: return false;
    case token_type::comment: append_comment(current_node(), t); return true;
    case token_type::eof: return in_body(t);
    default: break;
    }
    if (is_start(t, GUMBO_TAG_HTML))
        return in_body(t);
    if (is_start(t, GUMBO_TAG_OPTION) || is_start(t, GUMBO_TAG_OPTGROUP))
    {
        if (is_html(current_node(), GUMBO_TAG_OPTION))
            pop();
        if (t.tag == GUMBO_TAG_OPTGROUP && is_html(current_node(), GUMBO_TAG_OPTGROUP))
            pop();
        insert_element_from_token(t);
        return true;
    }
    if (is_end(t, GUMBO_TAG_OPTGROUP))
    {
        if (is_html(current_node(), GUMBO_TAG_OPTION) && open_.size() >= 2 &&
            is_html(open_[open_.size() - 2], GUMBO_TAG_OPTGROUP))
            pop();
        if (!is_html(current_node(), GUMBO_TAG_OPTGROUP))
            return false;
        pop();
        return true;
    }
    if (is_end(t, GUMBO_TAG_OPTION))
    {
        if (!is_html(current_node(), GUMBO_TAG_OPTION))
            return false;
        pop();
        return true;
    }
    if (is_end(t, GUMBO_TAG_SELECT))
    {
        if (!in_select_scope(GUMBO_TAG_SELECT))
            return false;
        close_current_select();
        return true;
    }
    if (is_start(t, GUMBO_TAG_SELECT))
    {
        if (in_select_scope(GUMBO_TAG_SELECT))
            close_current_select();
        return false;
    }
    if (is_start(t, GUMBO_TAG_INPUT) || is_start(t, GUMBO_TAG_KEYGEN) || is_start(t, GUMBO_TAG_TEXTAREA))
    {
        if (in_select_scope(GUMBO_TAG_SELECT))
        {
            close_current_select();
            reprocess_ = true;
        }
        return false;
    }
    if (is_start(t, GUMBO_TAG_SCRIPT) || is_start(t, GUMBO_TAG_TEMPLATE) || is_end(t, GUMBO_TAG_TEMPLATE))
        return in_head(t);
    return false;
}

bool builder::in_select_in_table(token& t)
{
    static constexpr tagset table_tags{GUMBO_TAG_CAPTION, GUMBO_TAG_TABLE, GUMBO_TAG_TBODY, GUMBO_TAG_TFOOT,
                                       GUMBO_TAG_THEAD,   GUMBO_TAG_TR,    GUMBO_TAG_TD,    GUMBO_TAG_TH};
    if (start_in(t, table_tags))
    {
        close_current_select();
        reprocess_ = true;
        return false;
    }
    if (end_in(t, table_tags))
    {
        if (in_table_scope(t.tag))
        {
            close_current_select();
            reprocess_ = true;
        }
        return false;
    }
    return in_select(t);
}

bool builder::in_template(token& t)
{
    static constexpr tagset head_tags{GUMBO_TAG_BASE,     GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND, GUMBO_TAG_LINK,
                                      GUMBO_TAG_META,     GUMBO_TAG_NOFRAMES, GUMBO_TAG_SCRIPT,  GUMBO_TAG_STYLE,
                                      GUMBO_TAG_TEMPLATE, GUMBO_TAG_TITLE};
    static constexpr tagset table_parts{GUMBO_TAG_CAPTION, GUMBO_TAG_COLGROUP, GUMBO_TAG_TBODY, GUMBO_TAG_TFOOT,
                                        GUMBO_TAG_THEAD};
    auto switch_to = [&](mode m)
    {
        if (!template_modes_.empty())
            template_modes_.pop_back();
        template_modes_.push_back(m);
        mode_ = m;
        reprocess_ = true;
        return true;
    };
    switch (t.type)
    {
    case token_type::whitespace:
    case token_type::character:
    case token_type::comment:
    case token_type::null:
    case token_type::doctype: return in_body(t);
    default: break;
    }
    if (start_in(t, head_tags) || is_end(t, GUMBO_TAG_TEMPLATE))
        return in_head(t);
    if (start_in(t, table_parts))
        return switch_to(mode::in_table);
    if (is_start(t, GUMBO_TAG_COL))
        return switch_to(mode::in_column_group);
    if (is_start(t, GUMBO_TAG_TR))
        return switch_to(mode::in_table_body);
    if (is_start(t, GUMBO_TAG_TD) || is_start(t, GUMBO_TAG_TH))
        return switch_to(mode::in_row);
    if (t.type == token_type::start_tag)
        return switch_to(mode::in_body);
    if (t.type == token_type::end_tag)
        return false;
    if (t.type == token_type::eof)
    {
        if (!has_open_element(GUMBO_TAG_TEMPLATE))
            return true;
        while (GumboNode* n = pop())
            if (is_html(n, GUMBO_TAG_TEMPLATE))
                break;
        clear_formatting_elements();
        if (!template_modes_.empty())
            template_modes_.pop_back();
        reset_insertion_mode();
        reprocess_ = true;
        return false;
    }
    return false;
}

} // namespace weft::html::detail::tb
