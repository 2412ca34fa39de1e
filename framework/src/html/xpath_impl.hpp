// Private: the compiled form of an XPath 1.0 expression and the evaluator's node model.
//
// The files: xpath_lexer.cpp (tokens), xpath_parser.cpp (the tree below), xpath_axes.cpp (the
// node model: axes, document order, string-values), xpath_eval.cpp (expressions, steps,
// comparisons), xpath_functions.cpp (the core library), xpath.cpp (the public API).
#pragma once

#include <weft/html/xpath.hpp>

#include "document_impl.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace weft::html::detail
{

// ---- tokens (xpath_lexer.cpp) ----

enum class tok : std::uint8_t
{
    end,
    lparen,
    rparen,
    lbracket,
    rbracket,
    dot,
    dotdot,
    at,
    comma,
    colons,
    slash,
    dslash,
    pipe,
    plus,
    minus,
    eq,
    ne,
    lt,
    le,
    gt,
    ge,
    star,     // a name test `*`
    multiply, // `*` as an operator
    op_and,
    op_or,
    op_mod,
    op_div,
    name,      // an NCName or QName (`a`, `svg:rect`), or `prefix:*`
    function,  // a name followed by '('
    node_type, // comment text processing-instruction node, followed by '('
    axis,      // a name followed by '::'
    literal,
    number,
    variable,
};

struct token
{
    tok kind = tok::end;
    std::size_t pos = 0; // 0-based offset
    std::size_t end = 0; // one past the token
    std::string text;    // names, literal contents, number text
};

// Thrown by the lexer, parser and evaluator; the public API turns it into diagnostics.
struct xpath_failure
{
    std::size_t offset;
    std::string expected; // "an expression", "']'"
    std::string what;     // a whole reason instead of "expected ..." when not empty
};

// Tokens one at a time, as the parser asks: an error stops a huge input early.
class lexer
{
public:
    explicit lexer(std::string_view s) noexcept : s_(s) {}
    // The next token; tok::end at the end, again and again.
    token next();

private:
    char peek(std::size_t k = 0) const noexcept { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
    void lex_one(token& t, bool operand_before);
    void lex_literal(token& t, char quote);
    void lex_number(token& t);
    std::string_view ncname();
    void lex_variable(token& t);
    void lex_name(token& t, bool operand_before);

    std::string_view s_;
    std::size_t i_ = 0;
    tok previous_ = tok::end; // before the first token too
};

// ---- the expression tree (xpath_parser.cpp) ----

enum class axis : std::uint8_t
{
    ancestor,
    ancestor_or_self,
    attribute,
    child,
    descendant,
    descendant_or_self,
    following,
    following_sibling,
    namespace_,
    parent,
    preceding,
    preceding_sibling,
    self,
};

inline bool is_reverse(axis a) noexcept
{
    return a == axis::ancestor || a == axis::ancestor_or_self || a == axis::preceding || a == axis::preceding_sibling;
}

enum class node_test : std::uint8_t
{
    name,    // a name of the axis' principal node type
    any,     // `*`
    node,    // node()
    text,    // text()
    comment, // comment()
    pi,      // processing-instruction(): nothing in an HTML tree
};

enum class fn : std::uint8_t
{
    last,
    position,
    count,
    id,
    local_name,
    namespace_uri,
    name,
    string,
    concat,
    starts_with,
    contains,
    substring_before,
    substring_after,
    substring,
    string_length,
    normalize_space,
    translate,
    boolean,
    not_,
    true_,
    false_,
    lang,
    number,
    sum,
    floor,
    ceiling,
    round,
    re_test,
};

enum class op : std::uint8_t
{
    or_,
    and_,
    eq,
    ne,
    lt,
    le,
    gt,
    ge,
    add,
    sub,
    mul,
    div,
    mod,
    neg,
    union_,
    literal,
    number,
    call,
    path,
    filter,
};

struct expr;
using expr_ptr = std::unique_ptr<expr>;

struct step
{
    axis ax = axis::child;
    node_test test = node_test::node;
    std::string name; // for node_test::name
    std::vector<expr_ptr> preds;
};

struct expr
{
    op kind;
    std::size_t pos = 0;        // 0-based offset, for evaluation errors
    std::vector<expr_ptr> args; // operands, function arguments; for filter: the primary first, then predicates
    std::string str;            // literal
    double num = 0;             // number
    fn func = fn::last;         // call
    // path: `base` (null: the context node, or the root when absolute) then steps
    bool absolute = false;
    expr_ptr base;
    std::vector<step> steps;
    int depth = 1; // of the tree below, bounded so evaluation cannot exhaust the stack
};

struct xpath_program
{
    std::string text;
    expr_ptr root;
};

xpath_program parse_xpath(std::string_view text);

// ---- the node model (xpath_axes.cpp) ----

// A node of the document, as xpath_node holds it: kind, owner (element index; for text and
// comment nodes the parent's, npos for the document), sub (attribute index, or the index among
// the parent's gumbo children).
struct xnode
{
    xpath_node::kind kind = xpath_node::kind::document;
    std::uint32_t owner = npos;
    std::uint32_t sub = 0;
    friend bool operator==(xnode const&, xnode const&) noexcept = default;
};

// Where a node sits in document order.
struct order_key
{
    std::int64_t major; // the element at or before the node; -2 for the document node
    std::uint32_t rank; // 0: the element and its attributes; n: a text/comment n-1 levels above
    std::uint32_t minor;
    friend auto operator<=>(order_key const&, order_key const&) noexcept = default;
};

using node_list = std::vector<xnode>;

class tree
{
public:
    explicit tree(document_impl const& d) noexcept : d_(d) {}
    document_impl const& doc() const noexcept { return d_; }

    GumboNode const* gumbo(xnode const& n) const noexcept;
    std::optional<xnode> parent(xnode const& n) const noexcept;
    // The children of the document or an element, in order.
    void children(xnode const& n, node_list& out) const;
    // Appends the nodes of axis a from n in axis order (reverse axes: nearest first); with
    // elements_only, only elements (the principal node type of a name test).
    void axis_nodes(axis a, xnode const& n, bool elements_only, node_list& out);
    order_key key(xnode const& n);
    // Sorts in document order and drops duplicates.
    void sort_unique(node_list& nodes);

    std::string string_value(xnode const& n) const;
    std::string_view name(xnode const& n) const noexcept;

private:
    void descendants(xnode const& n, bool elements_only, node_list& out) const;
    void siblings(xnode const& n, bool forward, bool elements_only, node_list& out) const;
    void following(xnode const& n, bool elements_only, node_list& out) const;
    void preceding(xnode const& n, bool elements_only, node_list& out) const;
    std::uint32_t depth(std::uint32_t element) const noexcept;

    document_impl const& d_;
    // keys of the text and comment children of a parent (element index + 1; 0: the document)
    std::unordered_map<std::uint32_t, std::vector<order_key>> child_keys_;
};

inline xnode element_node(std::uint32_t i) noexcept
{
    return {xpath_node::kind::element, i, 0};
}

// ---- values and evaluation (xpath_eval.cpp, xpath_functions.cpp) ----

struct value
{
    enum class type : std::uint8_t
    {
        nodes,
        string,
        number,
        boolean,
    };
    type t = type::nodes;
    node_list nodes;
    std::string str;
    double num = 0;
    bool b = false;

    static value of(std::string s)
    {
        value v;
        v.t = type::string;
        v.str = std::move(s);
        return v;
    }
    static value of(double d) noexcept
    {
        value v;
        v.t = type::number;
        v.num = d;
        return v;
    }
    static value of_bool(bool b) noexcept
    {
        value v;
        v.t = type::boolean;
        v.b = b;
        return v;
    }
};

struct context
{
    xnode node;
    std::size_t position = 1;
    std::size_t size = 1;
};

class evaluator
{
public:
    explicit evaluator(document_impl const& d) : tree_(d) {}
    value eval(expr const& e, context const& c);
    tree& nodes() noexcept { return tree_; }

    std::string to_string(value const& v);
    double to_number(value const& v);
    static bool to_boolean(value const& v) noexcept;

private:
    friend value call_function(evaluator& ev, expr const& e, context const& c);
    value eval_path(expr const& e, context const& c);
    value eval_filter(expr const& e, context const& c);
    value compare(expr const& e, context const& c);
    void apply_step(step const& s, node_list const& in, node_list& out);
    // Fills keep with the context nodes that give a step without predicates its whole result;
    // false when all do.
    bool contexts_that_matter(axis a, node_list const& in, node_list& keep);
    void walk_ancestors_once(xnode const& n, bool self, std::vector<char>& seen, node_list& out);
    void apply_predicates(std::vector<expr_ptr> const& preds, std::size_t first, node_list& nodes);
    node_list eval_nodes(expr const& e, context const& c);

    tree tree_;
};

value call_function(evaluator& ev, expr const& e, context const& c);
// The function named name with its arity limits, or false for an unknown name.
bool lookup_function(std::string_view name, fn& f, int& min_args, int& max_args) noexcept;

// XPath's number <-> string conversions.
std::string number_to_string(double d);
double string_to_number(std::string_view s) noexcept;

[[noreturn]] void fail_at(std::size_t offset, std::string what);

} // namespace weft::html::detail
