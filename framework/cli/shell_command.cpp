// weft shell [URL|FILE]: an interactive prompt over one page (Scrapy's `scrapy shell`): CSS
// selectors, XPath, text and attributes, fetching another page, saving it to look at; reads its commands
// from stdin, so a script or a test drives it the same way.
#include "commands.hpp"
#include "source.hpp"

#include <weft/html/document.hpp>
#include <weft/url/resolve.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace weft::cli
{
namespace
{

char const* const shell_help = R"(commands:
  css SELECTOR         the matching elements' HTML, one per line, numbered; parsel's
                       h2::text and a::attr(href) give the strings
  text SELECTOR        the matching elements' text
  attr SELECTOR NAME   the matching elements' attribute NAME (URLs made absolute)
  first SELECTOR       the first match's HTML
  xpath EXPR           what an XPath 1.0 expression selects, as parsel's getall():
                       //a/@href and //h1/text() give strings, //a the HTML,
                       count(//a) the value
  count SELECTOR       how many elements match
  fetch URL|FILE       load another page (relative URLs resolve against the current one)
  url                  the current page's URL (or file)
  view                 save the page's HTML to a file and print its path
  history              the commands so far
  help                 this list
  quit                 leave (also end of input)
)";

struct page
{
    std::string source; // what was loaded: a URL (final, after redirects) or a file
    std::string bytes;
    std::optional<html::document> doc;
};

class shell
{
public:
    // Runs one command line; false when the shell should end.
    bool run(std::string const& line)
    {
        std::istringstream words(line);
        std::string verb;
        words >> verb;
        if (verb.empty() || verb.front() == '#')
            return true;
        history_.push_back(line);
        std::string rest;
        std::getline(words >> std::ws, rest);
        if (verb == "quit" || verb == "exit")
            return false;
        if (verb == "help")
            std::fputs(shell_help, stdout);
        else if (verb == "history")
            for (std::size_t i = 0; i < history_.size(); ++i)
                std::printf("%zu  %s\n", i + 1, history_[i].c_str());
        else if (verb == "fetch")
            load(rest);
        else if (verb == "url")
            std::printf("%s\n", page_ ? page_->source.c_str() : "(no page: fetch URL)");
        else if (verb == "view")
            view();
        else if (verb == "xpath")
            select_xpath(rest);
        else if (verb == "css" || verb == "text" || verb == "first" || verb == "count" || verb == "attr")
            select(verb, rest);
        else
            say("unknown command '" + verb + "' (help lists them)");
        std::fflush(stdout);
        return true;
    }

    void load(std::string target)
    {
        if (target.empty())
            return say("fetch needs a URL or a file");
        if (page_ && is_url(page_->source) && !is_url(target) && !std::filesystem::exists(target))
            if (auto abs = url::resolve(page_->source, target))
                target = *abs;
        try
        {
            auto src = load_source(target);
            page p;
            p.source = src.url.empty() ? target : src.url;
            p.doc = html::document::parse(src.bytes, src.charset);
            p.bytes = std::move(src.bytes);
            page_ = std::move(p);
            std::printf("loaded %s (%zu bytes)\n", page_->source.c_str(), page_->bytes.size());
        }
        catch (source_error const& e)
        {
            say(e.what());
        }
    }

private:
    static void say(std::string const& message) { std::printf("! %s\n", message.c_str()); }

    void view()
    {
        if (!page_)
            return say("no page: fetch URL first");
        auto path = std::filesystem::temp_directory_path() / ("weft-shell-" + std::to_string(::getpid()) + "-" +
                                                             std::to_string(++views_) + ".html");
        std::ofstream(path, std::ios::binary) << page_->bytes;
        std::printf("%s\n", path.c_str());
    }

    void select(std::string const& verb, std::string rest)
    {
        if (!page_)
            return say("no page: fetch URL first");
        std::string attr_name;
        if (verb == "attr")
        {
            auto space = rest.find_last_of(' ');
            if (space == std::string::npos)
                return say("attr needs a selector and an attribute name: attr a href");
            attr_name = rest.substr(space + 1);
            rest.erase(space);
        }
        html::selector_diagnostics diag;
        auto sel = html::selector::parse(rest, &diag);
        if (!sel)
            return say(diag.message);
        if (sel->selects_strings()) // ::text, ::attr(): strings, as parsel's getall()
            return print_values(verb, page_->doc->texts(*sel));
        std::vector<std::string> values;
        for (auto const& el : page_->doc->css(*sel))
            if (auto v = value_of(el, verb, attr_name))
                values.push_back(std::move(*v));
        print_values(verb, std::move(values));
    }

    void select_xpath(std::string const& expr)
    {
        if (!page_)
            return say("no page: fetch URL first");
        html::xpath_diagnostics diag;
        auto x = html::xpath::parse(expr, &diag);
        if (!x)
            return say(diag.message);
        try
        {
            print_values("xpath", page_->doc->xpath_texts(*x));
        }
        catch (html::xpath_error const& e)
        {
            say(e.what());
        }
    }

    // What a command shows of one element; nullopt for `attr` on an element without it.
    std::optional<std::string> value_of(html::element const& el, std::string const& verb,
                                        std::string const& attr_name) const
    {
        if (verb == "text")
            return el.text();
        if (verb != "attr")
            return el.outer_html();
        auto v = el.attr(attr_name);
        if (!v)
            return std::nullopt;
        std::string value(*v);
        if (is_url(page_->source) && (attr_name == "href" || attr_name == "src"))
            if (auto abs = url::resolve(page_->source, value))
                value = *abs;
        return value;
    }

    // One numbered line each (newlines flattened), or their count, or the first.
    static void print_values(std::string const& verb, std::vector<std::string> values)
    {
        if (verb == "count")
            return (void)std::printf("%zu\n", values.size());
        if (values.empty())
            return say("no match");
        if (verb == "first")
            values.erase(values.begin() + 1, values.end());
        std::size_t n = 0;
        for (auto& v : values)
        {
            std::replace(v.begin(), v.end(), '\n', ' ');
            std::printf("[%zu] %s\n", ++n, v.c_str());
        }
    }

    std::optional<page> page_;
    std::vector<std::string> history_;
    int views_ = 0;
};

int run_shell(std::string const& start)
{
    shell sh;
    if (!start.empty())
        sh.load(start);
    bool const tty = ::isatty(STDIN_FILENO) != 0;
    if (tty)
        std::printf("weft shell: help lists the commands, quit leaves\n");
    for (std::string line;;)
    {
        if (tty)
        {
            std::printf("weft> ");
            std::fflush(stdout);
        }
        if (!std::getline(std::cin, line) || !sh.run(line))
            break;
    }
    return exit_ok;
}

} // namespace

void add_shell_command(CLI::App& app, int& result)
{
    auto start = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("shell", "An interactive prompt over a page: CSS, XPath, text, attributes, fetch, view");
    cmd->add_option("source", *start, "An http(s) URL or an HTML file to load first");
    cmd->footer(std::string("Commands are read from stdin (a script works too).\n") + shell_help);
    cmd->callback([start, &result] { result = run_shell(*start); });
}

} // namespace weft::cli
