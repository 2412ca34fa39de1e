// Private: the streaming HTML5 tokenizer behind weft::html::scan and for_each_tag.
//
// One pass over the input with a pointer; text is skipped with memchr. Attributes are collected
// (names lower-cased, values decoded) only for tags the handler asks for; other tags are parsed
// for their syntax alone. The tree-construction decisions that change the tokenizer's state
// (raw text after <script>, <style>..., foreign content for CDATA) are approximated here with a
// small element stack kept only inside svg/math.
#pragma once

#include <weft/html/scanner.hpp>

#include "scanner_entities.hpp"
#include "script_data.hpp"

#include <weft/text/ascii.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace weft::html::detail
{

inline bool is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}
inline bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}
inline bool is_alnum(unsigned char c)
{
    return is_alpha(c) || is_digit(c);
}

void append_utf8(std::string& out, char32_t c);

/// Decodes the character reference at s[i] == '&' (HTML5 "character reference state"), appending
/// the result (or the literal text) to out; returns the index after what it consumed.
std::size_t decode_char_ref(std::string_view s, std::size_t i, bool in_attribute, std::string& out);

/// The length in bytes of the character at s[i] when the DOM parser (gumbo) replaces it with
/// U+FFFD in its input stream, 0 otherwise: C0 controls other than whitespace, DEL, the C1
/// controls (UTF-8 C2 80..C2 9F) and the noncharacters (U+FDD0..U+FDEF and U+xFFFE/U+xFFFF of
/// every plane). HTML §13.2.3.5 keeps them (a parse error only), but links must agree with the
/// DOM; a character reference to one (`&#xFFFF;`) is not replaced, by either.
inline std::size_t replaced_length(std::string_view s, std::size_t i)
{
    auto const c = static_cast<unsigned char>(s[i]);
    if (c < 0x20)
        return c != '\t' && c != '\n' && c != '\f' && c != '\r' ? 1 : 0;
    if (c == 0x7F)
        return 1;
    if (c < 0xC2)
        return 0;
    auto at = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
    if (c == 0xC2)
        return at(1) >= 0x80 && at(1) <= 0x9F ? 2 : 0;
    if (c == 0xEF) // U+FDD0..U+FDEF: EF B7 90..AF; U+FFFE, U+FFFF: EF BF BE, EF BF BF
        return (at(1) == 0xB7 && at(2) >= 0x90 && at(2) <= 0xAF) || (at(1) == 0xBF && (at(2) | 1) == 0xBF) ? 3 : 0;
    if (c >= 0xF0 && c <= 0xF4) // U+nFFFE, U+nFFFF: F? ?F BF BE, F? ?F BF BF
        return (at(1) & 0x0F) == 0x0F && at(2) == 0xBF && (at(3) | 1) == 0xBF ? 4 : 0;
    return 0;
}

/// Decodes the character references of s; NUL and the characters above become U+FFFD, CR LF and
/// CR become LF.
void decode_text(std::string_view s, bool in_attribute, std::string& out);

/// What the tokenizer asks of its handler:
///   bool wants_attributes(std::string_view lower_name, bool end_tag);
///   bool on_tag(tag_token const&, bool foreign);      // false stops
///   bool on_rcdata(std::string_view lower_name, std::string_view raw_text); // title/textarea content
template <class Handler>
class tokenizer
{
public:
    tokenizer(std::string_view html, Handler& h) noexcept : p_(html.data()), e_(html.data() + html.size()), h_(h) {}

    void run()
    {
        while (p_ < e_)
        {
            auto q = static_cast<char const*>(std::memchr(p_, '<', static_cast<std::size_t>(e_ - p_)));
            if (!q)
                return;
            p_ = q + 1;
            if (p_ >= e_)
                return;
            unsigned char c = static_cast<unsigned char>(*p_);
            bool ok = true;
            if (is_alpha(c))
                ok = tag(false);
            else if (c == '/')
            {
                ++p_;
                if (p_ >= e_)
                    return;
                if (is_alpha(static_cast<unsigned char>(*p_)))
                    ok = tag(true);
                else if (*p_ == '>')
                    ++p_;
                else
                    skip_past('>');
            }
            else if (c == '!')
                markup_declaration();
            else if (c == '?')
                skip_past('>');
            if (!ok)
                return;
        }
    }

private:
    enum class ns : std::uint8_t
    {
        html,
        svg,
        math
    };
    struct open_element
    {
        char name[16];
        std::uint8_t len;
        ns space;
        bool integration; // HTML integration point or MathML text integration point
        bool text_integration;
        bool annotation_xml;
        std::string_view view() const { return {name, len}; }
    };
    struct raw_attribute
    {
        char const* name;
        std::uint32_t name_len;
        char const* value;
        std::uint32_t value_len;
    };

    void skip_past(char c)
    {
        auto q = static_cast<char const*>(std::memchr(p_, c, static_cast<std::size_t>(e_ - p_)));
        p_ = q ? q + 1 : e_;
    }

    static bool starts_with_ci(char const* p, char const* e, std::string_view lit)
    {
        if (static_cast<std::size_t>(e - p) < lit.size())
            return false;
        for (std::size_t i = 0; i < lit.size(); ++i)
            if (text::to_lower(p[i]) != lit[i])
                return false;
        return true;
    }

    // p_ just after "<!".
    void markup_declaration()
    {
        ++p_;
        if (e_ - p_ >= 2 && p_[0] == '-' && p_[1] == '-')
        {
            p_ += 2;
            comment();
        }
        else if (starts_with_ci(p_, e_, "doctype"))
            skip_past('>');
        else if (e_ - p_ >= 7 && std::memcmp(p_, "[CDATA[", 7) == 0 && in_foreign())
        {
            p_ += 7;
            for (;;)
            {
                auto q = static_cast<char const*>(std::memchr(p_, ']', static_cast<std::size_t>(e_ - p_)));
                if (!q || e_ - q < 3)
                {
                    p_ = e_;
                    return;
                }
                if (q[1] == ']' && q[2] == '>')
                {
                    p_ = q + 3;
                    return;
                }
                p_ = q + 1;
            }
        }
        else
            skip_past('>');
    }

    // p_ just after "<!--": ends at "-->" or "--!>", with "<!-->" and "<!--->" as empty comments.
    void comment()
    {
        if (p_ < e_ && *p_ == '>')
        {
            ++p_;
            return;
        }
        if (e_ - p_ >= 2 && p_[0] == '-' && p_[1] == '>')
        {
            p_ += 2;
            return;
        }
        for (;;)
        {
            auto q = static_cast<char const*>(std::memchr(p_, '-', static_cast<std::size_t>(e_ - p_)));
            if (!q || e_ - q < 3)
            {
                p_ = e_;
                return;
            }
            if (q[1] == '-')
            {
                if (q[2] == '>')
                {
                    p_ = q + 3;
                    return;
                }
                if (q[2] == '!' && e_ - q >= 4 && q[3] == '>')
                {
                    p_ = q + 4;
                    return;
                }
            }
            p_ = q + 1;
        }
    }

    // p_ at the first letter of a tag name. Returns false when the handler stops.
    bool tag(bool end)
    {
        name_len_ = 0;
        bool long_name = false;
        while (p_ < e_)
        {
            unsigned char c = static_cast<unsigned char>(*p_);
            if (text::is_html_space(c) || c == '/' || c == '>')
                break;
            if (name_len_ < sizeof name_)
                name_[name_len_++] = c == 0 ? '\x01' : text::to_lower(static_cast<char>(c)); // NUL never matches
            else
                long_name = true;
            ++p_;
        }
        if (long_name)
            name_len_ = 0; // no tag of interest is that long; "" matches nothing
        return tag_rest(end);
    }

    // After the tag name: attributes, then emission. EOF drops the tag (and ends the scan).
    bool tag_rest(bool end)
    {
        std::string_view name(name_, name_len_);
        bool const want = h_.wants_attributes(name, end);
        raw_.clear();
        bool self_closing = false;
        for (;;)
        {
            while (p_ < e_ && text::is_html_space(*p_))
                ++p_;
            if (p_ >= e_)
                return false;
            char c = *p_;
            if (c == '>')
            {
                ++p_;
                break;
            }
            if (c == '/')
            {
                ++p_;
                if (p_ < e_ && *p_ == '>')
                {
                    ++p_;
                    self_closing = true;
                    break;
                }
                continue;
            }
            // Attribute name; a leading '=' belongs to it.
            char const* ns = p_++;
            while (p_ < e_)
            {
                unsigned char d = static_cast<unsigned char>(*p_);
                if (text::is_html_space(d) || d == '/' || d == '>' || d == '=')
                    break;
                ++p_;
            }
            char const* ne = p_;
            while (p_ < e_ && text::is_html_space(*p_))
                ++p_;
            if (p_ >= e_)
                return false;
            char const* vs = p_;
            char const* ve = p_;
            if (*p_ == '=')
            {
                ++p_;
                while (p_ < e_ && text::is_html_space(*p_))
                    ++p_;
                if (p_ >= e_)
                    return false;
                char q = *p_;
                if (q == '"' || q == '\'')
                {
                    ++p_;
                    auto close = static_cast<char const*>(std::memchr(p_, q, static_cast<std::size_t>(e_ - p_)));
                    if (!close)
                        return false;
                    vs = p_;
                    ve = close;
                    p_ = close + 1;
                }
                else if (q == '>')
                {
                    vs = ve = p_;
                }
                else
                {
                    vs = p_;
                    while (p_ < e_ && !text::is_html_space(*p_) && *p_ != '>')
                        ++p_;
                    ve = p_;
                }
            }
            if (want)
                add_attribute(ns, ne, vs, ve);
        }
        return emit(end, self_closing, want);
    }

    void add_attribute(char const* ns, char const* ne, char const* vs, char const* ve)
    {
        for (auto const& r : raw_)
            if (text::iequals({r.name, r.name_len}, {ns, static_cast<std::size_t>(ne - ns)}))
                return; // duplicate: the first wins
        raw_.push_back(raw_attribute{ns, static_cast<std::uint32_t>(ne - ns), vs, static_cast<std::uint32_t>(ve - vs)});
    }

    // Lower-cases names and decodes values into scratch_, then builds the views.
    void materialize()
    {
        scratch_.clear();
        attrs_.clear();
        spans_.clear();
        for (auto const& r : raw_)
        {
            std::string_view n(r.name, r.name_len);
            bool plain_name = true;
            for (char c : n)
                if ((c >= 'A' && c <= 'Z') || c == 0)
                    plain_name = false;
            if (plain_name)
                spans_.push_back({false, 0, n.size(), n.data()});
            else
            {
                std::size_t off = scratch_.size();
                for (char c : n)
                {
                    if (c == 0)
                        scratch_ += "\xEF\xBF\xBD";
                    else
                        scratch_.push_back(text::to_lower(c));
                }
                spans_.push_back({true, off, scratch_.size() - off, nullptr});
            }
            std::string_view v(r.value, r.value_len);
            bool plain_value = true;
            for (std::size_t k = 0; k < v.size() && plain_value; ++k)
                plain_value = v[k] != '&' && v[k] != '\r' && replaced_length(v, k) == 0;
            if (plain_value)
                spans_.push_back({false, 0, v.size(), v.data()});
            else
            {
                std::size_t off = scratch_.size();
                decode_text(v, true, scratch_);
                spans_.push_back({true, off, scratch_.size() - off, nullptr});
            }
        }
        auto view = [&](auto const& s)
        { return s.owned ? std::string_view(scratch_.data() + s.off, s.len) : std::string_view(s.ptr, s.len); };
        for (std::size_t i = 0; i + 1 < spans_.size(); i += 2)
            attrs_.push_back(tag_attribute{view(spans_[i]), view(spans_[i + 1])});
    }

    bool emit(bool end, bool self_closing, bool want)
    {
        if (want)
            materialize();
        else
            attrs_.clear();
        tag_token t;
        t.name = std::string_view(name_, name_len_);
        t.end_tag = end;
        t.self_closing = self_closing;
        t.attributes = attrs_;
        bool foreign = false;
        bool html_rules = true;
        if (end)
            end_tag(t.name);
        else
            html_rules = start_tag(t, foreign);
        if (!h_.on_tag(t, foreign))
            return false;
        if (!end && html_rules)
            return text_mode(t.name);
        return true;
    }

    // ---- foreign content (svg, math), simplified tree construction ----

    bool in_foreign() const { return !stack_.empty() && stack_.back().space != ns::html; }

    static bool is_breakout(std::string_view n, tag_token const& t)
    {
        static constexpr std::string_view names[] = {
            "b",     "big",   "blockquote", "body",   "br",   "center", "code",  "dd", "div",  "dl",   "dt",
            "em",    "embed", "h1",         "h2",     "h3",   "h4",     "h5",    "h6", "head", "hr",   "i",
            "img",   "li",    "listing",    "menu",   "meta", "nobr",   "ol",    "p",  "pre",  "ruby", "s",
            "small", "span",  "strong",     "strike", "sub",  "sup",    "table", "tt", "u",    "ul",   "var"};
        for (auto x : names)
            if (x == n)
                return true;
        if (n == "font")
            return t.attr("color") || t.attr("face") || t.attr("size");
        return false;
    }

    static bool is_void(std::string_view n)
    {
        static constexpr std::string_view names[] = {"area",   "base",  "br",     "col",   "embed",    "hr",
                                                     "img",    "input", "keygen", "link",  "meta",     "param",
                                                     "source", "track", "wbr",    "frame", "basefont", "bgsound"};
        for (auto x : names)
            if (x == n)
                return true;
        return false;
    }

    void push(std::string_view n, ns space, tag_token const* t)
    {
        if (stack_.size() >= 512)
            return;
        open_element e{};
        e.len = static_cast<std::uint8_t>(std::min<std::size_t>(n.size(), sizeof e.name));
        std::memcpy(e.name, n.data(), e.len);
        e.space = space;
        if (space == ns::svg)
            e.integration = n == "foreignobject" || n == "desc" || n == "title";
        else if (space == ns::math)
        {
            e.text_integration = n == "mi" || n == "mo" || n == "mn" || n == "ms" || n == "mtext";
            e.annotation_xml = n == "annotation-xml";
            if (e.annotation_xml && t)
            {
                auto enc = t->attr("encoding");
                if (enc)
                {
                    auto const lower = text::lower_copy(*enc);
                    e.integration = lower == "text/html" || lower == "application/xhtml+xml";
                }
            }
            e.integration = e.integration || e.text_integration;
        }
        stack_.push_back(e);
    }

    // Returns true when the tag is processed by the HTML rules (so it may switch text modes).
    bool start_tag(tag_token const& t, bool& foreign)
    {
        auto n = t.name;
        if (n == "frameset")
            seen_frameset_ = true;
        if (!stack_.empty())
        {
            auto const& top = stack_.back();
            bool foreign_rules = top.space != ns::html && !top.integration;
            if (top.text_integration && (n == "mglyph" || n == "malignmark"))
                foreign_rules = true;
            if (top.annotation_xml && n == "svg")
            {
                foreign = true;
                if (!t.self_closing)
                    push(n, ns::svg, &t);
                return false;
            }
            if (foreign_rules)
            {
                if (is_breakout(n, t))
                {
                    while (!stack_.empty() && stack_.back().space != ns::html && !stack_.back().integration)
                        stack_.pop_back();
                }
                else
                {
                    foreign = true;
                    if (!t.self_closing)
                        push(n, top.space, &t);
                    return false;
                }
            }
        }
        if (n == "svg" || n == "math")
        {
            foreign = true;
            if (!t.self_closing)
                push(n, n == "svg" ? ns::svg : ns::math, &t);
            return false;
        }
        if (!stack_.empty() && !is_void(n))
            push(n, ns::html, &t);
        return true;
    }

    void end_tag(std::string_view n)
    {
        if (stack_.empty())
            return;
        if (stack_.back().space != ns::html && (n == "br" || n == "p"))
        {
            while (!stack_.empty() && stack_.back().space != ns::html && !stack_.back().integration)
                stack_.pop_back();
        }
        for (std::size_t i = stack_.size(); i-- > 0;)
        {
            auto const& e = stack_[i];
            if (e.view() == n)
            {
                stack_.resize(i);
                return;
            }
            // An HTML end tag does not close across a foreign element, nor a foreign one across HTML.
            if (i + 1 < stack_.size() && (e.space == ns::html) != (stack_.back().space == ns::html))
                return;
        }
    }

    // ---- text modes switched by the tree builder ----

    bool text_mode(std::string_view n)
    {
        if (n == "script")
            return raw_text(n, true, false);
        if (n == "style" || n == "xmp" || n == "iframe" || n == "noembed" || n == "noframes")
            return raw_text(n, false, false);
        if (n == "title" || n == "textarea")
            return raw_text(n, false, true);
        if (n == "plaintext")
            p_ = e_;
        return true;
    }

    // Raw text / RCDATA / script data: up to the matching end tag, which is then parsed as a tag.
    bool raw_text(std::string_view n, bool script, bool rcdata)
    {
        char name_copy[16];
        std::size_t len = std::min(n.size(), sizeof name_copy);
        std::memcpy(name_copy, n.data(), len);
        std::string_view nn(name_copy, len);
        char const* start = p_;
        char const* const q = raw_text_end(p_, e_, nn, script);
        if (rcdata && !h_.on_rcdata(nn, std::string_view(start, static_cast<std::size_t>(q - start))))
            return false;
        if (q >= e_)
        {
            p_ = e_;
            return true;
        }
        p_ = q + 2 + len;
        std::memcpy(name_, name_copy, len);
        name_len_ = len;
        return tag_rest(true);
    }

    char const* p_;
    char const* e_;
    Handler& h_;
    char name_[64];
    std::size_t name_len_ = 0;
    bool seen_frameset_ = false;
    std::vector<raw_attribute> raw_;
    std::vector<tag_attribute> attrs_;
    struct span_ref
    {
        bool owned;
        std::size_t off;
        std::size_t len;
        char const* ptr;
    };
    std::vector<span_ref> spans_;
    std::string scratch_;
    std::vector<open_element> stack_;

public:
    bool seen_frameset() const noexcept { return seen_frameset_; }
};

} // namespace weft::html::detail
