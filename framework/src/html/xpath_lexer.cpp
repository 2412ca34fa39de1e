// XPath 1.0 tokens (XPath 1.0 §3.7), with the spec's rules for telling `*` and `and`/`or`/`div`/
// `mod` as operators from name tests, and names before `(` or `::` from name tests.
#include "xpath_impl.hpp"

namespace weft::html::detail
{

void fail_at(std::size_t offset, std::string what)
{
    throw xpath_failure{offset, {}, std::move(what)};
}

namespace
{

bool name_start(unsigned char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

bool name_char(unsigned char c) noexcept
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool is_space(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// True when the token before makes a following `*` or NCName an operator (§3.7: a preceding
// token that is not @, ::, (, [, , or an operator).
bool ends_operand(tok previous) noexcept
{
    switch (previous)
    {
    case tok::rparen:
    case tok::rbracket:
    case tok::dot:
    case tok::dotdot:
    case tok::star:
    case tok::name:
    case tok::literal:
    case tok::number:
    case tok::variable:
        return true;
    default:
        return false;
    }
}

} // namespace

token lexer::next()
{
    while (i_ < s_.size() && is_space(s_[i_]))
        ++i_;
    token t;
    t.pos = i_;
    if (i_ < s_.size())
        lex_one(t, ends_operand(previous_));
    t.end = i_;
    previous_ = t.kind;
    return t;
}

void lexer::lex_one(token& t, bool operand_before)
{
    char const c = s_[i_];
    auto one = [&](tok k, std::size_t n)
    {
        t.kind = k;
        i_ += n;
    };
    switch (c)
    {
    case '(':
        return one(tok::lparen, 1);
    case ')':
        return one(tok::rparen, 1);
    case '[':
        return one(tok::lbracket, 1);
    case ']':
        return one(tok::rbracket, 1);
    case '@':
        return one(tok::at, 1);
    case ',':
        return one(tok::comma, 1);
    case '|':
        return one(tok::pipe, 1);
    case '+':
        return one(tok::plus, 1);
    case '-':
        return one(tok::minus, 1);
    case '=':
        return one(tok::eq, 1);
    case '/':
        return peek(1) == '/' ? one(tok::dslash, 2) : one(tok::slash, 1);
    case '<':
        return peek(1) == '=' ? one(tok::le, 2) : one(tok::lt, 1);
    case '>':
        return peek(1) == '=' ? one(tok::ge, 2) : one(tok::gt, 1);
    case '*':
        return one(operand_before ? tok::multiply : tok::star, 1);
    case '!':
        if (peek(1) == '=')
            return one(tok::ne, 2);
        fail_at(i_, "'!' is not an operator: use '!=' or not()");
    case ':':
        if (peek(1) == ':')
            fail_at(i_, "'::' must follow an axis name, as in 'child::a'");
        fail_at(i_, "unexpected ':'");
    case '"':
    case '\'':
        return lex_literal(t, c);
    case '$':
        return lex_variable(t);
    case '.':
        if (peek(1) == '.')
            return one(tok::dotdot, 2);
        if (peek(1) >= '0' && peek(1) <= '9')
            return lex_number(t);
        return one(tok::dot, 1);
    default:
        break;
    }
    if (c >= '0' && c <= '9')
        return lex_number(t);
    if (name_start(static_cast<unsigned char>(c)))
        return lex_name(t, operand_before);
    fail_at(i_, std::string("unexpected character '") + c + "'");
}

void lexer::lex_literal(token& t, char quote)
{
    auto const close = s_.find(quote, i_ + 1);
    if (close == std::string_view::npos)
        throw xpath_failure{s_.size(),
                            std::string("the closing ") + quote + " of the string at position " +
                                std::to_string(i_ + 1),
                            {}};
    t.kind = tok::literal;
    t.text = std::string(s_.substr(i_ + 1, close - i_ - 1));
    i_ = close + 1;
}

void lexer::lex_number(token& t)
{
    std::size_t j = i_;
    while (j < s_.size() && s_[j] >= '0' && s_[j] <= '9')
        ++j;
    if (j < s_.size() && s_[j] == '.')
    {
        ++j;
        while (j < s_.size() && s_[j] >= '0' && s_[j] <= '9')
            ++j;
    }
    t.kind = tok::number;
    t.text = std::string(s_.substr(i_, j - i_));
    i_ = j;
}

std::string_view lexer::ncname()
{
    std::size_t j = i_;
    while (j < s_.size() && name_char(static_cast<unsigned char>(s_[j])))
        ++j;
    auto const n = s_.substr(i_, j - i_);
    i_ = j;
    return n;
}

void lexer::lex_variable(token& t)
{
    ++i_;
    if (!name_start(static_cast<unsigned char>(peek())))
        throw xpath_failure{i_, "a variable name after '$'", {}};
    t.kind = tok::variable;
    t.text = std::string(ncname());
}

void lexer::lex_name(token& t, bool operand_before)
{
    std::string name(ncname());
    if (operand_before)
    {
        // §3.7: after an operand, a name is an operator
        if (name == "and" || name == "or" || name == "mod" || name == "div")
        {
            t.kind = name == "and"   ? tok::op_and
                     : name == "or"  ? tok::op_or
                     : name == "mod" ? tok::op_mod
                                     : tok::op_div;
            return;
        }
        throw xpath_failure{t.pos, "an operator ('and', 'or', 'div', 'mod', '|', '=', '+', ...)",
                            "'" + name +
                                "' cannot follow an operand: expected an operator ('and', 'or', "
                                "'div', 'mod', '|', '=', '+', ...)"};
    }
    if (peek() == ':' && peek(1) != ':')
    {
        ++i_; // a QName or prefix:*
        if (peek() == '*')
        {
            ++i_;
            name += ":*";
        }
        else if (name_start(static_cast<unsigned char>(peek())))
            name += ":" + std::string(ncname());
        else
            throw xpath_failure{i_, "a name or '*' after the prefix '" + name + ":'", {}};
    }
    std::size_t j = i_;
    while (j < s_.size() && is_space(s_[j]))
        ++j;
    t.text = std::move(name);
    if (j < s_.size() && s_[j] == '(')
    {
        bool const type =
            t.text == "comment" || t.text == "text" || t.text == "node" || t.text == "processing-instruction";
        t.kind = type ? tok::node_type : tok::function;
    }
    else if (j + 1 < s_.size() && s_[j] == ':' && s_[j + 1] == ':')
    {
        t.kind = tok::axis;
        i_ = j + 2;
    }
    else
        t.kind = tok::name;
}

} // namespace weft::html::detail
