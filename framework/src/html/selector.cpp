#include "text/utf8.hpp"
#include <weft/html/selector.hpp>

#include <weft/html/element.hpp>

#include "selector_impl.hpp"

#include <algorithm>
#include <array>

namespace weft::html
{
namespace detail
{
namespace
{

// ---------------------------------------------------------------------------------------------
// Parser: recursive descent over the raw text (CSS Syntax tokenization rules applied inline).

struct failure
{
    std::size_t offset;
    std::string expected; // "']'" -> "expected ']'"
    std::string what;     // used instead of "expected ..." when set
};

constexpr std::size_t max_nesting = 32;

constexpr bool is_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}
constexpr bool is_name_start(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
constexpr bool is_name_char(char c) noexcept
{
    return is_name_start(c) || is_digit(c) || c == '-';
}

void append_utf8(std::string& out, std::uint32_t cp)
{
    weft::detail::append_utf8_or_replacement(out, cp);
}

// Attributes whose values HTML matches ASCII case-insensitively (HTML §4.16.2, "case-sensitivity").
bool html_case_insensitive_attribute(std::string_view name) noexcept
{
    static constexpr std::array<std::string_view, 46> names = {
        "accept",     "accept-charset", "align",     "alink",    "axis",     "bgcolor", "charset",
        "checked",    "clear",          "codetype",  "color",    "compact",  "declare", "defer",
        "dir",        "direction",      "disabled",  "enctype",  "face",     "frame",   "hreflang",
        "http-equiv", "lang",           "language",  "link",     "media",    "method",  "multiple",
        "nohref",     "noresize",       "noshade",   "nowrap",   "readonly", "rel",     "rev",
        "rules",      "scope",          "scrolling", "selected", "shape",    "target",  "text",
        "type",       "valign",         "valuetype", "vlink"};
    return std::find(names.begin(), names.end(), name) != names.end();
}

class parser
{
public:
    explicit parser(std::string_view s) : s_(s) {}

    selector_list parse()
    {
        selector_list l;
        l.text = std::string(s_);
        parse_list(l.items, context::top);
        if (!eof())
            fail_what(p_, std::string("unexpected '") + s_[p_] + "'");
        return l;
    }

private:
    enum class context
    {
        top,      // leading combinator allowed, relative to the element searched from
        relative, // :has(): leading combinator allowed, descendant by default
        nested,   // :is(), :not(), "of S": complete selectors only
    };

    std::string_view s_;
    std::size_t p_ = 0;
    std::size_t depth_ = 0;

    bool eof() const noexcept { return p_ >= s_.size(); }
    char peek(std::size_t ahead = 0) const noexcept { return p_ + ahead < s_.size() ? s_[p_ + ahead] : '\0'; }

    [[noreturn]] void fail(std::string expected) const { throw failure{p_, std::move(expected), {}}; }
    [[noreturn]] void fail_what(std::size_t at, std::string what) const { throw failure{at, {}, std::move(what)}; }

    // Skips whitespace and comments; true when there was whitespace (a comment alone is no
    // combinator: "p/**/.a" is "p.a").
    bool skip_ws()
    {
        bool ws = false;
        for (;;)
        {
            if (!eof() && text::is_html_space(s_[p_]))
            {
                ++p_;
                ws = true;
            }
            else if (!skip_comment())
                return ws;
        }
    }

    bool skip_comment()
    {
        if (peek() != '/' || peek(1) != '*' || p_ + 1 >= s_.size())
            return false;
        auto const end = s_.find("*/", p_ + 2);
        if (end == std::string_view::npos)
            fail("'*/'");
        p_ = end + 2;
        return true;
    }

    bool valid_escape(std::size_t at) const noexcept
    {
        return at < s_.size() && s_[at] == '\\' &&
               (at + 1 >= s_.size() || (s_[at + 1] != '\n' && s_[at + 1] != '\r' && s_[at + 1] != '\f'));
    }

    bool starts_ident(std::size_t at) const noexcept
    {
        if (at >= s_.size())
            return false;
        char const c = s_[at];
        if (c == '-')
        {
            if (at + 1 >= s_.size())
                return false;
            char const c2 = s_[at + 1];
            return c2 == '-' || is_name_start(c2) || valid_escape(at + 1);
        }
        return is_name_start(c) || valid_escape(at);
    }

    void consume_escape(std::string& out)
    {
        ++p_; // the backslash
        if (eof())
        {
            append_utf8(out, 0xFFFD);
            return;
        }
        if (text::is_hex_digit(s_[p_]))
        {
            std::uint32_t cp = 0;
            for (int i = 0; i < 6 && !eof() && text::is_hex_digit(s_[p_]); ++i, ++p_)
            {
                char const c = s_[p_];
                cp = cp * 16 + text::hex_value(c);
            }
            if (peek() == '\r' && peek(1) == '\n')
                p_ += 2;
            else if (!eof() && text::is_html_space(s_[p_]))
                ++p_;
            append_utf8(out, cp);
            return;
        }
        out += s_[p_++];
    }

    std::string ident(char const* expected = "an identifier")
    {
        if (!starts_ident(p_))
            fail(expected);
        std::string out;
        while (!eof())
        {
            char const c = s_[p_];
            if (is_name_char(c))
            {
                out += c;
                ++p_;
            }
            else if (valid_escape(p_))
                consume_escape(out);
            else
                break;
        }
        return out;
    }

    std::string string_token()
    {
        char const q = s_[p_++];
        std::string out;
        for (;;)
        {
            if (eof() || s_[p_] == '\n' || s_[p_] == '\r' || s_[p_] == '\f')
                fail(q == '"' ? "'\"'" : "\"'\"");
            char const c = s_[p_];
            if (c == q)
            {
                ++p_;
                return out;
            }
            if (c == '\\')
            {
                if (p_ + 1 >= s_.size())
                    ++p_;
                else if (s_[p_ + 1] == '\n' || s_[p_ + 1] == '\f')
                    p_ += 2;
                else if (s_[p_ + 1] == '\r')
                    p_ += (p_ + 2 < s_.size() && s_[p_ + 2] == '\n') ? 3 : 2;
                else
                    consume_escape(out);
                continue;
            }
            out += c;
            ++p_;
        }
    }

    void expect(char c)
    {
        if (peek() != c || eof())
            fail(std::string("'") + c + "'");
        ++p_;
    }

    std::optional<combinator> peek_combinator() const noexcept
    {
        switch (peek())
        {
        case '>':
            return combinator::child;
        case '+':
            return combinator::next_sibling;
        case '~':
            return combinator::subsequent_sibling;
        default:
            return std::nullopt;
        }
    }

    void parse_list(std::vector<complex_selector>& out, context ctx)
    {
        if (++depth_ > max_nesting)
            fail_what(p_, "selector nested too deeply");
        for (;;)
        {
            skip_ws();
            out.push_back(parse_complex(ctx));
            skip_ws();
            if (peek() != ',' || eof())
                break;
            ++p_;
        }
        --depth_;
    }

    complex_selector parse_complex(context ctx)
    {
        complex_selector cx;
        if (auto comb = peek_combinator(); comb && !eof())
        {
            if (ctx == context::nested)
                fail("a selector");
            cx.leading = *comb;
            ++p_;
            skip_ws();
        }
        else if (ctx == context::relative)
            cx.leading = combinator::descendant;
        cx.compounds.push_back(parse_compound());
        for (;;)
        {
            bool const ws = skip_ws();
            if (eof())
                break;
            if (auto comb = peek_combinator())
            {
                ++p_;
                skip_ws();
                cx.combinators.push_back(*comb);
            }
            else if (ws && peek() != ',' && peek() != ')')
                cx.combinators.push_back(combinator::descendant);
            else
                break;
            cx.compounds.push_back(parse_compound());
        }
        return cx;
    }

    bool namespace_bar() const noexcept { return peek() == '|' && peek(1) != '=' && p_ < s_.size(); }

    compound_selector parse_compound()
    {
        compound_selector c;
        bool any = false;
        std::size_t const start = p_;
        if (peek() == '*' && !eof())
        {
            ++p_;
            any = true;
            if (namespace_bar()) // "*|E" or "*|*"
            {
                ++p_;
                if (peek() == '*' && !eof())
                    ++p_;
                else
                    c.tag = text::to_lower(ident("an element name or '*'"));
            }
        }
        else if (namespace_bar()) // "|E": no namespace, which no HTML element has
        {
            ++p_;
            if (peek() == '*' && !eof())
                ++p_;
            else
                c.tag = text::to_lower(ident("an element name or '*'"));
            c.never = true;
            any = true;
        }
        else if (starts_ident(p_))
        {
            std::string name = ident();
            if (namespace_bar())
                fail_what(start, "undeclared namespace prefix '" + name + "'");
            c.tag = text::to_lower(std::move(name));
            any = true;
        }
        for (;;)
        {
            if (skip_comment())
                continue;
            char const ch = peek();
            if (eof())
                break;
            if (ch == '#' || ch == '.')
            {
                ++p_;
                simple_selector s;
                s.kind = ch == '#' ? simple_selector::id : simple_selector::class_;
                s.value = ident(ch == '#' ? "an id" : "a class name");
                c.simples.push_back(std::move(s));
            }
            else if (ch == '[')
                c.simples.push_back(parse_attribute());
            else if (ch == ':')
                c.simples.push_back(parse_pseudo());
            else
                break;
            any = true;
        }
        if (!any)
            fail("a selector");
        return c;
    }

    simple_selector parse_attribute()
    {
        ++p_; // '['
        skip_ws();
        simple_selector s;
        s.kind = simple_selector::attribute;
        std::size_t const start = p_;
        if (peek() == '*' && peek(1) == '|')
            p_ += 2;
        else if (namespace_bar())
            ++p_;
        std::string name = ident("an attribute name");
        if (namespace_bar())
            fail_what(start, "undeclared namespace prefix '" + name + "'");
        s.name = text::to_lower(std::move(name));
        skip_ws();
        if (peek() == ']' && !eof())
        {
            ++p_;
            return s;
        }
        switch (peek())
        {
        case '=':
            s.op = attr_op::equals;
            break;
        case '~':
            s.op = attr_op::includes;
            break;
        case '|':
            s.op = attr_op::dash;
            break;
        case '^':
            s.op = attr_op::prefix;
            break;
        case '$':
            s.op = attr_op::suffix;
            break;
        case '*':
            s.op = attr_op::substring;
            break;
        default:
            fail(eof() ? "']'" : "an attribute operator or ']'");
        }
        if (s.op == attr_op::equals)
            ++p_;
        else
        {
            ++p_;
            if (peek() != '=' || eof())
                fail("'='");
            ++p_;
        }
        skip_ws();
        if (peek() == '"' || peek() == '\'')
            s.value = string_token();
        else if (!eof() && (is_name_char(peek()) || valid_escape(p_)))
        {
            // Unquoted: an identifier in CSS; numbers like [data-id=5] are accepted too (as
            // jQuery, cheerio and soupsieve do).
            while (!eof() && (is_name_char(s_[p_]) || valid_escape(p_)))
            {
                if (s_[p_] == '\\')
                    consume_escape(s.value);
                else
                    s.value += s_[p_++];
            }
        }
        else
            fail("an attribute value");
        s.icase = html_case_insensitive_attribute(s.name);
        skip_ws();
        if (starts_ident(p_))
        {
            std::size_t const at = p_;
            std::string const flag = text::to_lower(ident());
            if (flag == "i")
                s.icase = true;
            else if (flag == "s")
                s.icase = false;
            else
                fail_what(at, "unknown attribute flag '" + flag + "' (expected 'i' or 's')");
            skip_ws();
        }
        expect(']');
        return s;
    }

    // An+B (CSS Syntax §6): "odd", "even", "+5", "-n+3", "2n - 1"; whitespace only around the
    // sign of B. Large values saturate.
    std::pair<std::int64_t, std::int64_t> parse_anb()
    {
        constexpr std::int64_t cap = 1'000'000'000;
        auto number = [&]()
        {
            std::int64_t v = 0;
            while (!eof() && is_digit(s_[p_]))
                v = std::min(cap, v * 10 + (s_[p_++] - '0'));
            return v;
        };
        auto word = [&](std::string_view w)
        {
            if (p_ + w.size() > s_.size() || !text::iequals(s_.substr(p_, w.size()), w))
                return false;
            if (p_ + w.size() < s_.size() && is_name_char(s_[p_ + w.size()]))
                return false;
            p_ += w.size();
            return true;
        };
        if (word("odd"))
            return {2, 1};
        if (word("even"))
            return {2, 0};
        std::int64_t sign = 1;
        if (peek() == '+' || peek() == '-')
        {
            sign = peek() == '-' ? -1 : 1;
            ++p_;
        }
        bool const has_digits = is_digit(peek()) && !eof();
        std::int64_t const lead = has_digits ? number() : 1;
        if (text::to_lower(peek()) == 'n' && !eof())
        {
            ++p_;
            std::int64_t const a = sign * lead;
            std::int64_t b = 0;
            // "n-1" arrives here as 'n' then '-'; "n1" or "nx" is one identifier: invalid.
            if (!eof() && is_name_char(peek()) && peek() != '-')
                fail("An+B");
            skip_ws();
            if (peek() == '+' || peek() == '-')
            {
                std::int64_t const bsign = peek() == '-' ? -1 : 1;
                ++p_;
                skip_ws();
                if (!is_digit(peek()) || eof())
                    fail("an integer");
                b = bsign * number();
            }
            return {a, b};
        }
        if (!has_digits)
            fail("An+B");
        return {0, sign * lead};
    }

    simple_selector parse_pseudo()
    {
        std::size_t const start = p_;
        ++p_; // ':'
        if (peek() == ':')
        {
            ++p_;
            std::string const name = starts_ident(p_) ? ident() : std::string();
            fail_what(start, "pseudo-elements are not supported ('::" + name + "')");
        }
        std::string const name = text::to_lower(ident("a pseudo-class name"));
        simple_selector s;
        s.kind = simple_selector::pseudo_class;
        auto nth = [&](pseudo pc, std::int64_t a, std::int64_t b)
        {
            s.pc = pc;
            s.a = a;
            s.b = b;
            return s;
        };
        if (peek() != '(' || eof())
        {
            if (name == "first-child")
                return nth(pseudo::nth_child, 0, 1);
            if (name == "last-child")
                return nth(pseudo::nth_last_child, 0, 1);
            if (name == "first-of-type")
                return nth(pseudo::nth_of_type, 0, 1);
            if (name == "last-of-type")
                return nth(pseudo::nth_last_of_type, 0, 1);
            static constexpr std::pair<std::string_view, pseudo> plain[] = {
                {"only-child", pseudo::only_child},
                {"only-of-type", pseudo::only_of_type},
                {"empty", pseudo::empty},
                {"root", pseudo::root},
                {"scope", pseudo::scope},
                {"checked", pseudo::checked},
                {"disabled", pseudo::disabled},
                {"enabled", pseudo::enabled},
                {"required", pseudo::required},
                {"optional", pseudo::optional},
                {"read-only", pseudo::read_only},
                {"read-write", pseudo::read_write},
                {"placeholder-shown", pseudo::placeholder_shown},
                {"link", pseudo::link},
                {"any-link", pseudo::link},
                {"hover", pseudo::never},
                {"active", pseudo::never},
                {"focus", pseudo::never},
                {"focus-within", pseudo::never},
                {"focus-visible", pseudo::never},
                {"visited", pseudo::never},
                {"target", pseudo::never},
                {"target-within", pseudo::never},
            };
            for (auto const& [n, pc] : plain)
                if (n == name)
                {
                    s.pc = pc;
                    return s;
                }
            if (name == "before" || name == "after" || name == "first-line" || name == "first-letter")
                fail_what(start, "pseudo-elements are not supported (':" + name + "')");
            if (name == "not" || name == "is" || name == "where" || name == "matches" || name == "has" ||
                name == "nth-child" || name == "nth-last-child" || name == "nth-of-type" ||
                name == "nth-last-of-type" || name == "lang" || name == "contains")
                fail("'('");
            fail_what(start, "unknown pseudo-class ':" + name + "'");
        }
        ++p_; // '('
        skip_ws();
        if (name == "nth-child" || name == "nth-last-child" || name == "nth-of-type" || name == "nth-last-of-type")
        {
            auto [a, b] = parse_anb();
            if (!eof() && is_name_char(peek()))
                fail("')'");
            s.pc = name == "nth-child"        ? pseudo::nth_child
                   : name == "nth-last-child" ? pseudo::nth_last_child
                   : name == "nth-of-type"    ? pseudo::nth_of_type
                                              : pseudo::nth_last_of_type;
            s.a = a;
            s.b = b;
            bool const ws = skip_ws();
            if (ws && (s.pc == pseudo::nth_child || s.pc == pseudo::nth_last_child) && p_ + 2 < s_.size() &&
                text::iequals(s_.substr(p_, 2), "of") && text::is_html_space(s_[p_ + 2]))
            {
                p_ += 2;
                auto sub = std::make_shared<selector_list>();
                parse_list(sub->items, context::nested);
                s.sub = std::move(sub);
            }
        }
        else if (name == "not" || name == "is" || name == "where" || name == "matches" || name == "has")
        {
            s.pc = name == "not" ? pseudo::not_ : name == "has" ? pseudo::has : pseudo::is;
            auto sub = std::make_shared<selector_list>();
            parse_list(sub->items, s.pc == pseudo::has ? context::relative : context::nested);
            s.sub = std::move(sub);
        }
        else if (name == "lang")
        {
            s.pc = pseudo::lang;
            for (;;)
            {
                skip_ws();
                if (peek() == '"' || peek() == '\'')
                    s.langs.push_back(string_token());
                else if (peek() == '*' && !eof())
                {
                    ++p_;
                    s.langs.emplace_back("*");
                }
                else
                    s.langs.push_back(ident("a language range"));
                skip_ws();
                if (peek() != ',' || eof())
                    break;
                ++p_;
            }
        }
        else if (name == "contains" || name == "-soup-contains")
        {
            s.pc = pseudo::contains;
            if (peek() == '"' || peek() == '\'')
                s.value = string_token();
            else
                s.value = ident("a string");
        }
        else
            fail_what(start, "unknown pseudo-class ':" + name + "()'");
        skip_ws();
        expect(')');
        return s;
    }
};

// ---------------------------------------------------------------------------------------------
// Matcher: right to left, over the flat element index; no allocation except for :contains().

bool ascii_contains(std::string_view hay, std::string_view needle, bool icase) noexcept
{
    if (!icase)
        return hay.find(needle) != std::string_view::npos;
    if (needle.size() > hay.size())
        return false;
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i)
        if (text::iequals(hay.substr(i, needle.size()), needle))
            return true;
    return false;
}

bool eq(std::string_view a, std::string_view b, bool icase) noexcept
{
    return icase ? text::iequals(a, b) : a == b;
}

template <class F>
bool any_token(std::string_view v, F f) noexcept
{
    std::size_t i = 0;
    while (i < v.size())
    {
        while (i < v.size() && text::is_html_space(v[i]))
            ++i;
        std::size_t j = i;
        while (j < v.size() && !text::is_html_space(v[j]))
            ++j;
        if (j > i && f(v.substr(i, j - i)))
            return true;
        i = j;
    }
    return false;
}

bool nth_matches(std::int64_t a, std::int64_t b, std::int64_t pos) noexcept
{
    if (a == 0)
        return pos == b;
    std::int64_t const diff = pos - b;
    return diff % a == 0 && diff / a >= 0;
}

class matcher
{
public:
    matcher(document_impl const& d, std::uint32_t scope) noexcept : d_(d), scope_(scope) {}

    bool list(selector_list const& l, std::uint32_t e, std::uint32_t anchor) const
    {
        for (auto const& cx : l.items)
            if (complex(cx, e, anchor))
                return true;
        return false;
    }

private:
    document_impl const& d_;
    std::uint32_t scope_;

    node_info const& n(std::uint32_t i) const noexcept { return d_.nodes[i]; }

    bool complex(complex_selector const& cx, std::uint32_t e, std::uint32_t anchor) const
    {
        return at(cx, cx.compounds.size() - 1, e, anchor);
    }

    bool at(complex_selector const& cx, std::size_t k, std::uint32_t e, std::uint32_t anchor) const
    {
        if (!compound(cx.compounds[k], e))
            return false;
        if (k == 0)
            return leading(cx.leading, e, anchor);
        switch (cx.combinators[k - 1])
        {
        case combinator::child:
            return n(e).parent != npos && at(cx, k - 1, n(e).parent, anchor);
        case combinator::descendant:
            for (auto p = n(e).parent; p != npos; p = n(p).parent)
                if (at(cx, k - 1, p, anchor))
                    return true;
            return false;
        case combinator::next_sibling:
            return n(e).prev != npos && at(cx, k - 1, n(e).prev, anchor);
        case combinator::subsequent_sibling:
            for (auto p = n(e).prev; p != npos; p = n(p).prev)
                if (at(cx, k - 1, p, anchor))
                    return true;
            return false;
        case combinator::none:
            break;
        }
        return false;
    }

    // Whether the leftmost compound's element e stands in relation c to the anchor.
    bool leading(combinator c, std::uint32_t e, std::uint32_t anchor) const noexcept
    {
        switch (c)
        {
        case combinator::none:
            return true;
        case combinator::child:
            return n(e).parent == anchor;
        case combinator::descendant:
            return anchor == npos || (e > anchor && e < n(anchor).end);
        case combinator::next_sibling:
            return anchor != npos && n(e).prev == anchor;
        case combinator::subsequent_sibling:
            return anchor != npos && anchor < e && n(anchor).parent == n(e).parent;
        }
        return false;
    }

    bool compound(compound_selector const& c, std::uint32_t e) const
    {
        if (c.never)
            return false;
        if (!c.tag.empty() && n(e).tag != c.tag)
            return false;
        for (auto const& s : c.simples)
            if (!simple(s, e))
                return false;
        return true;
    }

    GumboAttribute const* attribute(std::uint32_t e, std::string_view name) const noexcept
    {
        return find_attribute(n(e).node, name);
    }
    bool has(std::uint32_t e, std::string_view name) const noexcept { return attribute(e, name) != nullptr; }
    bool tag_is(std::uint32_t e, std::string_view t) const noexcept { return n(e).tag == t; }

    bool simple(simple_selector const& s, std::uint32_t e) const
    {
        switch (s.kind)
        {
        case simple_selector::id:
        {
            auto const* a = attribute(e, "id");
            return a && s.value == a->value;
        }
        case simple_selector::class_:
            return has_class_token(n(e).node, s.value);
        case simple_selector::attribute:
            return attribute_matches(s, e);
        case simple_selector::pseudo_class:
            return pseudo_matches(s, e);
        }
        return false;
    }

    bool attribute_matches(simple_selector const& s, std::uint32_t e) const noexcept
    {
        auto const* a = attribute(e, s.name);
        if (!a)
            return false;
        std::string_view const v = a->value;
        std::string_view const x = s.value;
        switch (s.op)
        {
        case attr_op::exists:
            return true;
        case attr_op::equals:
            return eq(v, x, s.icase);
        case attr_op::includes:
            if (x.empty() || std::any_of(x.begin(), x.end(), text::is_html_space))
                return false;
            return any_token(v, [&](std::string_view t) { return eq(t, x, s.icase); });
        case attr_op::dash:
            return eq(v, x, s.icase) ||
                   (v.size() > x.size() && v[x.size()] == '-' && eq(v.substr(0, x.size()), x, s.icase));
        case attr_op::prefix:
            return !x.empty() && v.size() >= x.size() && eq(v.substr(0, x.size()), x, s.icase);
        case attr_op::suffix:
            return !x.empty() && v.size() >= x.size() && eq(v.substr(v.size() - x.size()), x, s.icase);
        case attr_op::substring:
            return !x.empty() && ascii_contains(v, x, s.icase);
        }
        return false;
    }

    // 1-based position among siblings (only those matching of, when given), counted from the
    // start or the end; 0 when e itself does not match of.
    std::int64_t position(std::uint32_t e, bool from_end, bool of_type, selector_list const* of) const
    {
        if (of && !list(*of, e, npos))
            return 0;
        if (!of && !of_type)
        {
            auto const& me = n(e);
            return from_end ? std::int64_t(d_.count_children(me.parent)) - me.child_pos + 1 : me.child_pos;
        }
        std::int64_t pos = 1;
        for (auto s = from_end ? n(e).next : n(e).prev; s != npos; s = from_end ? n(s).next : n(s).prev)
            if (of_type ? n(s).tag == n(e).tag : list(*of, s, npos))
                ++pos;
        return pos;
    }

    bool in_disabled_fieldset(std::uint32_t e) const noexcept
    {
        for (std::uint32_t child = e, p = n(e).parent; p != npos; child = p, p = n(p).parent)
        {
            if (!tag_is(p, "fieldset") || !has(p, "disabled"))
                continue;
            std::uint32_t legend = npos;
            for (auto c = n(p).first_child; c != npos; c = n(c).next)
                if (tag_is(c, "legend"))
                {
                    legend = c;
                    break;
                }
            if (child != legend)
                return true;
        }
        return false;
    }

    bool disabled(std::uint32_t e) const noexcept
    {
        auto const t = n(e).tag;
        if (t == "button" || t == "input" || t == "select" || t == "textarea" || t == "fieldset")
            return has(e, "disabled") || in_disabled_fieldset(e);
        if (t == "optgroup")
            return has(e, "disabled");
        if (t == "option")
            return has(e, "disabled") ||
                   (n(e).parent != npos && tag_is(n(e).parent, "optgroup") && has(n(e).parent, "disabled"));
        return false;
    }

    bool read_write(std::uint32_t e) const noexcept
    {
        auto const t = n(e).tag;
        if (t == "input")
        {
            if (has(e, "readonly") || disabled(e))
                return false;
            auto const* type = attribute(e, "type");
            if (!type)
                return true;
            for (std::string_view x :
                 {"hidden", "range", "color", "checkbox", "radio", "file", "submit", "image", "reset", "button"})
                if (text::iequals(type->value, x))
                    return false;
            return true;
        }
        if (t == "textarea")
            return !has(e, "readonly") && !disabled(e);
        if (auto const* ce = attribute(e, "contenteditable"))
            return !*ce->value || text::iequals(ce->value, "true") || text::iequals(ce->value, "plaintext-only");
        return false;
    }

    bool pseudo_matches(simple_selector const& s, std::uint32_t e) const
    {
        switch (s.pc)
        {
        case pseudo::nth_child:
        case pseudo::nth_last_child:
        case pseudo::nth_of_type:
        case pseudo::nth_last_of_type:
        {
            bool const from_end = s.pc == pseudo::nth_last_child || s.pc == pseudo::nth_last_of_type;
            bool const of_type = s.pc == pseudo::nth_of_type || s.pc == pseudo::nth_last_of_type;
            std::int64_t const pos = position(e, from_end, of_type, s.sub.get());
            return pos > 0 && nth_matches(s.a, s.b, pos);
        }
        case pseudo::only_child:
            return d_.count_children(n(e).parent) == 1;
        case pseudo::only_of_type:
            return position(e, false, true, nullptr) == 1 && position(e, true, true, nullptr) == 1;
        case pseudo::empty:
        {
            GumboVector const& kids = n(e).node->v.element.children;
            for (unsigned i = 0; i < kids.length; ++i)
                if (static_cast<GumboNode const*>(kids.data[i])->type != GUMBO_NODE_COMMENT)
                    return false;
            return true;
        }
        case pseudo::root:
            return n(e).parent == npos;
        case pseudo::scope:
            return scope_ == npos ? n(e).parent == npos : e == scope_;
        case pseudo::checked:
        {
            if (tag_is(e, "input"))
            {
                auto const* type = attribute(e, "type");
                return type && (text::iequals(type->value, "checkbox") || text::iequals(type->value, "radio")) &&
                       has(e, "checked");
            }
            return tag_is(e, "option") && has(e, "selected");
        }
        case pseudo::disabled:
            return disabled(e);
        case pseudo::enabled:
        {
            auto const t = n(e).tag;
            return (t == "button" || t == "input" || t == "select" || t == "textarea" || t == "optgroup" ||
                    t == "option" || t == "fieldset") &&
                   !disabled(e);
        }
        case pseudo::required:
        case pseudo::optional:
        {
            auto const t = n(e).tag;
            if (t != "input" && t != "select" && t != "textarea")
                return false;
            return has(e, "required") == (s.pc == pseudo::required);
        }
        case pseudo::read_write:
            return read_write(e);
        case pseudo::read_only:
            return !read_write(e);
        case pseudo::placeholder_shown:
        {
            if (!has(e, "placeholder"))
                return false;
            if (tag_is(e, "input"))
            {
                auto const* v = attribute(e, "value");
                return !v || !*v->value;
            }
            return tag_is(e, "textarea") && n(e).node->v.element.children.length == 0;
        }
        case pseudo::link:
            return (tag_is(e, "a") || tag_is(e, "area")) && has(e, "href");
        case pseudo::never:
            return false;
        case pseudo::not_:
            return !list(*s.sub, e, npos);
        case pseudo::is:
            return list(*s.sub, e, npos);
        case pseudo::has:
            return has_relative(*s.sub, e);
        case pseudo::lang:
            for (auto p = e; p != npos; p = n(p).parent)
            {
                auto const* a = attribute(p, "lang");
                if (!a)
                    a = attribute(p, "xml:lang");
                if (!a)
                    continue;
                std::string_view const v = a->value;
                for (auto const& r : s.langs)
                {
                    if (r == "*" ? !v.empty()
                                 : (!r.empty() && (text::iequals(v, r) || (v.size() > r.size() && v[r.size()] == '-' &&
                                                                           text::iequals(v.substr(0, r.size()), r)))))
                        return true;
                }
                return false;
            }
            return false;
        case pseudo::contains:
        {
            std::string text;
            append_text(n(e).node, text, false);
            return text.find(s.value) != std::string::npos;
        }
        }
        return false;
    }

    // :has(): some element related to e as each relative selector says matches it.
    bool has_relative(selector_list const& l, std::uint32_t e) const
    {
        for (auto const& cx : l.items)
        {
            bool const single = cx.compounds.size() == 1;
            if (cx.leading == combinator::child && single)
            {
                for (auto c = n(e).first_child; c != npos; c = n(c).next)
                    if (compound(cx.compounds[0], c))
                        return true;
                continue;
            }
            if (cx.leading == combinator::next_sibling && single)
            {
                if (n(e).next != npos && compound(cx.compounds[0], n(e).next))
                    return true;
                continue;
            }
            std::uint32_t begin = e + 1, end = n(e).end;
            if (cx.leading == combinator::next_sibling || cx.leading == combinator::subsequent_sibling)
            {
                begin = n(e).end;
                end = n(e).parent == npos ? static_cast<std::uint32_t>(d_.nodes.size()) : n(n(e).parent).end;
            }
            for (auto c = begin; c < end; ++c)
                if (complex(cx, c, e))
                    return true;
        }
        return false;
    }
};

} // namespace

bool has_class_token(GumboNode const* node, std::string_view cls) noexcept
{
    if (cls.empty())
        return false;
    auto const* a = find_attribute(node, "class");
    return a && any_token(a->value, [&](std::string_view t) { return t == cls; });
}

bool matches(document_impl const& d, selector_list const& list, std::uint32_t i, std::uint32_t scope)
{
    return matcher(d, scope).list(list, i, scope);
}

} // namespace detail

selector_error::selector_error(selector_diagnostics diag)
    : boost::system::system_error(make_error_code(error::bad_selector), diag.message), diag_(std::move(diag))
{
}

boost::system::result<selector> selector::parse(std::string_view text, selector_diagnostics* diag)
{
    try
    {
        detail::parser p(text);
        return selector(std::make_shared<detail::selector_list const>(p.parse()));
    }
    catch (detail::failure const& f)
    {
        if (diag)
        {
            diag->position = f.offset + 1;
            diag->expected = f.expected;
            diag->message = "invalid CSS selector '" + std::string(text) +
                            "': " + (f.what.empty() ? "expected " + f.expected : f.what) + " at position " +
                            std::to_string(f.offset + 1);
        }
        return make_error_code(error::bad_selector);
    }
}

selector::selector(std::string_view text)
{
    selector_diagnostics diag;
    auto r = parse(text, &diag);
    if (!r)
        throw selector_error(std::move(diag));
    impl_ = std::move(r->impl_);
}

std::string_view selector::text() const noexcept
{
    return impl_->text;
}

bool selector::matches(element const& e) const
{
    return detail::matches(e.owner(), *impl_, e.index(), detail::npos);
}

} // namespace weft::html
