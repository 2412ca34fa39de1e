// The selector matcher: right to left over the flat element index.
#include "selector_impl.hpp"

#include <algorithm>
#include <unordered_map>
#include <utility>
#include <vector>

namespace weft::html::detail
{
namespace
{

// ---------------------------------------------------------------------------------------------
// Helpers

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

// ---------------------------------------------------------------------------------------------
// Memo: what is known about (complex selector, compound index k, element e). Three facts of
// three states each (unknown, no, yes) packed in a byte:
//   at      e matches compounds[0..k] with their combinators;
//   up      e or one of its ancestors has "at" (what a descendant combinator asks of a parent);
//   before  e or one of its preceding siblings has "at" (what "~" asks of a previous sibling).
// Each fact is decided once per (k, e), so matching is linear in the elements for any chain of
// combinators instead of exponential in their number (`p div div div div` on deep nesting).
// Dense (a byte per element and slot) when a whole range is searched; sparse (hashed) for one
// element, where the elements touched are few.
enum class fact : std::uint8_t
{
    at = 0,
    up = 2,
    before = 4,
};

class match_memo
{
public:
    explicit match_memo(std::size_t elements, bool dense) : elements_(elements), dense_(dense) {}

    // 0 unknown, 1 no, 2 yes
    std::uint8_t get(complex_selector const& cx, std::size_t k, std::uint32_t e, fact f)
    {
        return (*cell(cx, k, e) >> static_cast<unsigned>(f)) & 3u;
    }

    bool set(complex_selector const& cx, std::size_t k, std::uint32_t e, fact f, bool v)
    {
        auto* c = cell(cx, k, e);
        *c = static_cast<std::uint8_t>((*c & ~(3u << static_cast<unsigned>(f))) |
                                       ((v ? 2u : 1u) << static_cast<unsigned>(f)));
        return v;
    }

private:
    std::size_t elements_;
    bool dense_;
    std::vector<std::pair<std::pair<complex_selector const*, std::size_t>, std::uint32_t>> slots_;
    std::vector<std::vector<std::uint8_t>> dense_cells_;
    std::unordered_map<std::uint64_t, std::uint8_t> sparse_cells_;

    std::uint32_t slot(complex_selector const& cx, std::size_t k)
    {
        // Few slots (one per compound of the selectors in use): a linear search beats hashing.
        for (auto const& [key, id] : slots_)
            if (key.first == &cx && key.second == k)
                return id;
        auto const id = static_cast<std::uint32_t>(slots_.size());
        slots_.push_back({{&cx, k}, id});
        if (dense_)
            dense_cells_.emplace_back(elements_, std::uint8_t{0});
        return id;
    }

    // Stable while the memo lives: the dense rows never move their buffers, the hash map's nodes
    // never move.
    std::uint8_t* cell(complex_selector const& cx, std::size_t k, std::uint32_t e)
    {
        auto const id = slot(cx, k);
        if (dense_)
            return &dense_cells_[id][e];
        return &sparse_cells_[(std::uint64_t(id) << 32) | e];
    }
};

class matcher
{
public:
    matcher(document_impl const& d, std::uint32_t scope, bool dense)
        : d_(d), scope_(scope), memo_(d.nodes.size(), dense)
    {
    }

    bool list(selector_list const& l, std::uint32_t e, std::uint32_t anchor) const
    {
        for (auto const& cx : l.items)
            if (complex(cx, e, anchor))
                return true;
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

private:
    document_impl const& d_;
    std::uint32_t scope_;
    // The memo caches; one anchor per complex selector in a matcher (:has() uses matchers of its own).
    mutable match_memo memo_;
    mutable std::vector<std::uint32_t> path_; // chain() scratch, a stack shared by nested calls

    node_info const& n(std::uint32_t i) const noexcept { return d_.nodes[i]; }

    bool complex(complex_selector const& cx, std::uint32_t e, std::uint32_t anchor) const
    {
        // The rightmost compound is asked once per element: not worth a memo cell.
        return evaluate(cx, cx.compounds.size() - 1, e, anchor);
    }

    bool at(complex_selector const& cx, std::size_t k, std::uint32_t e, std::uint32_t anchor) const
    {
        if (auto const known = memo_.get(cx, k, e, fact::at))
            return known == 2;
        return memo_.set(cx, k, e, fact::at, evaluate(cx, k, e, anchor));
    }

    bool evaluate(complex_selector const& cx, std::size_t k, std::uint32_t e, std::uint32_t anchor) const
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
            return n(e).parent != npos && chain(cx, k - 1, n(e).parent, anchor, fact::up);
        case combinator::next_sibling:
            return n(e).prev != npos && at(cx, k - 1, n(e).prev, anchor);
        case combinator::subsequent_sibling:
            return n(e).prev != npos && chain(cx, k - 1, n(e).prev, anchor, fact::before);
        case combinator::none:
            break;
        }
        return false;
    }

    // Whether e or one of its ancestors (f == up) or preceding siblings (f == before) has at(k).
    // Walks until a known answer or a match, then records the answer for every element walked:
    // each element is walked once per (cx, k). Iterative: trees may be deep.
    bool chain(complex_selector const& cx, std::size_t k, std::uint32_t e, std::uint32_t anchor, fact f) const
    {
        std::size_t const base = path_.size();
        bool result = false;
        for (auto x = e; x != npos; x = f == fact::up ? n(x).parent : n(x).prev)
        {
            if (auto const known = memo_.get(cx, k, x, f))
            {
                result = known == 2;
                break;
            }
            path_.push_back(x);
            if (at(cx, k, x, anchor))
            {
                result = true;
                break;
            }
        }
        for (std::size_t i = base; i < path_.size(); ++i)
            memo_.set(cx, k, path_[i], f, result);
        path_.resize(base);
        return result;
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
            // The anchor is e here, another for each element asking: a memo of its own.
            matcher sub(d_, scope_, false);
            for (auto c = begin; c < end; ++c)
                if (sub.complex(cx, c, e))
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
    return matcher(d, scope, false).list(list, i, scope);
}

bool matches_compound(document_impl const& d, compound_selector const& c, std::uint32_t i, std::uint32_t scope)
{
    return matcher(d, scope, false).compound(c, i);
}

void select_each(document_impl const& d, selector_list const& list, std::uint32_t begin, std::uint32_t end,
                 std::uint32_t scope, bool (*f)(void* ctx, std::uint32_t i), void* ctx)
{
    // A byte per element and compound pays off when the range is a good part of the document;
    // a small subtree (element::css on one item of many) hashes the few cells it touches.
    bool const dense = std::size_t(end - begin) * 8 >= d.nodes.size();
    matcher m(d, scope, dense);
    for (std::uint32_t i = begin; i < end; ++i)
        if (m.list(list, i, scope) && !f(ctx, i))
            return;
}

} // namespace weft::html::detail
