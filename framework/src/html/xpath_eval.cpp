// Evaluation of XPath 1.0 expressions (§3): location paths step by step, predicates, operators and
// the comparisons of §3.4 with their existential meaning over node-sets.
#include "xpath_impl.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

namespace weft::html::detail
{
namespace
{

using kind = xpath_node::kind;

bool matches_test(tree& t, step const& s, xnode const& n)
{
    bool const principal_attr = s.ax == axis::attribute;
    switch (s.test)
    {
    case node_test::node:
        return true;
    case node_test::text:
        return n.kind == kind::text;
    case node_test::comment:
        return n.kind == kind::comment;
    case node_test::pi:
        return false;
    case node_test::any:
        return n.kind == (principal_attr ? kind::attribute : kind::element);
    case node_test::name:
        return n.kind == (principal_attr ? kind::attribute : kind::element) && t.name(n) == s.name;
    }
    return false;
}

op swapped(op k) noexcept
{
    switch (k)
    {
    case op::lt:
        return op::gt;
    case op::le:
        return op::ge;
    case op::gt:
        return op::lt;
    case op::ge:
        return op::le;
    default:
        return k;
    }
}

bool compare_numbers(op k, double a, double b) noexcept
{
    switch (k)
    {
    case op::eq:
        return a == b;
    case op::ne:
        return a != b;
    case op::lt:
        return a < b;
    case op::le:
        return a <= b;
    case op::gt:
        return a > b;
    case op::ge:
        return a >= b;
    default:
        return false;
    }
}

bool is_relational(op k) noexcept
{
    return k == op::lt || k == op::le || k == op::gt || k == op::ge;
}

} // namespace

bool evaluator::to_boolean(value const& v) noexcept
{
    switch (v.t)
    {
    case value::type::nodes:
        return !v.nodes.empty();
    case value::type::string:
        return !v.str.empty();
    case value::type::number:
        return v.num != 0 && !std::isnan(v.num);
    case value::type::boolean:
        return v.b;
    }
    return false;
}

std::string evaluator::to_string(value const& v)
{
    switch (v.t)
    {
    case value::type::nodes:
        return v.nodes.empty() ? std::string() : tree_.string_value(v.nodes.front());
    case value::type::string:
        return v.str;
    case value::type::number:
        return number_to_string(v.num);
    case value::type::boolean:
        return v.b ? "true" : "false";
    }
    return {};
}

double evaluator::to_number(value const& v)
{
    switch (v.t)
    {
    case value::type::string:
        return string_to_number(v.str);
    case value::type::number:
        return v.num;
    case value::type::boolean:
        return v.b ? 1 : 0;
    default:
        return string_to_number(to_string(v));
    }
}

node_list evaluator::eval_nodes(expr const& e, context const& c)
{
    value v = eval(e, c);
    if (v.t != value::type::nodes)
        fail_at(e.pos, "this is a " +
                           std::string(v.t == value::type::string   ? "string"
                                       : v.t == value::type::number ? "number"
                                                                    : "boolean") +
                           ", where a node-set is needed (a path, like //a or @href)");
    return std::move(v.nodes);
}

value evaluator::eval(expr const& e, context const& c)
{
    switch (e.kind)
    {
    case op::or_:
        for (auto const& a : e.args)
            if (to_boolean(eval(*a, c)))
                return value::of_bool(true);
        return value::of_bool(false);
    case op::and_:
        for (auto const& a : e.args)
            if (!to_boolean(eval(*a, c)))
                return value::of_bool(false);
        return value::of_bool(true);
    case op::eq:
    case op::ne:
    case op::lt:
    case op::le:
    case op::gt:
    case op::ge:
        return compare(e, c);
    case op::add:
        return value::of(to_number(eval(*e.args[0], c)) + to_number(eval(*e.args[1], c)));
    case op::sub:
        return value::of(to_number(eval(*e.args[0], c)) - to_number(eval(*e.args[1], c)));
    case op::mul:
        return value::of(to_number(eval(*e.args[0], c)) * to_number(eval(*e.args[1], c)));
    case op::div:
        return value::of(to_number(eval(*e.args[0], c)) / to_number(eval(*e.args[1], c)));
    case op::mod:
        return value::of(std::fmod(to_number(eval(*e.args[0], c)), to_number(eval(*e.args[1], c))));
    case op::neg:
        return value::of(-to_number(eval(*e.args[0], c)));
    case op::union_:
    {
        value v;
        for (auto const& a : e.args)
        {
            auto part = eval_nodes(*a, c);
            v.nodes.insert(v.nodes.end(), part.begin(), part.end());
        }
        tree_.sort_unique(v.nodes);
        return v;
    }
    case op::literal:
        return value::of(e.str);
    case op::number:
        return value::of(e.num);
    case op::call:
        return call_function(*this, e, c);
    case op::path:
        return eval_path(e, c);
    case op::filter:
        return eval_filter(e, c);
    }
    return {};
}

value evaluator::eval_path(expr const& e, context const& c)
{
    value v;
    if (e.base)
        v.nodes = eval_nodes(*e.base, c);
    else if (e.absolute)
        v.nodes.push_back(xnode{});
    else
        v.nodes.push_back(c.node);
    node_list next;
    for (auto const& s : e.steps)
    {
        next.clear();
        apply_step(s, v.nodes, next);
        // Duplicates go before the next step runs: `//*//*//*` stays polynomial.
        tree_.sort_unique(next);
        std::swap(v.nodes, next);
        if (v.nodes.empty())
            break;
    }
    return v;
}

// The ancestors (and self) of n not met before: an ancestor met before had its own ancestors
// walked then, so the walk stops there.
void evaluator::walk_ancestors_once(xnode const& n, bool self, std::vector<char>& seen, node_list& out)
{
    auto first_visit = [&](xnode const& x)
    {
        char& v = seen[x.kind == kind::document ? 0 : x.owner + 1];
        bool const first = v == 0;
        v = 1;
        return first;
    };
    bool const leaf = n.kind == kind::attribute || n.kind == kind::text || n.kind == kind::comment;
    if (self)
    {
        if (!leaf && !first_visit(n))
            return;
        out.push_back(n);
    }
    for (auto p = tree_.parent(n); p && first_visit(*p); p = tree_.parent(*p))
        out.push_back(*p);
}

bool evaluator::contexts_that_matter(axis a, node_list const& in, node_list& keep)
{
    auto const& d = tree_.doc();
    if (in.empty())
        return false;
    // a is an ancestor-or-self of b (b's owner for text, comment and attribute nodes)
    auto within = [&](xnode const& a_, xnode const& b)
    {
        if (a_.kind == kind::document)
            return true;
        if (a_.kind != kind::element || b.kind == kind::document)
            return false;
        return b.owner != npos && b.owner >= a_.owner && b.owner < d.nodes[a_.owner].end;
    };
    switch (a)
    {
    case axis::descendant:
    case axis::descendant_or_self:
    {
        // descendants of a node already walked add nothing: `//a//b` walks each subtree once
        std::optional<xnode> cover;
        for (auto const& n : in)
        {
            if (n.kind == kind::attribute)
                keep.push_back(n); // not a descendant of its element: its own self
            else if (!cover || !within(*cover, n))
            {
                keep.push_back(n);
                cover = n;
            }
        }
        return true;
    }
    case axis::following:
    {
        // following(x) is what starts after x's subtree: the node whose subtree ends first
        // gives them all (a later node inside it ends earlier; one outside ends later)
        xnode best = in.front();
        for (std::size_t i = 1; i < in.size() && best.kind != kind::attribute && within(best, in[i]); ++i)
            best = in[i];
        keep.push_back(best);
        return true;
    }
    case axis::preceding:
        // every node before an earlier context node is before the last one, and is not its
        // ancestor (that would make it the earlier node's ancestor too)
        keep.push_back(in.back());
        return true;
    default:
        return false;
    }
}

void evaluator::apply_step(step const& s, node_list const& in, node_list& out)
{
    bool const elements_only = (s.test == node_test::name || s.test == node_test::any) && s.ax != axis::attribute;
    // Without predicates the step gives the union over its context nodes: fewer of them may
    // give the same, and ancestors shared by many are walked once.
    bool const plain = s.preds.empty();
    node_list reduced;
    node_list const& contexts = plain && contexts_that_matter(s.ax, in, reduced) ? reduced : in;
    bool const ancestors_once = plain && (s.ax == axis::ancestor || s.ax == axis::ancestor_or_self);
    std::vector<char> seen; // element index + 1; 0: the document node
    if (ancestors_once)
        seen.resize(tree_.doc().nodes.size() + 1);
    node_list found;
    for (auto const& n : contexts)
    {
        found.clear();
        if (ancestors_once)
            walk_ancestors_once(n, s.ax == axis::ancestor_or_self, seen, found);
        else
            tree_.axis_nodes(s.ax, n, elements_only, found);
        std::erase_if(found, [&](xnode const& x) { return !matches_test(tree_, s, x); });
        if (!plain)
            apply_predicates(s.preds, 0, found);
        out.insert(out.end(), found.begin(), found.end());
    }
}

void evaluator::apply_predicates(std::vector<expr_ptr> const& preds, std::size_t first, node_list& nodes)
{
    node_list kept;
    for (std::size_t p = first; p < preds.size() && !nodes.empty(); ++p)
    {
        kept.clear();
        std::size_t const size = nodes.size();
        for (std::size_t i = 0; i < size; ++i)
        {
            context const c{nodes[i], i + 1, size};
            value const v = eval(*preds[p], c);
            bool const keep = v.t == value::type::number ? v.num == static_cast<double>(i + 1) : to_boolean(v);
            if (keep)
                kept.push_back(nodes[i]);
        }
        std::swap(nodes, kept);
    }
}

value evaluator::eval_filter(expr const& e, context const& c)
{
    value v;
    v.nodes = eval_nodes(*e.args[0], c);
    // A filter's predicates count in document order (§3.3), whatever axis made the set.
    apply_predicates(e.args, 1, v.nodes);
    return v;
}

value evaluator::compare(expr const& e, context const& c)
{
    op k = e.kind;
    value a = eval(*e.args[0], c);
    value b = eval(*e.args[1], c);
    if (b.t == value::type::nodes && a.t != value::type::nodes)
    {
        std::swap(a, b);
        k = swapped(k);
    }
    if (a.t == value::type::nodes && b.t == value::type::nodes)
    {
        if (a.nodes.empty() || b.nodes.empty())
            return value::of_bool(false);
        if (is_relational(k))
        {
            // exists x < y  <=>  min(A) < max(B), NaN never compares
            double amin = INFINITY, amax = -INFINITY, bmin = INFINITY, bmax = -INFINITY;
            bool an = false, bn = false;
            for (auto const& n : a.nodes)
                if (double x = string_to_number(tree_.string_value(n)); !std::isnan(x))
                    amin = std::min(amin, x), amax = std::max(amax, x), an = true;
            for (auto const& n : b.nodes)
                if (double x = string_to_number(tree_.string_value(n)); !std::isnan(x))
                    bmin = std::min(bmin, x), bmax = std::max(bmax, x), bn = true;
            if (!an || !bn)
                return value::of_bool(false);
            bool const r =
                (k == op::lt || k == op::le) ? compare_numbers(k, amin, bmax) : compare_numbers(k, amax, bmin);
            return value::of_bool(r);
        }
        std::unordered_set<std::string> as;
        for (auto const& n : a.nodes)
            as.insert(tree_.string_value(n));
        if (k == op::eq)
        {
            for (auto const& n : b.nodes)
                if (as.contains(tree_.string_value(n)))
                    return value::of_bool(true);
            return value::of_bool(false);
        }
        // !=: some pair differs unless every string on both sides is one and the same
        if (as.size() > 1)
            return value::of_bool(true);
        for (auto const& n : b.nodes)
            if (!as.contains(tree_.string_value(n)))
                return value::of_bool(true);
        return value::of_bool(false);
    }
    if (a.t == value::type::nodes)
    {
        if (b.t == value::type::boolean)
            return value::of_bool(compare_numbers(k, to_boolean(a) ? 1 : 0, b.b ? 1 : 0));
        if (b.t == value::type::string && !is_relational(k))
        {
            for (auto const& n : a.nodes)
                if ((tree_.string_value(n) == b.str) == (k == op::eq))
                    return value::of_bool(true);
            return value::of_bool(false);
        }
        double const y = to_number(b);
        for (auto const& n : a.nodes)
            if (compare_numbers(k, string_to_number(tree_.string_value(n)), y))
                return value::of_bool(true);
        return value::of_bool(false);
    }
    if (!is_relational(k))
    {
        if (a.t == value::type::boolean || b.t == value::type::boolean)
            return value::of_bool((to_boolean(a) == to_boolean(b)) == (k == op::eq));
        if (a.t == value::type::number || b.t == value::type::number)
            return value::of_bool(compare_numbers(k, to_number(a), to_number(b)));
        return value::of_bool((a.str == b.str) == (k == op::eq));
    }
    return value::of_bool(compare_numbers(k, to_number(a), to_number(b)));
}

} // namespace weft::html::detail
