// weft select SOURCE SELECTOR: the elements of a document that match a CSS selector, or the
// strings a selector ending in parsel's ::text / ::attr(name) selects; with --xpath EXPR, what an
// XPath 1.0 expression selects (elements, attributes, text, comments) or its value.
#include "commands.hpp"
#include "source.hpp"

#include <weft/html/document.hpp>
#include <weft/url/resolve.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <memory>

namespace weft::cli {
namespace {

struct select_args
{
    std::string source;
    std::string selector;
    std::string xpath;
    std::string attr;
    bool text = false;
    bool html = false;
    bool first = false;
    std::string base;
};

// Attributes whose values are URLs: resolved to absolute URLs when a base is known.
bool is_url_attribute(std::string_view name)
{
    for (std::string_view n : {"href", "src", "action", "formaction", "cite", "data", "poster", "background"})
        if (name == n)
            return true;
    return false;
}

// One line per match: newlines inside a value are escaped so that lines stay records.
void print_line(std::string_view value)
{
    std::string line;
    line.reserve(value.size() + 1);
    for (char c : value)
    {
        if (c == '\n')
            line += "\\n";
        else if (c == '\r')
            line += "\\r";
        else
            line += c;
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
}

// The strings of a ::text / ::attr() selector, as they are (parsel's getall(): an href is not
// resolved, unlike --attr's).
int print_strings(html::document const& doc, html::selector const& sel, bool first)
{
    auto const found = doc.texts(sel);
    for (auto const& s : found)
    {
        print_line(s);
        if (first)
            break;
    }
    std::fflush(stdout);
    return found.empty() ? exit_failure : exit_ok;
}

// Prints each element as --attr, --text or --html say; the number printed.
int print_elements(std::vector<html::element> const& elements, select_args const& args, std::string const& base)
{
    int matches = 0;
    for (auto const& el : elements)
    {
        if (!args.attr.empty())
        {
            auto value = el.attr(args.attr);
            if (!value)
                continue;
            std::optional<std::string> abs;
            if (!base.empty() && is_url_attribute(args.attr))
                if (auto r = url::resolve(base, *value))
                    abs = std::move(*r);
            print_line(abs ? std::string_view(*abs) : *value);
        }
        else if (args.text)
            print_line(el.text());
        else
            print_line(el.outer_html());
        ++matches;
        if (args.first)
            break;
    }
    return matches;
}

// --xpath: elements go through print_elements(); other nodes print as parsel's getall() gives
// them (an attribute's value, a text node's text, a comment as <!--...-->); a number, string or
// boolean prints once.
int print_xpath(html::document const& doc, html::xpath const& x, select_args const& args, std::string const& base)
{
    auto const value = doc.evaluate(x);
    bool const elements_only =
        value.is_node_set() && std::all_of(value.nodes().begin(), value.nodes().end(), [](html::xpath_node const& n)
                                           { return n.type() == html::xpath_node::kind::element; });
    if (elements_only)
    {
        int const matches = print_elements(doc.xpath(x), args, base);
        std::fflush(stdout);
        return matches > 0 ? exit_ok : exit_failure;
    }
    if (!args.attr.empty() || args.text)
    {
        std::fprintf(stderr, "weft select: '%s' gives %s, not only elements: --attr and --text apply to elements; drop "
                             "the option, or select elements (for example '//a' with --attr href)\n",
                     args.xpath.c_str(), value.is_node_set() ? "attributes, text or comments" : "a value");
        return exit_usage;
    }
    auto const strings = value.texts();
    for (auto const& s : strings)
    {
        print_line(s);
        if (args.first)
            break;
    }
    std::fflush(stdout);
    return strings.empty() ? exit_failure : exit_ok;
}

int run_select(select_args const& args)
{
    if (args.selector.empty() == args.xpath.empty())
    {
        std::fprintf(stderr, "weft select: give either a CSS SELECTOR or --xpath EXPR (one of the two)\n");
        return exit_usage;
    }
    std::optional<html::selector> css;
    std::optional<html::xpath> xpath;
    if (!args.xpath.empty())
    {
        html::xpath_diagnostics diag;
        auto parsed = html::xpath::parse(args.xpath, &diag);
        if (!parsed)
        {
            std::fprintf(stderr, "weft select: %s\n", diag.message.c_str());
            return exit_usage;
        }
        xpath = std::move(*parsed);
    }
    else
    {
        html::selector_diagnostics diag;
        auto parsed = html::selector::parse(args.selector, &diag);
        if (!parsed)
        {
            std::fprintf(stderr, "weft select: %s\n", diag.message.c_str());
            return exit_usage;
        }
        css = std::move(*parsed);
    }
    loaded_source src;
    try
    {
        src = load_source(args.source);
    }
    catch (source_error const& e)
    {
        std::fprintf(stderr, "weft select: %s\n", e.what());
        return exit_usage;
    }
    auto doc = html::document::parse(src.bytes, src.charset);

    // The base for URL attributes: --base, else the fetched URL; a <base href> refines either.
    std::string base = args.base.empty() ? src.url : args.base;
    if (auto href = doc.base_href(); href && !base.empty())
        if (auto resolved = url::resolve(base, *href))
            base = *resolved;

    if (xpath)
    {
        try
        {
            return print_xpath(doc, *xpath, args, base);
        }
        catch (html::xpath_error const& e)
        {
            std::fprintf(stderr, "weft select: %s\n", e.what());
            return exit_usage;
        }
    }
    if (css->selects_strings())
    {
        if (!args.attr.empty() || args.text || args.html)
        {
            std::fprintf(stderr, "weft select: '%s' selects strings (::text, ::attr()): --attr, --text and --html "
                                 "apply to elements; drop the option or the pseudo-element\n",
                         args.selector.c_str());
            return exit_usage;
        }
        return print_strings(doc, *css, args.first);
    }
    int const matches = print_elements(doc.css(*css), args, base);
    std::fflush(stdout);
    return matches > 0 ? exit_ok : exit_failure;
}

} // namespace

void add_select_command(CLI::App& app, int& result)
{
    auto args = std::make_shared<select_args>();
    auto* cmd = app.add_subcommand("select", "Print the elements of a document that match a CSS selector or an XPath");
    cmd->add_option("source", args->source, "HTML file, http(s) URL, or - for stdin")->required();
    cmd->add_option("selector", args->selector, "CSS selector (Selectors Level 3 and common Level 4); ending in ::text or ::attr(name), "
                    "it prints those strings (parsel's pseudo-elements)");
    cmd->add_option("--xpath", args->xpath, "An XPath 1.0 expression instead of SELECTOR: elements print as with a "
                    "selector; attributes and text as they are ('//a/@href', '//h1/text()'); a value once ('count(//a)')");
    auto* attr = cmd->add_option("--attr", args->attr, "Print this attribute of each match (URLs made absolute with a base)");
    auto* text = cmd->add_flag("--text", args->text, "Print each match's text");
    auto* html = cmd->add_flag("--html", args->html, "Print each match's outer HTML on one line (the default)");
    attr->excludes(text, html);
    text->excludes(html);
    cmd->add_flag("--first", args->first, "Print only the first match");
    cmd->add_option("--base", args->base, "Base URL for relative URLs (default: the SOURCE URL)");
    cmd->footer("Exit status: 0 with matches, 1 with none, 2 on an invalid selector or XPath, or an unreadable source.");
    cmd->callback([args, &result] { result = run_select(*args); });
}

} // namespace weft::cli
