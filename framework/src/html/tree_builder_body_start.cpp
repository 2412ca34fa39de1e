// weft's tree builder: the start tags of the "in body" insertion mode (HTML §13.2.6.4.7), as
// gumbo 0.10 runs them (see tree_builder.hpp); the end tags are in tree_builder_body_end.cpp.
#include "tree_builder_impl.hpp"

#include <weft/text/ascii.hpp>

namespace weft::html::detail::tb
{

bool builder::in_body_start(token& t)
{
    static constexpr tagset head_tags{GUMBO_TAG_BASE,     GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND, GUMBO_TAG_MENUITEM,
                                      GUMBO_TAG_LINK,     GUMBO_TAG_META,     GUMBO_TAG_NOFRAMES, GUMBO_TAG_SCRIPT,
                                      GUMBO_TAG_STYLE,    GUMBO_TAG_TEMPLATE, GUMBO_TAG_TITLE};
    if (is_start(t, GUMBO_TAG_HTML))
    {
        if (!has_open_element(GUMBO_TAG_TEMPLATE) && output_->root)
            merge_attributes(t, output_->root);
        return false;
    }
    if (start_in(t, head_tags))
        return in_head(t);
    if (is_start(t, GUMBO_TAG_BODY))
    {
        if (open_.size() < 2 || !is_html(open_[1], GUMBO_TAG_BODY) || has_open_element(GUMBO_TAG_TEMPLATE))
            return false;
        frameset_ok_ = false;
        merge_attributes(t, open_[1]);
        return false;
    }
    if (is_start(t, GUMBO_TAG_FRAMESET))
    {
        if (open_.size() < 2 || !is_html(open_[1], GUMBO_TAG_BODY) || !frameset_ok_)
            return false;
        GumboNode* body = open_[1];
        while (open_.size() > 2)
            pop();
        pop(); // body
        clear_formatting_elements();
        remove_from_parent(body);
        insert_element_from_token(t);
        mode_ = mode::in_frameset;
        return true;
    }
    return in_body_start_blocks(t);
}

// Block-level start tags, which close an open <p> first, and the list items, forms and buttons.
bool builder::in_body_start_blocks(token& t)
{
    static constexpr tagset blocks{GUMBO_TAG_ADDRESS, GUMBO_TAG_ARTICLE,    GUMBO_TAG_ASIDE,  GUMBO_TAG_BLOCKQUOTE,
                                   GUMBO_TAG_CENTER,  GUMBO_TAG_DETAILS,    GUMBO_TAG_DIR,    GUMBO_TAG_DIV,
                                   GUMBO_TAG_DL,      GUMBO_TAG_FIELDSET,   GUMBO_TAG_FIGCAPTION, GUMBO_TAG_FIGURE,
                                   GUMBO_TAG_FOOTER,  GUMBO_TAG_HEADER,     GUMBO_TAG_HGROUP, GUMBO_TAG_MENU,
                                   GUMBO_TAG_MAIN,    GUMBO_TAG_NAV,        GUMBO_TAG_OL,     GUMBO_TAG_P,
                                   GUMBO_TAG_SECTION, GUMBO_TAG_SUMMARY,    GUMBO_TAG_UL};
    if (start_in(t, blocks))
    {
        bool const ok = maybe_close_p();
        insert_element_from_token(t);
        return ok;
    }
    if (start_in(t, headings))
    {
        bool ok = maybe_close_p();
        if (is_in(current_node(), headings))
        {
            pop();
            ok = false;
        }
        insert_element_from_token(t);
        return ok;
    }
    if (is_start(t, GUMBO_TAG_PRE) || is_start(t, GUMBO_TAG_LISTING))
    {
        bool const ok = maybe_close_p();
        insert_element_from_token(t);
        ignore_next_linefeed_ = true;
        frameset_ok_ = false;
        return ok;
    }
    if (is_start(t, GUMBO_TAG_FORM))
    {
        if (form_ && !has_open_element(GUMBO_TAG_TEMPLATE))
            return false;
        bool const ok = maybe_close_p();
        GumboNode* form = insert_element_from_token(t);
        if (!has_open_element(GUMBO_TAG_TEMPLATE))
            form_ = form;
        return ok;
    }
    if (is_start(t, GUMBO_TAG_LI) || is_start(t, GUMBO_TAG_DD) || is_start(t, GUMBO_TAG_DT))
    {
        maybe_close_list_item(t.tag == GUMBO_TAG_LI);
        bool const ok = maybe_close_p();
        insert_element_from_token(t);
        return ok;
    }
    if (is_start(t, GUMBO_TAG_PLAINTEXT))
    {
        bool const ok = maybe_close_p();
        insert_element_from_token(t);
        lx.state = lex::plaintext;
        return ok;
    }
    if (is_start(t, GUMBO_TAG_BUTTON))
    {
        if (in_scope(GUMBO_TAG_BUTTON))
        {
            implicitly_close_tags(GUMBO_NAMESPACE_HTML, GUMBO_TAG_BUTTON);
            reprocess_ = true;
            return false;
        }
        reconstruct_formatting_elements();
        insert_element_from_token(t);
        frameset_ok_ = false;
        return true;
    }
    return in_body_start_formatting(t);
}

bool builder::in_body_start_formatting(token& t)
{
    static constexpr tagset formatting{GUMBO_TAG_B, GUMBO_TAG_BIG,   GUMBO_TAG_CODE,   GUMBO_TAG_EM,
                                       GUMBO_TAG_FONT, GUMBO_TAG_I,  GUMBO_TAG_S,      GUMBO_TAG_SMALL,
                                       GUMBO_TAG_STRIKE, GUMBO_TAG_STRONG, GUMBO_TAG_TT, GUMBO_TAG_U};
    static constexpr tagset markers{GUMBO_TAG_APPLET, GUMBO_TAG_MARQUEE, GUMBO_TAG_OBJECT};
    if (is_start(t, GUMBO_TAG_A))
    {
        bool ok = true;
        auto last_a = [&]() -> int
        {
            for (int i = static_cast<int>(formatting_.size()); i-- > 0;)
            {
                if (!formatting_[i])
                    return -1;
                if (is_html(formatting_[i], GUMBO_TAG_A))
                    return i;
            }
            return -1;
        };
        if (last_a() != -1)
        {
            adoption_agency(t, GUMBO_TAG_A);
            int const i = last_a();
            if (i != -1)
            {
                GumboNode* a = formatting_[static_cast<std::size_t>(i)];
                formatting_.erase(formatting_.begin() + i);
                remove_from_open(a);
            }
            ok = false;
        }
        reconstruct_formatting_elements();
        add_formatting_element(insert_element_from_token(t));
        return ok;
    }
    if (start_in(t, formatting))
    {
        reconstruct_formatting_elements();
        add_formatting_element(insert_element_from_token(t));
        return true;
    }
    if (is_start(t, GUMBO_TAG_NOBR))
    {
        bool ok = true;
        reconstruct_formatting_elements();
        if (in_scope(GUMBO_TAG_NOBR))
        {
            ok = false;
            adoption_agency(t, GUMBO_TAG_NOBR);
            reconstruct_formatting_elements();
        }
        insert_element_from_token(t);
        add_formatting_element(current_node());
        return ok;
    }
    if (start_in(t, markers))
    {
        reconstruct_formatting_elements();
        insert_element_from_token(t);
        add_formatting_element(nullptr);
        frameset_ok_ = false;
        return true;
    }
    if (is_start(t, GUMBO_TAG_TABLE))
    {
        if (!quirks_)
            maybe_close_p();
        insert_element_from_token(t);
        frameset_ok_ = false;
        mode_ = mode::in_table;
        return true;
    }
    return in_body_start_rest(t);
}

bool builder::in_body_start_rest(token& t)
{
    static constexpr tagset void_inline{GUMBO_TAG_AREA, GUMBO_TAG_BR,     GUMBO_TAG_EMBED, GUMBO_TAG_IMG,
                                        GUMBO_TAG_IMAGE, GUMBO_TAG_KEYGEN, GUMBO_TAG_WBR};
    static constexpr tagset params{GUMBO_TAG_PARAM, GUMBO_TAG_SOURCE, GUMBO_TAG_TRACK};
    if (start_in(t, void_inline))
    {
        if (t.tag == GUMBO_TAG_IMAGE)
            t.tag = GUMBO_TAG_IMG;
        reconstruct_formatting_elements();
        insert_element_from_token(t);
        pop();
        frameset_ok_ = false;
        return true;
    }
    if (is_start(t, GUMBO_TAG_INPUT))
    {
        auto const* type = find_attr(t.attributes, "type");
        if (!type || !text::iequals(type->value, "hidden"))
            frameset_ok_ = false;
        reconstruct_formatting_elements();
        insert_element_from_token(t);
        pop();
        return true;
    }
    if (start_in(t, params))
    {
        insert_element_from_token(t);
        pop();
        return true;
    }
    if (is_start(t, GUMBO_TAG_HR))
    {
        bool const ok = maybe_close_p();
        insert_element_from_token(t);
        pop();
        frameset_ok_ = false;
        return ok;
    }
    return in_body_start_text_select_foreign(t);
}

// Start tags that switch the tokenizer (textarea, xmp, iframe, noembed), select and its options,
// ruby, MathML and SVG, and the rest.
bool builder::in_body_start_text_select_foreign(token& t)
{
    static constexpr tagset ruby{GUMBO_TAG_RB, GUMBO_TAG_RP, GUMBO_TAG_RT, GUMBO_TAG_RTC};
    static constexpr tagset ignored{GUMBO_TAG_CAPTION, GUMBO_TAG_COL,   GUMBO_TAG_COLGROUP, GUMBO_TAG_FRAME,
                                    GUMBO_TAG_HEAD,    GUMBO_TAG_TBODY, GUMBO_TAG_TD,       GUMBO_TAG_TFOOT,
                                    GUMBO_TAG_TH,      GUMBO_TAG_THEAD, GUMBO_TAG_TR};
    if (is_start(t, GUMBO_TAG_TEXTAREA))
    {
        run_generic_parsing(t, lex::rcdata);
        ignore_next_linefeed_ = true;
        frameset_ok_ = false;
        return true;
    }
    if (is_start(t, GUMBO_TAG_XMP))
    {
        bool const ok = maybe_close_p();
        reconstruct_formatting_elements();
        frameset_ok_ = false;
        run_generic_parsing(t, lex::rawtext);
        return ok;
    }
    if (is_start(t, GUMBO_TAG_IFRAME))
    {
        frameset_ok_ = false;
        run_generic_parsing(t, lex::rawtext);
        return true;
    }
    if (is_start(t, GUMBO_TAG_NOEMBED))
    {
        run_generic_parsing(t, lex::rawtext);
        return true;
    }
    if (is_start(t, GUMBO_TAG_SELECT))
    {
        reconstruct_formatting_elements();
        insert_element_from_token(t);
        frameset_ok_ = false;
        bool const in_table_modes = mode_ == mode::in_table || mode_ == mode::in_caption ||
                                    mode_ == mode::in_table_body || mode_ == mode::in_row || mode_ == mode::in_cell;
        mode_ = in_table_modes ? mode::in_select_in_table : mode::in_select;
        return true;
    }
    if (is_start(t, GUMBO_TAG_OPTION) || is_start(t, GUMBO_TAG_OPTGROUP))
    {
        if (is_html(current_node(), GUMBO_TAG_OPTION))
            pop();
        reconstruct_formatting_elements();
        insert_element_from_token(t);
        return true;
    }
    if (start_in(t, ruby))
    {
        GumboTag const exception = t.tag == GUMBO_TAG_RT || t.tag == GUMBO_TAG_RP ? GUMBO_TAG_RTC : GUMBO_TAG_LAST;
        if (in_scope(GUMBO_TAG_RUBY))
            generate_implied_end_tags(exception);
        insert_element_from_token(t);
        return true;
    }
    if (is_start(t, GUMBO_TAG_MATH) || is_start(t, GUMBO_TAG_SVG))
    {
        reconstruct_formatting_elements();
        bool const math = t.tag == GUMBO_TAG_MATH;
        adjust_attributes(*this, t, math ? GUMBO_NAMESPACE_MATHML : GUMBO_NAMESPACE_SVG);
        insert_foreign_element(t, math ? GUMBO_NAMESPACE_MATHML : GUMBO_NAMESPACE_SVG);
        if (t.self_closing)
            pop();
        return true;
    }
    if (start_in(t, ignored))
        return false;
    reconstruct_formatting_elements();
    insert_element_from_token(t);
    return true;
}

} // namespace weft::html::detail::tb
