#include <weft/html/document.hpp>

#include "document_impl.hpp"
#include "nesting.hpp"
#include "selector_impl.hpp"
#include "tree_builder.hpp"

#include <weft/text/ascii.hpp>

#include <atomic>
#include <cstdlib>
#include <utility>

namespace weft::html
{
namespace detail
{

std::string_view tag_name(document_impl& d, GumboNode const* n)
{
    GumboElement const& el = n->v.element;
    if (el.tag != GUMBO_TAG_UNKNOWN)
        return gumbo_normalized_tagname(el.tag);
    GumboStringPiece const piece = el.original_tag;
    if (piece.length < 2 || piece.data == nullptr)
        return {};
    // The tag name state (HTML §13.2.5.8) ends a name at tab, LF, FF, space (and CR, which input
    // preprocessing makes LF), '/' or '>'. gumbo_tag_from_original_text() also stops at '\v', so
    // `<a\v href>` came out as an "a"; its name is "a\v", as the scanner says.
    std::string_view text(piece.data + 1, piece.length - 1);
    if (text.starts_with('/'))
        text.remove_prefix(1);
    auto const end = text.find_first_of(" \t\n\f\r/>");
    auto name = text::lower_copy(text.substr(0, end));
    return d.names.emplace_back(std::move(name));
}

namespace
{

// Builds the flat element index in document order without recursion (trees may be deep).
void build_index(document_impl& d)
{
    struct frame
    {
        GumboNode const* node;
        std::uint32_t index; // npos for the document node
        unsigned next_child;
    };
    std::vector<frame> stack;
    stack.push_back({d.output->document, npos, 0});
    while (!stack.empty())
    {
        frame& f = stack.back();
        GumboVector const& kids = children_of(f.node);
        if (f.next_child >= kids.length)
        {
            if (f.index != npos)
                d.nodes[f.index].end = static_cast<std::uint32_t>(d.nodes.size());
            stack.pop_back();
            continue;
        }
        auto const* child = static_cast<GumboNode const*>(kids.data[f.next_child++]);
        if (!is_element_node(child))
            continue;
        auto const idx = static_cast<std::uint32_t>(d.nodes.size());
        std::uint32_t const parent = f.index;
        node_info info;
        info.node = child;
        info.tag = tag_name(d, child);
        info.parent = parent;
        if (parent == npos)
        {
            info.child_pos = ++d.top_count;
            // the document's element children are siblings of each other
            for (std::uint32_t i = idx; i-- > 0;)
                if (d.nodes[i].parent == npos)
                {
                    info.prev = i;
                    d.nodes[i].next = idx;
                    break;
                }
        }
        else
        {
            node_info& p = d.nodes[parent];
            info.child_pos = ++p.child_count;
            info.prev = p.last_child;
            if (p.last_child != npos)
                d.nodes[p.last_child].next = idx;
            else
                p.first_child = idx;
            p.last_child = idx;
        }
        d.nodes.push_back(info);
        stack.push_back({child, idx, 0});
    }
}

} // namespace
} // namespace detail

document::document(std::unique_ptr<detail::document_impl> impl) noexcept : impl_(std::move(impl)) {}
document::document(document&&) noexcept = default;
document& document::operator=(document&&) noexcept = default;
document::~document() = default;

namespace
{

// weft's tree builder unless the environment says WEFT_HTML_PARSER=gumbo (to run a test suite
// or a crawl with gumbo without a setting).
parser initial_parser() noexcept
{
    char const* env = std::getenv("WEFT_HTML_PARSER");
    auto const named = env ? parser_from_name(env) : std::nullopt;
    return named && *named != parser::automatic ? *named : parser::weft;
}

std::atomic<parser> process_parser{initial_parser()};

parser resolve(parser p) noexcept
{
    return p == parser::automatic ? process_parser.load(std::memory_order_relaxed) : p;
}

// Parses impl->source (UTF-8) into impl's arena.
void parse_into(detail::document_impl& impl, parser which)
{
    if (auto limited = detail::prepare_source(impl.source))
    {
        impl.owned = std::move(*limited);
        impl.source = impl.owned;
    }
    if (resolve(which) == parser::weft)
    {
        impl.output = detail::build_tree(impl.source, impl.memory);
        detail::build_index(impl);
        return;
    }
    // Gumbo records every parse error by default, each with a copy of the stack of open
    // elements: 10 MB of NUL bytes cost 2 GB, and deep nesting costs depth^2 memory. weft
    // never reads the errors but their count.
    GumboOptions options = kGumboDefaultOptions;
    options.max_errors = detail::max_parse_errors;
    options.allocator = &detail::arena::gumbo_allocate;
    options.deallocator = &detail::arena::gumbo_deallocate;
    options.userdata = &impl.memory;
    impl.output = gumbo_parse_with_options(&options, impl.source.data(), impl.source.size());
    if (!impl.output)
        throw std::bad_alloc();
    detail::build_index(impl);
}

std::unique_ptr<detail::document_impl> build(std::string source, std::string_view encoding, parser which)
{
    auto impl = std::make_unique<detail::document_impl>();
    impl->owned = std::move(source);
    impl->source = impl->owned;
    impl->encoding = encoding;
    parse_into(*impl, which);
    return impl;
}

} // namespace

void set_default_parser(parser p) noexcept
{
    process_parser.store(p == parser::automatic ? initial_parser() : p, std::memory_order_relaxed);
}

parser default_parser() noexcept
{
    return process_parser.load(std::memory_order_relaxed);
}

std::optional<parser> parser_from_name(std::string_view name) noexcept
{
    auto is = [name](std::string_view n) { return text::iequals(name, n); };
    if (is("weft"))
        return parser::weft;
    if (is("gumbo"))
        return parser::gumbo;
    if (is("auto") || is("automatic"))
        return parser::automatic;
    return std::nullopt;
}

std::string_view parser_name(parser p) noexcept
{
    switch (p)
    {
    case parser::gumbo:
        return "gumbo";
    case parser::weft:
        return "weft";
    case parser::automatic:
        break;
    }
    return "auto";
}

document document::parse(std::string_view bytes, parse_options const& options)
{
    std::optional<std::string_view> enc;
    if (!options.override_encoding.empty())
        enc = encoding_for_label(options.override_encoding);
    if (!enc)
        enc = detect_encoding(bytes, options.content_type_charset);
    // A canonical name always converts (unknown ones were filtered out above).
    auto text = to_utf8(bytes, *enc);
    return document(build(text ? std::move(*text) : std::string(), *enc, options.parser));
}

document document::borrow_valid_utf8(std::string_view text, std::string_view encoding, parser which)
{
    auto impl = std::make_unique<detail::document_impl>();
    impl->source = text;
    impl->encoding = encoding;
    parse_into(*impl, which);
    return document(std::move(impl));
}

document document::from_utf8(std::string_view text, parser which)
{
    // Re-validated: gumbo wants UTF-8 and everything downstream relies on it.
    auto utf8 = to_utf8(text, "UTF-8");
    return document(build(utf8 ? std::move(*utf8) : std::string(), "UTF-8", which));
}

element document::root() const& noexcept
{
    // HTML tree construction always creates <html> as the document's first element child.
    for (std::uint32_t i = 0; i < impl_->nodes.size(); ++i)
        if (impl_->nodes[i].parent == detail::npos && impl_->nodes[i].tag == "html")
            return element(impl_.get(), i);
    return element(impl_.get(), 0);
}

std::string_view document::encoding() const noexcept
{
    return impl_->encoding;
}
std::string_view document::source() const noexcept
{
    return impl_->source;
}
std::size_t document::size() const noexcept
{
    return impl_->nodes.size();
}

std::vector<element> document::css(selector const& s) const&
{
    detail::check_selects_elements(s, "css()");
    std::vector<element> out;
    detail::select(*impl_, s.compiled(), 0, static_cast<std::uint32_t>(impl_->nodes.size()), detail::npos,
                   [&](std::uint32_t i)
                   {
                       out.emplace_back(impl_.get(), i);
                       return true;
                   });
    return out;
}

std::optional<element> document::css_first(selector const& s) const&
{
    detail::check_selects_elements(s, "css_first()");
    std::optional<element> out;
    detail::select(*impl_, s.compiled(), 0, static_cast<std::uint32_t>(impl_->nodes.size()), detail::npos,
                   [&](std::uint32_t i)
                   {
                       out.emplace(impl_.get(), i);
                       return false;
                   });
    return out;
}

std::optional<std::string_view> document::attr(selector const& s, std::string_view name) const
{
    auto e = css_first(s);
    return e ? e->attr(name) : std::nullopt;
}

std::string document::title() const
{
    for (auto const& n : impl_->nodes)
        if (n.tag == "title" && n.node->v.element.tag_namespace == GUMBO_NAMESPACE_HTML)
            return element(impl_.get(), static_cast<std::uint32_t>(&n - impl_->nodes.data())).text();
    return {};
}

std::optional<std::string_view> document::base_href() const noexcept
{
    for (auto const& n : impl_->nodes)
        if (n.tag == "base" && n.node->v.element.tag_namespace == GUMBO_NAMESPACE_HTML)
            if (auto const* a = detail::find_attribute(n.node, "href"))
                return std::string_view(a->value);
    return std::nullopt;
}

std::string document::html() const
{
    std::string out;
    GumboNode const* doc = impl_->output->document;
    if (doc->v.document.has_doctype)
    {
        out += "<!DOCTYPE ";
        out += doc->v.document.name;
        out += '>';
    }
    detail::serialize_children(doc, out);
    return out;
}

} // namespace weft::html
