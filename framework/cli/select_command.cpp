// weft select SOURCE SELECTOR: the elements of a document that match a CSS selector, or the
// strings a selector ending in parsel's ::text / ::attr(name) selects.
#include "commands.hpp"
#include "source.hpp"

#include <weft/html/document.hpp>
#include <weft/url/resolve.hpp>

#include <cstdio>
#include <memory>

namespace weft::cli {
namespace {

struct select_args
{
    std::string source;
    std::string selector;
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

int run_select(select_args const& args)
{
    auto parsed = html::selector::parse(args.selector);
    if (!parsed)
    {
        html::selector_diagnostics diag;
        (void)html::selector::parse(args.selector, &diag);
        std::fprintf(stderr, "weft select: %s\n", diag.message.c_str());
        return exit_usage;
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

    if (parsed->selects_strings())
    {
        if (!args.attr.empty() || args.text || args.html)
        {
            std::fprintf(stderr, "weft select: '%s' selects strings (::text, ::attr()): --attr, --text and --html "
                                 "apply to elements; drop the option or the pseudo-element\n",
                         args.selector.c_str());
            return exit_usage;
        }
        return print_strings(doc, *parsed, args.first);
    }

    int matches = 0;
    for (auto const& el : doc.css(*parsed))
    {
        if (!args.attr.empty())
        {
            auto value = el.attr(args.attr);
            if (!value)
                continue;
            if (!base.empty() && is_url_attribute(args.attr))
                if (auto abs = url::resolve(base, *value))
                {
                    print_line(*abs);
                    ++matches;
                    if (args.first)
                        break;
                    continue;
                }
            print_line(*value);
        }
        else if (args.text)
            print_line(el.text());
        else
            print_line(el.outer_html());
        ++matches;
        if (args.first)
            break;
    }
    std::fflush(stdout);
    return matches > 0 ? exit_ok : exit_failure;
}

} // namespace

void add_select_command(CLI::App& app, int& result)
{
    auto args = std::make_shared<select_args>();
    auto* cmd = app.add_subcommand("select", "Print the elements of a document that match a CSS selector");
    cmd->add_option("source", args->source, "HTML file, http(s) URL, or - for stdin")->required();
    cmd->add_option("selector", args->selector, "CSS selector (Selectors Level 3 and common Level 4); ending in ::text or ::attr(name), "
                    "it prints those strings (parsel's pseudo-elements)")->required();
    auto* attr = cmd->add_option("--attr", args->attr, "Print this attribute of each match (URLs made absolute with a base)");
    auto* text = cmd->add_flag("--text", args->text, "Print each match's text");
    auto* html = cmd->add_flag("--html", args->html, "Print each match's outer HTML on one line (the default)");
    attr->excludes(text, html);
    text->excludes(html);
    cmd->add_flag("--first", args->first, "Print only the first match");
    cmd->add_option("--base", args->base, "Base URL for relative URLs (default: the SOURCE URL)");
    cmd->footer("Exit status: 0 with matches, 1 with none, 2 on an invalid selector or unreadable source.");
    cmd->callback([args, &result] { result = run_select(*args); });
}

} // namespace weft::cli
