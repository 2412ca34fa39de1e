// The selector parser: recursive descent over the raw text (CSS Syntax tokenization rules
// applied inline, selector_lexer.hpp), producing the compiled selector_list the matcher walks.
#include "selector_impl.hpp"
#include "selector_lexer.hpp"

#include <algorithm>
#include <array>
#include <optional>

namespace weft::html::detail
{
namespace
{

constexpr std::size_t max_nesting = 32;

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

class parser : selector_lexer
{
public:
    explicit parser(std::string_view s) : selector_lexer(s) {}

    selector_list parse()
    {
        selector_list l;
        l.text = std::string(s_);
        parse_list(l.items, context::top);
        if (!eof())
            fail_what(p_, std::string("unexpected '") + s_[p_] + "'");
        finish_strings(l);
        return l;
    }

private:
    enum class context
    {
        top,      // leading combinator allowed, relative to the element searched from
        relative, // :has(): leading combinator allowed, descendant by default
        nested,   // :is(), :not(), "of S": complete selectors only
    };

    // The pseudo-element parse_compound met, for parse_complex to attach to its item.
    pseudo_element pe_ = pseudo_element::none;
    std::string pe_attr_;
    std::size_t pe_start_ = 0;

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
            if (pe_ != pseudo_element::none)
            {
                attach_pseudo_element(cx, ctx);
                break;
            }
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
            else if (ch == ':' && peek(1) == ':')
            {
                parse_pseudo_element();
                any = true;
                break;
            }
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

    // parsel's pseudo-elements: "::text" and "::attr(name)" (the name an identifier or a string).
    void parse_pseudo_element()
    {
        std::size_t const start = p_;
        p_ += 2; // "::"
        std::string const name = text::to_lower(starts_ident(p_) ? ident() : std::string());
        pe_start_ = start;
        if (name == "text" && peek() != '(')
        {
            pe_ = pseudo_element::text;
            return;
        }
        if (name == "attr" && peek() == '(')
        {
            ++p_;
            skip_ws();
            if (peek() == '"' || peek() == '\'')
                pe_attr_ = string_token();
            else
                pe_attr_ = ident("an attribute name");
            skip_ws();
            expect(')');
            pe_ = pseudo_element::attr;
            return;
        }
        std::string const shown = "::" + name + (peek() == '(' ? "()" : "");
        fail_what(start, "unknown pseudo-element '" + shown +
                             "' (supported: parsel's '::text' and '::attr(name)'; browsers' ::before, ::after, "
                             "::first-line... select nothing in a parsed page)");
    }

    // A pseudo-element ends its item (as in parsel) and is not allowed inside :is() and friends.
    void attach_pseudo_element(complex_selector& cx, context ctx)
    {
        std::string const shown = pe_ == pseudo_element::text ? std::string("::text") : "::attr(" + pe_attr_ + ")";
        if (ctx != context::top)
            fail_what(pe_start_, "'" + shown + "' cannot be used inside :is(), :not(), :has() or :nth-child(of S)");
        skip_ws();
        if (!eof() && peek() != ',')
            fail_what(pe_start_, "'" + shown + "' must end the selector (it selects strings, which have no descendants)");
        cx.pe = pe_;
        cx.pe_attr = std::move(pe_attr_);
        pe_ = pseudo_element::none;
        pe_attr_.clear();
    }

    // A list gives elements or strings, not both. parsel drops a trailing "*" after a descendant
    // combinator: "div *::text" and "div ::text" are every text node inside a div, the div's own
    // direct text included; a copy of the item without the "*" adds the div.
    static void finish_strings(selector_list& l)
    {
        std::size_t const n = l.items.size();
        std::size_t strings = 0;
        for (auto const& cx : l.items)
            strings += cx.pe != pseudo_element::none;
        if (strings == 0)
            return;
        if (strings != n)
            throw failure{0, {},
                          "the list mixes items ending in ::text or ::attr() (strings) with items that select "
                          "elements; split it into two selectors"};
        for (std::size_t i = 0; i < n; ++i)
        {
            complex_selector const& cx = l.items[i];
            auto const& last = cx.compounds.back();
            if (cx.compounds.size() < 2 || cx.combinators.back() != combinator::descendant || !last.tag.empty() ||
                last.never || !last.simples.empty())
                continue;
            complex_selector self = cx;
            self.compounds.pop_back();
            self.combinators.pop_back();
            l.items.push_back(std::move(self));
        }
    }

    simple_selector parse_pseudo()
    {
        std::size_t const start = p_;
        ++p_; // ':'
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
                fail_what(start, "':" + name + "' is a pseudo-element of browsers and selects nothing in a parsed page "
                                 "(supported pseudo-elements: '::text', '::attr(name)')");
            if (name == "not" || name == "is" || name == "where" || name == "matches" || name == "has" ||
                name == "nth-child" || name == "nth-last-child" || name == "nth-of-type" ||
                name == "nth-last-of-type" || name == "lang" || name == "contains")
                fail("'('");
            if (name == "text")
                fail_what(start, "unknown pseudo-class ':text' (the pseudo-element is '::text', two colons)");
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
        else if (name == "attr")
            fail_what(start, "unknown pseudo-class ':attr()' (the pseudo-element is '::attr(name)', two colons)");
        else
            fail_what(start, "unknown pseudo-class ':" + name + "()'");
        skip_ws();
        expect(')');
        return s;
    }
};

} // namespace

selector_list parse_selector_list(std::string_view text)
{
    return parser(text).parse();
}

} // namespace weft::html::detail
