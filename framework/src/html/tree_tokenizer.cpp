// The tokenizer of weft's tree builder (HTML §13.2.5): one pass with a pointer, text found
// with memchr and handed to the builder as runs (views of the input when nothing needs
// decoding), tags with their attributes built in the arena as gumbo's GumboAttribute.
//
// Input stream preprocessing is done where text is taken: CR LF and CR become LF, NUL and the
// characters gumbo replaces (replaced_length) become U+FFFD, except NUL in the data state,
// which is a token of its own (the tree builder drops it or replaces it).
#include "tree_builder_impl.hpp"

#include "scanner_tokenizer.hpp"
#include "script_data.hpp"

#include <weft/text/ascii.hpp>

#include <cstring>

namespace weft::html::detail::tb
{
namespace
{

bool is_space(char c) noexcept
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\r';
}

// Bytes that may need work in text: '&', CR, C0 controls (NUL included), DEL, and the lead
// bytes of the C1 controls and noncharacters (checked with replaced_length).
struct byte_table
{
    bool v[256] = {};
    constexpr byte_table()
    {
        for (int c = 0; c < 0x20; ++c)
            v[c] = c != '\t' && c != '\n' && c != '\f';
        v[0x7F] = true;
        v[0xC2] = true;
        v[0xEF] = true;
        for (int c = 0xF0; c <= 0xF4; ++c)
            v[c] = true;
        v[static_cast<unsigned char>('&')] = true;
    }
};
constexpr byte_table special{};

// True when s needs decoding (character references when refs) or replacing.
bool needs_work(std::string_view s, bool refs) noexcept
{
    for (std::size_t i = 0; i < s.size(); ++i)
    {
        auto const c = static_cast<unsigned char>(s[i]);
        if (!special.v[c])
            continue;
        if (c == '&')
        {
            if (refs)
                return true;
            continue;
        }
        if (c == '\r' || replaced_length(s, i) != 0)
            return true;
    }
    return false;
}

// Preprocessing without character references: CR LF / CR to LF, replaced characters to U+FFFD.
void clean(std::string_view s, std::string& out)
{
    for (std::size_t i = 0; i < s.size();)
    {
        char const c = s[i];
        if (c == '\r')
        {
            out.push_back('\n');
            i += i + 1 < s.size() && s[i + 1] == '\n' ? 2 : 1;
        }
        else if (auto const n = replaced_length(s, i))
        {
            out += "\xEF\xBF\xBD";
            i += n;
        }
        else
        {
            out.push_back(c);
            ++i;
        }
    }
}

} // namespace

void lexer::run()
{
    while (p_ < e_)
    {
        switch (state)
        {
        case lex::data: data_text(); break;
        case lex::rcdata:
        case lex::rawtext:
        case lex::script: raw_text(); break;
        case lex::plaintext:
            emit_text(p_, e_, false);
            p_ = e_;
            break;
        }
    }
}

void lexer::emit_chars(std::string_view s)
{
    if (!s.empty())
        b_.characters(s);
}

void lexer::emit_text(char const* from, char const* to, bool decode_refs)
{
    std::string_view s(from, static_cast<std::size_t>(to - from));
    if (!needs_work(s, decode_refs))
        return emit_chars(s);
    scratch_.clear();
    if (decode_refs)
        decode_text(s, false, scratch_);
    else
        clean(s, scratch_);
    emit_chars(scratch_);
}

// Text up to the next '<' (NULs are tokens of their own), then the markup there.
void lexer::data_text()
{
    auto const* lt = static_cast<char const*>(std::memchr(p_, '<', static_cast<std::size_t>(e_ - p_)));
    char const* end = lt ? lt : e_;
    while (p_ < end)
    {
        auto const* nul = static_cast<char const*>(std::memchr(p_, 0, static_cast<std::size_t>(end - p_)));
        char const* stop = nul ? nul : end;
        emit_text(p_, stop, true);
        p_ = stop;
        if (nul)
        {
            token t;
            t.type = token_type::null;
            b_.process(t);
            ++p_;
        }
    }
    if (lt)
        tag_open();
}

// p_ at '<'.
bool lexer::tag_open()
{
    char const* lt = p_;
    if (e_ - lt < 2)
    {
        emit_chars("<");
        p_ = e_;
        return false;
    }
    auto const c = static_cast<unsigned char>(lt[1]);
    if (is_alpha(c))
    {
        p_ = lt + 1;
        return tag(false, lt);
    }
    if (c == '!')
    {
        markup_declaration(lt);
        return true;
    }
    if (c == '/')
    {
        if (e_ - lt < 3)
        {
            emit_chars("</");
            p_ = e_;
            return false;
        }
        if (is_alpha(static_cast<unsigned char>(lt[2])))
        {
            p_ = lt + 2;
            return tag(true, lt);
        }
        if (lt[2] == '>')
        {
            p_ = lt + 3;
            return true;
        }
        bogus_comment(lt + 2);
        return true;
    }
    if (c == '?')
    {
        bogus_comment(lt + 1);
        return true;
    }
    emit_chars("<");
    p_ = lt + 1;
    return true;
}

void lexer::add_attribute(std::string_view raw_name, std::string_view raw_value, token& t)
{
    value_.clear();
    clean(raw_name, value_);
    for (char& ch : value_)
        ch = text::to_lower(ch);
    for (unsigned i = 0; i < t.attributes.length; ++i)
        if (value_ == static_cast<GumboAttribute const*>(t.attributes.data[i])->name)
            return; // a duplicate: the first wins
    auto* a = static_cast<GumboAttribute*>(b_.allocate(sizeof(GumboAttribute)));
    std::memset(a, 0, sizeof(GumboAttribute));
    a->attr_namespace = GUMBO_ATTR_NAMESPACE_NONE;
    a->name = b_.copy(value_);
    if (needs_work(raw_value, true))
    {
        value_.clear();
        decode_text(raw_value, true, value_);
        a->value = b_.copy(value_);
    }
    else
        a->value = b_.copy(raw_value);
    b_.vector_add(t.attributes, a);
}

// p_ at the first letter of the tag name; lt at its '<'. EOF inside the tag drops it.
bool lexer::tag(bool end, char const* lt)
{
    char const* ns = p_;
    while (p_ < e_ && !is_space(*p_) && *p_ != '/' && *p_ != '>')
        ++p_;
    name_.clear();
    clean(std::string_view(ns, static_cast<std::size_t>(p_ - ns)), name_);
    for (char& ch : name_)
        ch = text::to_lower(ch);
    token t;
    t.type = end ? token_type::end_tag : token_type::start_tag;
    for (;;)
    {
        while (p_ < e_ && is_space(*p_))
            ++p_;
        if (p_ >= e_)
            return false;
        if (*p_ == '>')
        {
            ++p_;
            break;
        }
        if (*p_ == '/')
        {
            ++p_;
            if (p_ < e_ && *p_ == '>')
            {
                ++p_;
                t.self_closing = true;
                break;
            }
            continue;
        }
        char const* an = p_++; // a leading '=' belongs to the name
        while (p_ < e_ && !is_space(*p_) && *p_ != '/' && *p_ != '>' && *p_ != '=')
            ++p_;
        std::string_view name(an, static_cast<std::size_t>(p_ - an));
        while (p_ < e_ && is_space(*p_))
            ++p_;
        if (p_ >= e_)
            return false;
        std::string_view value;
        if (*p_ == '=')
        {
            ++p_;
            while (p_ < e_ && is_space(*p_))
                ++p_;
            if (p_ >= e_)
                return false;
            char const q = *p_;
            if (q == '"' || q == '\'')
            {
                auto const* close =
                    static_cast<char const*>(std::memchr(p_ + 1, q, static_cast<std::size_t>(e_ - p_ - 1)));
                if (!close)
                    return p_ = e_, false;
                value = std::string_view(p_ + 1, static_cast<std::size_t>(close - p_ - 1));
                p_ = close + 1;
            }
            else if (q != '>')
            {
                char const* vs = p_;
                while (p_ < e_ && !is_space(*p_) && *p_ != '>')
                    ++p_;
                value = std::string_view(vs, static_cast<std::size_t>(p_ - vs));
            }
        }
        if (!end)
            add_attribute(name, value, t);
    }
    t.name = name_;
    t.tag = gumbo_tagn_enum(name_.data(), static_cast<unsigned>(name_.size()));
    t.original = GumboStringPiece{lt, static_cast<std::size_t>(p_ - lt)}; // '<' to '>'
    b_.process(t);
    if (!end && state != lex::data)
        last_start_ = t.name;
    return true;
}

// lt at "<!".
void lexer::markup_declaration(char const* lt)
{
    p_ = lt + 2;
    if (e_ - p_ >= 2 && p_[0] == '-' && p_[1] == '-')
    {
        p_ += 2;
        return comment();
    }
    if (e_ - p_ >= 7 && text::iequals(std::string_view(p_, 7), "doctype"))
    {
        p_ += 7;
        return doctype();
    }
    if (e_ - p_ >= 7 && std::memcmp(p_, "[CDATA[", 7) == 0 && b_.current_node_foreign())
    {
        p_ += 7;
        return cdata();
    }
    bogus_comment(p_);
}

void lexer::bogus_comment(char const* from)
{
    auto const* gt = static_cast<char const*>(std::memchr(from, '>', static_cast<std::size_t>(e_ - from)));
    char const* end = gt ? gt : e_;
    scratch_.clear();
    clean(std::string_view(from, static_cast<std::size_t>(end - from)), scratch_);
    p_ = gt ? gt + 1 : e_;
    token t;
    t.type = token_type::comment;
    t.text = scratch_;
    b_.process(t);
}

// p_ after "<!--": up to "-->" or "--!>"; "<!-->" and "<!--->" are empty.
void lexer::comment()
{
    token t;
    t.type = token_type::comment;
    if (p_ < e_ && *p_ == '>')
    {
        ++p_;
        return b_.process(t);
    }
    if (e_ - p_ >= 2 && p_[0] == '-' && p_[1] == '>')
    {
        p_ += 2;
        return b_.process(t);
    }
    char const* start = p_;
    char const* end = e_;
    char const* q = p_;
    for (;;)
    {
        q = static_cast<char const*>(std::memchr(q, '-', static_cast<std::size_t>(e_ - q)));
        if (!q || e_ - q < 3)
        {
            p_ = e_;
            // EOF: the states after "-", "--" and "--!" had not added those yet
            std::string_view s(start, static_cast<std::size_t>(e_ - start));
            if (s.ends_with("--!"))
                s.remove_suffix(3);
            else if (s.ends_with("--"))
                s.remove_suffix(2);
            else if (s.ends_with("-"))
                s.remove_suffix(1);
            end = start + s.size();
            break;
        }
        if (q[1] == '-' && q[2] == '>')
        {
            end = q;
            p_ = q + 3;
            break;
        }
        if (q[1] == '-' && q[2] == '!' && e_ - q >= 4 && q[3] == '>')
        {
            end = q;
            p_ = q + 4;
            break;
        }
        ++q;
    }
    scratch_.clear();
    clean(std::string_view(start, static_cast<std::size_t>(end - start)), scratch_);
    t.text = scratch_;
    b_.process(t);
}

// p_ after "<!DOCTYPE": name, PUBLIC / SYSTEM identifiers, force-quirks (HTML §13.2.5.53-68).
void lexer::doctype()
{
    token t;
    t.type = token_type::doctype;
    auto skip_space = [&]
    {
        while (p_ < e_ && is_space(*p_))
            ++p_;
    };
    auto finish = [&](std::string_view name)
    {
        value_.clear();
        clean(name, value_);
        for (char& ch : value_)
            ch = text::to_lower(ch);
        t.doctype_name = b_.copy(value_);
        if (!t.public_id)
            t.public_id = b_.copy("");
        if (!t.system_id)
            t.system_id = b_.copy("");
        b_.process(t);
    };
    skip_space();
    char const* ns = p_;
    while (p_ < e_ && !is_space(*p_) && *p_ != '>')
        ++p_;
    std::string_view name(ns, static_cast<std::size_t>(p_ - ns));
    t.force_quirks = name.empty();
    skip_space();
    auto quoted = [&](char const*& out, bool& has) -> bool
    {
        skip_space();
        if (p_ >= e_ || (*p_ != '"' && *p_ != '\''))
            return false;
        char const q = *p_++;
        char const* vs = p_;
        while (p_ < e_ && *p_ != q && *p_ != '>')
            ++p_;
        value_.clear();
        clean(std::string_view(vs, static_cast<std::size_t>(p_ - vs)), value_);
        out = b_.copy(value_);
        has = true;
        if (p_ < e_ && *p_ == q)
            ++p_;
        else
            t.force_quirks = true; // '>' or EOF inside the identifier
        return true;
    };
    if (e_ - p_ >= 6 && text::iequals(std::string_view(p_, 6), "public"))
    {
        p_ += 6;
        if (!quoted(t.public_id, t.has_public))
            t.force_quirks = true;
        else if (!quoted(t.system_id, t.has_system) && p_ < e_ && *p_ != '>')
            t.force_quirks = true; // neither '>' nor a quote after the public identifier
    }
    else if (e_ - p_ >= 6 && text::iequals(std::string_view(p_, 6), "system"))
    {
        p_ += 6;
        if (!quoted(t.system_id, t.has_system))
            t.force_quirks = true;
    }
    else if (p_ < e_ && *p_ != '>')
        t.force_quirks = true;
    auto const* gt = static_cast<char const*>(std::memchr(p_, '>', static_cast<std::size_t>(e_ - p_)));
    if (!gt)
        t.force_quirks = true;
    p_ = gt ? gt + 1 : e_;
    finish(name);
}

// p_ after "<![CDATA[" in foreign content: up to "]]>".
void lexer::cdata()
{
    char const* start = p_;
    char const* end = e_;
    for (char const* q = p_;;)
    {
        q = static_cast<char const*>(std::memchr(q, ']', static_cast<std::size_t>(e_ - q)));
        if (!q || e_ - q < 3)
        {
            p_ = e_;
            break;
        }
        if (q[1] == ']' && q[2] == '>')
        {
            end = q;
            p_ = q + 3;
            break;
        }
        ++q;
    }
    if (end == start)
        return;
    scratch_.clear();
    clean(std::string_view(start, static_cast<std::size_t>(end - start)), scratch_);
    token t;
    t.type = token_type::cdata;
    t.text = scratch_;
    b_.process(t);
}

// RCDATA, RAWTEXT and script data: text up to the appropriate end tag, which is then a tag.
void lexer::raw_text()
{
    char const* const q = raw_text_end(p_, e_, last_start_, state == lex::script);
    bool const rcdata = state == lex::rcdata;
    state = lex::data;
    emit_text(p_, q, rcdata);
    p_ = q;
    if (q < e_)
        tag_open();
}

} // namespace weft::html::detail::tb
