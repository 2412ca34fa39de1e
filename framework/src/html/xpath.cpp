// The public XPath API: compiling (xpath_parser.cpp), evaluating (xpath_eval.cpp) and the
// xpath()/xpath_texts()/xpath_text()/evaluate() of document and element.
#include <weft/html/document.hpp>
#include <weft/html/element.hpp>
#include <weft/html/xpath.hpp>

#include "xpath_impl.hpp"

#include <functional>
#include <unordered_map>

namespace weft::html
{

xpath_error::xpath_error(xpath_diagnostics diag) : selector_error(std::move(diag), make_error_code(error::bad_xpath)) {}

namespace
{

using detail::xnode;

xpath_diagnostics diagnose(std::string_view text, detail::xpath_failure const& f, bool parsing)
{
    xpath_diagnostics d;
    d.position = f.offset + 1;
    d.expected = f.expected;
    d.message = (parsing ? "invalid XPath '" : "XPath '") + std::string(text) +
                "': " + (f.what.empty() ? "expected " + f.expected : f.what) + " at position " +
                std::to_string(d.position);
    return d;
}

struct text_hash
{
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// As selector.cpp: spiders pass expressions as strings, once per page or per element; each
// thread keeps what it compiled, bounded.
constexpr std::size_t cache_cap = 512;
using compiled_cache =
    std::unordered_map<std::string, std::shared_ptr<detail::xpath_program const>, text_hash, std::equal_to<>>;

xpath_node public_node(detail::document_impl const& d, xnode const& n) noexcept
{
    return xpath_node(&d, n.kind, n.owner, n.sub);
}

char const* kind_name(xpath_node::kind k) noexcept
{
    switch (k)
    {
    case xpath_node::kind::document:
        return "the document node";
    case xpath_node::kind::attribute:
        return "attributes";
    case xpath_node::kind::text:
        return "text nodes";
    case xpath_node::kind::comment:
        return "comments";
    default:
        return "elements";
    }
}

} // namespace

boost::system::result<xpath> xpath::parse(std::string_view text, xpath_diagnostics* diag)
{
    try
    {
        return xpath(std::make_shared<detail::xpath_program const>(detail::parse_xpath(text)));
    }
    catch (detail::xpath_failure const& f)
    {
        if (diag)
            *diag = diagnose(text, f, true);
        return make_error_code(error::bad_xpath);
    }
}

xpath::xpath(std::string_view text)
{
    thread_local compiled_cache cache;
    if (auto it = cache.find(text); it != cache.end())
    {
        impl_ = it->second;
        return;
    }
    xpath_diagnostics diag;
    auto r = parse(text, &diag);
    if (!r)
        throw xpath_error(std::move(diag));
    impl_ = std::move(r->impl_);
    if (cache.size() >= cache_cap)
        cache.clear();
    cache.emplace(std::string(text), impl_);
}

std::string_view xpath::text() const noexcept
{
    return impl_->text;
}

// ---- nodes and values ----

std::optional<element> xpath_node::as_element() const noexcept
{
    if (kind_ != kind::element)
        return std::nullopt;
    return element(doc_, owner_);
}

std::optional<element> xpath_node::parent() const noexcept
{
    if (kind_ == kind::document)
        return std::nullopt;
    std::uint32_t const p = kind_ == kind::element ? doc_->nodes[owner_].parent : owner_;
    if (p == detail::npos)
        return std::nullopt;
    return element(doc_, p);
}

std::string_view xpath_node::name() const noexcept
{
    return detail::tree(*doc_).name({kind_, owner_, sub_});
}

std::string xpath_node::string_value() const
{
    return detail::tree(*doc_).string_value({kind_, owner_, sub_});
}

std::string xpath_node::get() const
{
    detail::tree const t(*doc_);
    xnode const n{kind_, owner_, sub_};
    std::string out;
    switch (kind_)
    {
    case kind::element:
        detail::serialize_node(t.gumbo(n), out);
        return out;
    case kind::comment:
        return "<!--" + t.string_value(n) + "-->";
    case kind::document:
    {
        GumboNode const* doc = doc_->output->document;
        if (doc->v.document.has_doctype)
            out = "<!DOCTYPE " + std::string(doc->v.document.name) + ">";
        detail::serialize_children(doc, out);
        return out;
    }
    default:
        return t.string_value(n);
    }
}

xpath_value::node_set const& xpath_value::nodes() const noexcept
{
    static node_set const none;
    return is_node_set() ? std::get<node_set>(v_) : none;
}

std::string xpath_value::string() const
{
    switch (v_.index())
    {
    case 0:
        return nodes().empty() ? std::string() : nodes().front().string_value();
    case 1:
        return std::get<std::string>(v_);
    case 2:
        return detail::number_to_string(std::get<double>(v_));
    default:
        return std::get<bool>(v_) ? "true" : "false";
    }
}

double xpath_value::number() const
{
    switch (v_.index())
    {
    case 2:
        return std::get<double>(v_);
    case 3:
        return std::get<bool>(v_) ? 1 : 0;
    default:
        return detail::string_to_number(string());
    }
}

bool xpath_value::boolean() const
{
    switch (v_.index())
    {
    case 0:
        return !nodes().empty();
    case 1:
        return !std::get<std::string>(v_).empty();
    case 2:
        return std::get<double>(v_) != 0 && std::get<double>(v_) == std::get<double>(v_);
    default:
        return std::get<bool>(v_);
    }
}

strings xpath_value::texts() const
{
    strings out;
    if (!is_node_set())
    {
        out.push_back(string());
        return out;
    }
    out.reserve(nodes().size());
    for (auto const& n : nodes())
        out.push_back(n.get());
    return out;
}

namespace detail
{

xpath_value evaluate(document_impl const& d, xpath const& x, xpath_node context_node)
{
    evaluator ev(d);
    context const c{xnode{context_node.type(), context_node.owner(), context_node.sub()}, 1, 1};
    try
    {
        value v = ev.eval(*x.compiled().root, c);
        switch (v.t)
        {
        case value::type::nodes:
        {
            xpath_value::node_set ns;
            ns.reserve(v.nodes.size());
            for (auto const& n : v.nodes)
                ns.push_back(public_node(d, n));
            return xpath_value(std::move(ns));
        }
        case value::type::string:
            return xpath_value(std::move(v.str));
        case value::type::number:
            return xpath_value(v.num);
        case value::type::boolean:
            return xpath_value(v.b);
        }
    }
    catch (xpath_failure const& f)
    {
        throw xpath_error(diagnose(x.text(), f, false));
    }
    return xpath_value(false);
}

std::vector<element> xpath_elements(document_impl const& d, xpath const& x, xpath_value const& v, char const* api)
{
    auto fail = [&](std::string what)
    {
        xpath_diagnostics diag;
        diag.position = 1;
        diag.message = "XPath '" + std::string(x.text()) + "' " + what + ": " + api +
                       " gives elements; use xpath_texts()/xpath_text() for strings, evaluate() for values";
        throw xpath_error(std::move(diag));
    };
    if (!v.is_node_set())
        fail(std::string("gives a ") + (v.is_string() ? "string" : v.is_number() ? "number" : "boolean"));
    std::vector<element> out;
    out.reserve(v.nodes().size());
    for (auto const& n : v.nodes())
    {
        if (n.type() != xpath_node::kind::element)
            fail(std::string("selects ") + kind_name(n.type()));
        out.emplace_back(&d, n.owner());
    }
    return out;
}

} // namespace detail

// ---- document and element ----

namespace
{

xpath_node document_node(detail::document_impl const& d) noexcept
{
    return xpath_node(&d, xpath_node::kind::document, detail::npos, 0);
}

xpath_node element_node(element const& e) noexcept
{
    return xpath_node(&e.owner(), xpath_node::kind::element, e.index(), 0);
}

std::string first_text(xpath_value const& v)
{
    if (!v.is_node_set())
        return v.string();
    return v.nodes().empty() ? std::string() : v.nodes().front().get();
}

} // namespace

std::vector<element> document::xpath(html::xpath const& x) const&
{
    return detail::xpath_elements(*impl_, x, evaluate(x), "xpath()");
}

xpath_value document::evaluate(html::xpath const& x) const&
{
    return detail::evaluate(*impl_, x, document_node(*impl_));
}

strings document::xpath_texts(html::xpath const& x) const
{
    return evaluate(x).texts();
}

std::string document::xpath_text(html::xpath const& x) const
{
    return first_text(evaluate(x));
}

std::vector<element> element::xpath(html::xpath const& x) const
{
    return detail::xpath_elements(*doc_, x, evaluate(x), "xpath()");
}

xpath_value element::evaluate(html::xpath const& x) const
{
    return detail::evaluate(*doc_, x, element_node(*this));
}

strings element::xpath_texts(html::xpath const& x) const
{
    return evaluate(x).texts();
}

std::string element::xpath_text(html::xpath const& x) const
{
    return first_text(evaluate(x));
}

} // namespace weft::html
