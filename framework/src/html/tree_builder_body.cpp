// weft's tree builder: the insertion modes up to "in body" and "text" (HTML §13.2.6.4.1-8),
// as gumbo 0.10 runs them (see tree_builder.hpp).
#include "tree_builder_impl.hpp"

#include <weft/text/ascii.hpp>

#include <cstring>

namespace weft::html::detail::tb
{
namespace
{

// Gumbo compares the doctype's public identifier with these lists by case-insensitive
// equality, not prefix (is_in_static_list): weft does the same so both trees agree.
constexpr std::string_view quirks_public_ids[] = {
    "+//Silmaril//dtd html Pro v0r11 19970101//",
    "-//AdvaSoft Ltd//DTD HTML 3.0 asWedit + extensions//",
    "-//AS//DTD HTML 3.0 asWedit + extensions//",
    "-//IETF//DTD HTML 2.0 Level 1//",
    "-//IETF//DTD HTML 2.0 Level 2//",
    "-//IETF//DTD HTML 2.0 Strict Level 1//",
    "-//IETF//DTD HTML 2.0 Strict Level 2//",
    "-//IETF//DTD HTML 2.0 Strict//",
    "-//IETF//DTD HTML 2.0//",
    "-//IETF//DTD HTML 2.1E//",
    "-//IETF//DTD HTML 3.0//",
    "-//IETF//DTD HTML 3.2 Final//",
    "-//IETF//DTD HTML 3.2//",
    "-//IETF//DTD HTML 3//",
    "-//IETF//DTD HTML Level 0//",
    "-//IETF//DTD HTML Level 1//",
    "-//IETF//DTD HTML Level 2//",
    "-//IETF//DTD HTML Level 3//",
    "-//IETF//DTD HTML Strict Level 0//",
    "-//IETF//DTD HTML Strict Level 1//",
    "-//IETF//DTD HTML Strict Level 2//",
    "-//IETF//DTD HTML Strict Level 3//",
    "-//IETF//DTD HTML Strict//",
    "-//IETF//DTD HTML//",
    "-//Metrius//DTD Metrius Presentational//",
    "-//Microsoft//DTD Internet Explorer 2.0 HTML Strict//",
    "-//Microsoft//DTD Internet Explorer 2.0 HTML//",
    "-//Microsoft//DTD Internet Explorer 2.0 Tables//",
    "-//Microsoft//DTD Internet Explorer 3.0 HTML Strict//",
    "-//Microsoft//DTD Internet Explorer 3.0 HTML//",
    "-//Microsoft//DTD Internet Explorer 3.0 Tables//",
    "-//Netscape Comm. Corp.//DTD HTML//",
    "-//Netscape Comm. Corp.//DTD Strict HTML//",
    "-//O'Reilly and Associates//DTD HTML 2.0//",
    "-//O'Reilly and Associates//DTD HTML Extended 1.0//",
    "-//O'Reilly and Associates//DTD HTML Extended Relaxed 1.0//",
    "-//SoftQuad Software//DTD HoTMetaL PRO 6.0::19990601::)extensions to HTML 4.0//",
    "-//SoftQuad//DTD HoTMetaL PRO 4.0::19971010::extensions to HTML 4.0//",
    "-//Spyglass//DTD HTML 2.0 Extended//",
    "-//SQ//DTD HTML 2.0 HoTMetaL + extensions//",
    "-//Sun Microsystems Corp.//DTD HotJava HTML//",
    "-//Sun Microsystems Corp.//DTD HotJava Strict HTML//",
    "-//W3C//DTD HTML 3 1995-03-24//",
    "-//W3C//DTD HTML 3.2 Draft//",
    "-//W3C//DTD HTML 3.2 Final//",
    "-//W3C//DTD HTML 3.2//",
    "-//W3C//DTD HTML 3.2S Draft//",
    "-//W3C//DTD HTML 4.0 Frameset//",
    "-//W3C//DTD HTML 4.0 Transitional//",
    "-//W3C//DTD HTML Experimental 19960712//",
    "-//W3C//DTD HTML Experimental 970421//",
    "-//W3C//DTD W3 HTML//",
    "-//W3O//DTD W3 HTML 3.0//",
    "-//WebTechs//DTD Mozilla HTML 2.0//",
    "-//WebTechs//DTD Mozilla HTML//",
};

bool is_quirks(token const& t)
{
    if (t.force_quirks || std::strcmp(t.doctype_name, "html") != 0)
        return true;
    std::string_view const pub = t.public_id;
    for (auto p : quirks_public_ids)
        if (text::iequals(pub, p))
            return true;
    if (pub == "-//W3O//DTD W3 HTML Strict 3.0//EN//" || pub == "-/W3C/DTD HTML 4.0 Transitional/EN" || pub == "HTML")
        return true;
    if (std::string_view(t.system_id) == "http://www.ibm.com/data/dtd/v11/ibmxhtml1-transitional.dtd")
        return true;
    return !t.has_system && (text::iequals(pub, "-//W3C//DTD HTML 4.01 Frameset//") ||
                             text::iequals(pub, "-//W3C//DTD HTML 4.01 Transitional//"));
}

constexpr tagset head_or_body_or_html_or_br{GUMBO_TAG_HEAD, GUMBO_TAG_BODY, GUMBO_TAG_HTML, GUMBO_TAG_BR};

} // namespace

bool builder::initial(token& t)
{
    GumboDocument& d = document_->v.document;
    if (t.type == token_type::whitespace)
        return true;
    if (t.type == token_type::comment)
    {
        append_comment(document_, t);
        return true;
    }
    if (t.type == token_type::doctype)
    {
        d.has_doctype = true;
        d.name = t.doctype_name;
        d.public_identifier = t.public_id;
        d.system_identifier = t.system_id;
        quirks_ = is_quirks(t);
        d.doc_type_quirks_mode = quirks_ ? GUMBO_DOCTYPE_QUIRKS : GUMBO_DOCTYPE_NO_QUIRKS;
        mode_ = mode::before_html;
        return true;
    }
    quirks_ = true;
    d.doc_type_quirks_mode = GUMBO_DOCTYPE_QUIRKS;
    mode_ = mode::before_html;
    reprocess_ = true;
    return true;
}

bool builder::before_html(token& t)
{
    if (t.type == token_type::doctype || t.type == token_type::whitespace)
        return true;
    if (t.type == token_type::comment)
    {
        append_comment(document_, t);
        return true;
    }
    if (is_start(t, GUMBO_TAG_HTML))
    {
        output_->root = insert_element_from_token(t);
        mode_ = mode::before_head;
        return true;
    }
    if (t.type == token_type::end_tag && !end_in(t, head_or_body_or_html_or_br))
        return false;
    output_->root = insert_element_of_tag(GUMBO_TAG_HTML);
    mode_ = mode::before_head;
    reprocess_ = true;
    return true;
}

bool builder::before_head(token& t)
{
    if (t.type == token_type::doctype || t.type == token_type::whitespace)
        return true;
    if (t.type == token_type::comment)
    {
        append_comment(current_node(), t);
        return true;
    }
    if (is_start(t, GUMBO_TAG_HEAD))
    {
        head_ = insert_element_from_token(t);
        mode_ = mode::in_head;
        return true;
    }
    if (t.type == token_type::end_tag && !end_in(t, head_or_body_or_html_or_br))
        return false;
    head_ = insert_element_of_tag(GUMBO_TAG_HEAD);
    mode_ = mode::in_head;
    reprocess_ = true;
    return true;
}

bool builder::in_head(token& t)
{
    static constexpr tagset void_head{GUMBO_TAG_BASE, GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND, GUMBO_TAG_MENUITEM,
                                      GUMBO_TAG_LINK, GUMBO_TAG_META};
    static constexpr tagset body_html_br{GUMBO_TAG_BODY, GUMBO_TAG_HTML, GUMBO_TAG_BR};
    switch (t.type)
    {
    case token_type::whitespace: insert_text(t); return true;
    case token_type::doctype: return false;
    case token_type::comment: append_comment(current_node(), t); return true;
    default: break;
    }
    if (is_start(t, GUMBO_TAG_HTML))
        return in_body(t);
    if (start_in(t, void_head))
    {
        insert_element_from_token(t);
        pop();
        return true;
    }
    if (is_start(t, GUMBO_TAG_TITLE))
        return run_generic_parsing(t, lex::rcdata), true;
    if (is_start(t, GUMBO_TAG_NOFRAMES) || is_start(t, GUMBO_TAG_STYLE))
        return run_generic_parsing(t, lex::rawtext), true;
    if (is_start(t, GUMBO_TAG_NOSCRIPT))
    {
        insert_element_from_token(t);
        mode_ = mode::in_head_noscript;
        return true;
    }
    if (is_start(t, GUMBO_TAG_SCRIPT))
        return run_generic_parsing(t, lex::script), true;
    if (is_end(t, GUMBO_TAG_HEAD))
    {
        pop();
        mode_ = mode::after_head;
        return true;
    }
    if (end_in(t, body_html_br))
    {
        pop();
        mode_ = mode::after_head;
        reprocess_ = true;
        return true;
    }
    if (is_start(t, GUMBO_TAG_TEMPLATE))
    {
        insert_element_from_token(t);
        add_formatting_element(nullptr);
        frameset_ok_ = false;
        mode_ = mode::in_template;
        template_modes_.push_back(mode::in_template);
        return true;
    }
    if (is_end(t, GUMBO_TAG_TEMPLATE))
    {
        if (!has_open_element(GUMBO_TAG_TEMPLATE))
            return false;
        generate_all_implied_end_tags_thoroughly();
        bool const ok = is_html(current_node(), GUMBO_TAG_TEMPLATE);
        while (GumboNode* n = pop())
            if (is_html(n, GUMBO_TAG_TEMPLATE))
                break;
        clear_formatting_elements();
        if (!template_modes_.empty())
            template_modes_.pop_back();
        reset_insertion_mode();
        return ok;
    }
    if (is_start(t, GUMBO_TAG_HEAD) || t.type == token_type::end_tag)
        return false;
    pop();
    mode_ = mode::after_head;
    reprocess_ = true;
    return true;
}

bool builder::in_head_noscript(token& t)
{
    static constexpr tagset head_tags{GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND, GUMBO_TAG_LINK,
                                      GUMBO_TAG_META,     GUMBO_TAG_NOFRAMES, GUMBO_TAG_STYLE};
    if (t.type == token_type::doctype)
        return false;
    if (is_start(t, GUMBO_TAG_HTML))
        return in_body(t);
    if (is_end(t, GUMBO_TAG_NOSCRIPT))
    {
        pop();
        mode_ = mode::in_head;
        return true;
    }
    if (t.type == token_type::whitespace || t.type == token_type::comment || start_in(t, head_tags))
        return in_head(t);
    if (is_start(t, GUMBO_TAG_HEAD) || is_start(t, GUMBO_TAG_NOSCRIPT) ||
        (t.type == token_type::end_tag && !is_end(t, GUMBO_TAG_BR)))
        return false;
    pop();
    mode_ = mode::in_head;
    reprocess_ = true;
    return false;
}

bool builder::after_head(token& t)
{
    static constexpr tagset head_tags{GUMBO_TAG_BASE,     GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND, GUMBO_TAG_LINK,
                                      GUMBO_TAG_META,     GUMBO_TAG_NOFRAMES, GUMBO_TAG_SCRIPT,  GUMBO_TAG_STYLE,
                                      GUMBO_TAG_TEMPLATE, GUMBO_TAG_TITLE};
    static constexpr tagset body_html_br{GUMBO_TAG_BODY, GUMBO_TAG_HTML, GUMBO_TAG_BR};
    switch (t.type)
    {
    case token_type::whitespace: insert_text(t); return true;
    case token_type::doctype: return false;
    case token_type::comment: append_comment(current_node(), t); return true;
    default: break;
    }
    if (is_start(t, GUMBO_TAG_HTML))
        return in_body(t);
    if (is_start(t, GUMBO_TAG_BODY))
    {
        insert_element_from_token(t);
        frameset_ok_ = false;
        mode_ = mode::in_body;
        return true;
    }
    if (is_start(t, GUMBO_TAG_FRAMESET))
    {
        insert_element_from_token(t);
        mode_ = mode::in_frameset;
        return true;
    }
    if (start_in(t, head_tags))
    {
        flush_text();
        open_.push_back(head_);
        bool const ok = in_head(t);
        remove_from_open(head_);
        return ok;
    }
    if (is_end(t, GUMBO_TAG_TEMPLATE))
        return in_head(t);
    if (is_start(t, GUMBO_TAG_HEAD) || (t.type == token_type::end_tag && !end_in(t, body_html_br)))
        return false;
    insert_element_of_tag(GUMBO_TAG_BODY);
    mode_ = mode::in_body;
    reprocess_ = true;
    return true;
}

bool builder::text_mode(token& t)
{
    if (t.type == token_type::character || t.type == token_type::whitespace)
    {
        insert_text(t);
        return true;
    }
    if (t.type == token_type::eof)
        reprocess_ = true;
    pop();
    mode_ = original_mode_;
    return true;
}

bool builder::in_body(token& t)
{
    switch (t.type)
    {
    case token_type::null: return false;
    case token_type::whitespace:
        reconstruct_formatting_elements();
        insert_text(t);
        return true;
    case token_type::character:
    case token_type::cdata:
        reconstruct_formatting_elements();
        insert_text(t);
        frameset_ok_ = false;
        return true;
    case token_type::comment: append_comment(current_node(), t); return true;
    case token_type::doctype: return false;
    case token_type::start_tag: return in_body_start(t);
    case token_type::end_tag: return in_body_end(t);
    case token_type::eof:
        if (current_template_mode() != mode::none)
            return in_template(t);
        return true;
    }
    return true;
}

} // namespace weft::html::detail::tb
