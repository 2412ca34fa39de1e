// XPath 1.0 grammar (XPath 1.0 §2, §3) by recursive descent over xpath_lexer's tokens.
#include "xpath_impl.hpp"

#include <algorithm>
#include <array>

namespace weft::html::detail
{
namespace
{

// Parentheses, predicates and arguments inside each other; and the height of the tree, which
// left-associative chains (`1+1+1...`) grow without recursion in the parser.
constexpr int max_nesting = 100;
constexpr int max_depth = 256;

struct axis_name
{
    std::string_view name;
    axis ax;
};

constexpr std::array<axis_name, 13> axes{{
    {"ancestor", axis::ancestor},
    {"ancestor-or-self", axis::ancestor_or_self},
    {"attribute", axis::attribute},
    {"child", axis::child},
    {"descendant", axis::descendant},
    {"descendant-or-self", axis::descendant_or_self},
    {"following", axis::following},
    {"following-sibling", axis::following_sibling},
    {"namespace", axis::namespace_},
    {"parent", axis::parent},
    {"preceding", axis::preceding},
    {"preceding-sibling", axis::preceding_sibling},
    {"self", axis::self},
}};

char const* describe(tok k) noexcept
{
    switch (k)
    {
    case tok::end:
        return "the end";
    case tok::rparen:
        return "')'";
    case tok::rbracket:
        return "']'";
    case tok::comma:
        return "','";
    default:
        return "a token";
    }
}

class parser
{
public:
    explicit parser(std::string_view text) : text_(text), lexer_(text), cur_(lexer_.next()) {}

    expr_ptr run()
    {
        auto e = parse_expr();
        if (peek().kind != tok::end)
            throw xpath_failure{peek().pos, "an operator or the end",
                                "unexpected '" + token_text(peek()) + "': expected an operator or the end"};
        return e;
    }

private:
    // The current token; a reference to it changes with next().
    token const& peek() const noexcept { return cur_; }
    token next()
    {
        token t = std::move(cur_);
        cur_ = lexer_.next();
        return t;
    }
    bool accept(tok k)
    {
        if (peek().kind != k)
            return false;
        next();
        return true;
    }
    void expect(tok k)
    {
        if (!accept(k))
            throw xpath_failure{peek().pos, describe(k), {}};
    }
    std::string token_text(token const& t) const
    {
        return std::string(text_.substr(t.pos, std::max(t.end, t.pos + 1) - t.pos));
    }

    struct nest_guard
    {
        explicit nest_guard(parser& p) : p_(p)
        {
            if (++p_.nesting_ > max_nesting)
                fail_at(p_.peek().pos, "the expression nests deeper than " + std::to_string(max_nesting) + " levels");
        }
        ~nest_guard() { --p_.nesting_; }
        parser& p_;
    };

    expr_ptr make(op k, std::size_t pos) const
    {
        auto e = std::make_unique<expr>();
        e->kind = k;
        e->pos = pos;
        return e;
    }
    void add(expr& parent, expr_ptr child) const
    {
        parent.depth = std::max(parent.depth, child->depth + 1);
        if (parent.depth > max_depth)
            fail_at(parent.pos, "the expression is deeper than " + std::to_string(max_depth) + " levels");
        parent.args.push_back(std::move(child));
    }

    expr_ptr parse_expr()
    {
        nest_guard g(*this);
        return parse_nary(tok::op_or, op::or_, &parser::parse_and);
    }
    expr_ptr parse_and() { return parse_nary(tok::op_and, op::and_, &parser::parse_equality); }

    // `a or b or c` as one node: long chains stay shallow.
    expr_ptr parse_nary(tok t, op k, expr_ptr (parser::*operand)())
    {
        auto first = (this->*operand)();
        if (peek().kind != t)
            return first;
        auto e = make(k, first->pos);
        add(*e, std::move(first));
        while (accept(t))
            add(*e, (this->*operand)());
        return e;
    }

    template <typename Map>
    expr_ptr parse_binary(Map map, expr_ptr (parser::*operand)())
    {
        auto left = (this->*operand)();
        op k;
        while (map(peek().kind, k))
        {
            auto const pos = next().pos;
            auto e = make(k, pos);
            add(*e, std::move(left));
            add(*e, (this->*operand)());
            left = std::move(e);
        }
        return left;
    }

    expr_ptr parse_equality()
    {
        return parse_binary(
            [](tok t, op& k)
            {
                k = t == tok::eq ? op::eq : op::ne;
                return t == tok::eq || t == tok::ne;
            },
            &parser::parse_relational);
    }
    expr_ptr parse_relational()
    {
        return parse_binary(
            [](tok t, op& k)
            {
                switch (t)
                {
                case tok::lt:
                    k = op::lt;
                    return true;
                case tok::le:
                    k = op::le;
                    return true;
                case tok::gt:
                    k = op::gt;
                    return true;
                case tok::ge:
                    k = op::ge;
                    return true;
                default:
                    return false;
                }
            },
            &parser::parse_additive);
    }
    expr_ptr parse_additive()
    {
        return parse_binary(
            [](tok t, op& k)
            {
                k = t == tok::plus ? op::add : op::sub;
                return t == tok::plus || t == tok::minus;
            },
            &parser::parse_multiplicative);
    }
    expr_ptr parse_multiplicative()
    {
        return parse_binary(
            [](tok t, op& k)
            {
                switch (t)
                {
                case tok::multiply:
                    k = op::mul;
                    return true;
                case tok::op_div:
                    k = op::div;
                    return true;
                case tok::op_mod:
                    k = op::mod;
                    return true;
                default:
                    return false;
                }
            },
            &parser::parse_unary);
    }

    expr_ptr parse_unary()
    {
        if (peek().kind != tok::minus)
            return parse_union();
        nest_guard g(*this);
        auto e = make(op::neg, next().pos);
        add(*e, parse_unary());
        return e;
    }

    expr_ptr parse_union()
    {
        auto first = parse_path();
        if (peek().kind != tok::pipe)
            return first;
        auto e = make(op::union_, first->pos);
        add(*e, std::move(first));
        while (accept(tok::pipe))
            add(*e, parse_path());
        return e;
    }

    static bool starts_step(tok k) noexcept
    {
        return k == tok::name || k == tok::star || k == tok::at || k == tok::dot || k == tok::dotdot ||
               k == tok::axis || k == tok::node_type;
    }
    static bool starts_primary(tok k) noexcept
    {
        return k == tok::variable || k == tok::lparen || k == tok::literal || k == tok::number || k == tok::function;
    }

    expr_ptr parse_path()
    {
        auto const& t = peek();
        auto path = make(op::path, t.pos);
        if (starts_primary(t.kind))
        {
            auto f = parse_filter();
            if (peek().kind != tok::slash && peek().kind != tok::dslash)
                return f;
            path->depth = f->depth + 1;
            path->base = std::move(f);
            parse_relative(*path, true);
            return path;
        }
        if (t.kind == tok::slash)
        {
            next();
            path->absolute = true;
            if (starts_step(peek().kind))
                parse_relative(*path, false);
            return path;
        }
        if (t.kind == tok::dslash)
        {
            path->absolute = true;
            parse_relative(*path, true);
            return path;
        }
        if (!starts_step(t.kind))
            throw xpath_failure{t.pos, "an expression",
                                t.kind == tok::end ? "" : "unexpected '" + token_text(t) + "': expected an expression"};
        parse_relative(*path, false);
        return path;
    }

    // Steps separated by '/' or '//'; with leading, a '/' or '//' comes first.
    void parse_relative(expr& path, bool leading)
    {
        bool need_sep = leading;
        for (;;)
        {
            if (need_sep)
            {
                if (accept(tok::dslash))
                {
                    step s;
                    s.ax = axis::descendant_or_self;
                    path.steps.push_back(std::move(s));
                }
                else if (!accept(tok::slash))
                    return;
            }
            need_sep = true;
            path.steps.push_back(parse_step(path));
        }
    }

    step parse_step(expr& path)
    {
        step s;
        token const& t = peek();
        if (accept(tok::dot))
        {
            s.ax = axis::self;
            return s;
        }
        if (accept(tok::dotdot))
        {
            s.ax = axis::parent;
            return s;
        }
        if (t.kind == tok::axis)
        {
            auto it = std::find_if(axes.begin(), axes.end(), [&](axis_name const& a) { return a.name == t.text; });
            if (it == axes.end())
                throw xpath_failure{t.pos, "an axis name",
                                    "unknown axis '" + t.text +
                                        "': expected child, descendant, parent, ancestor, "
                                        "following-sibling, attribute, self, ..."};
            s.ax = it->ax;
            next();
        }
        else if (accept(tok::at))
            s.ax = axis::attribute;
        parse_node_test(s);
        while (peek().kind == tok::lbracket)
        {
            auto p = parse_predicate();
            path.depth = std::max(path.depth, p->depth + 1);
            if (path.depth > max_depth)
                fail_at(path.pos, "the expression is deeper than " + std::to_string(max_depth) + " levels");
            s.preds.push_back(std::move(p));
        }
        return s;
    }

    void parse_node_test(step& s)
    {
        token const& t = peek();
        if (t.kind == tok::star)
        {
            next();
            s.test = node_test::any;
            return;
        }
        if (t.kind == tok::name)
        {
            if (t.text.find(':') != std::string::npos)
                fail_at(t.pos, "the namespace prefix in '" + t.text +
                                   "' is not declared (HTML elements have no "
                                   "namespace prefix: write the local name, or "
                                   "*[local-name()='...'])");
            s.test = node_test::name;
            s.name = t.text;
            next();
            return;
        }
        if (t.kind == tok::node_type)
        {
            std::string const type = t.text;
            next();
            expect(tok::lparen);
            if (type == "processing-instruction")
            {
                accept(tok::literal);
                s.test = node_test::pi;
            }
            else
                s.test = type == "node" ? node_test::node : type == "text" ? node_test::text : node_test::comment;
            expect(tok::rparen);
            return;
        }
        throw xpath_failure{t.pos, "a node test (a name, '*', text(), node(), comment())", {}};
    }

    expr_ptr parse_predicate()
    {
        nest_guard g(*this);
        expect(tok::lbracket);
        auto e = parse_expr();
        expect(tok::rbracket);
        return e;
    }

    expr_ptr parse_filter()
    {
        auto primary = parse_primary();
        if (peek().kind != tok::lbracket)
            return primary;
        auto f = make(op::filter, primary->pos);
        add(*f, std::move(primary));
        while (peek().kind == tok::lbracket)
            add(*f, parse_predicate());
        return f;
    }

    expr_ptr parse_primary()
    {
        token const& t = peek();
        switch (t.kind)
        {
        case tok::variable:
            fail_at(t.pos, "variables are not supported ('$" + t.text + "'): write the value into the expression");
        case tok::lparen:
        {
            nest_guard g(*this);
            next();
            auto e = parse_expr();
            expect(tok::rparen);
            return e;
        }
        case tok::literal:
        {
            auto e = make(op::literal, t.pos);
            e->str = t.text;
            next();
            return e;
        }
        case tok::number:
        {
            auto e = make(op::number, t.pos);
            e->num = string_to_number(t.text);
            next();
            return e;
        }
        default:
            return parse_call();
        }
    }

    expr_ptr parse_call()
    {
        nest_guard g(*this);
        token const& t = next();
        auto e = make(op::call, t.pos);
        int lo = 0;
        int hi = 0;
        if (!lookup_function(t.text, e->func, lo, hi))
            fail_at(t.pos, "unknown function '" + t.text +
                               "()': XPath 1.0 has count(), contains(), "
                               "normalize-space(), string(), starts-with(), ...");
        expect(tok::lparen);
        if (peek().kind != tok::rparen)
        {
            add(*e, parse_expr());
            while (accept(tok::comma))
                add(*e, parse_expr());
        }
        expect(tok::rparen);
        int const n = static_cast<int>(e->args.size());
        if (n < lo || n > hi)
        {
            std::string want = lo == hi   ? std::to_string(lo)
                               : hi > 100 ? "at least " + std::to_string(lo)
                                          : std::to_string(lo) + " to " + std::to_string(hi);
            fail_at(t.pos, t.text + "() takes " + want + " argument" + (hi == 1 && lo == 1 ? "" : "s") + ", not " +
                               std::to_string(n));
        }
        return e;
    }

    std::string_view text_;
    lexer lexer_;
    token cur_;
    int nesting_ = 0;
};

} // namespace

xpath_program parse_xpath(std::string_view text)
{
    xpath_program p;
    p.text = std::string(text);
    p.root = parser(text).run();
    return p;
}

} // namespace weft::html::detail
