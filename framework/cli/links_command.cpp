// weft links SOURCE: the document's links, absolute and canonical, once each, in document order.
#include "commands.hpp"
#include "source.hpp"

#include <weft/html/encoding.hpp>
#include <weft/html/scanner.hpp>
#include <weft/url/resolve.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace weft::cli {
namespace {

struct links_args
{
    std::string source;
    std::string base;
    bool show_nofollow = false;
};

int run_links(links_args const& args)
{
    // A base that is not an absolute URL would resolve nothing: every link would be dropped.
    if (!args.base.empty() && !url::parse(args.base))
    {
        std::fprintf(stderr,
                     "weft links: --base '%s' is not an absolute URL; give one such as https://example.org/page\n",
                     args.base.c_str());
        return exit_usage;
    }
    loaded_source src;
    try
    {
        src = load_source(args.source);
    }
    catch (source_error const& e)
    {
        std::fprintf(stderr, "weft links: %s\n", e.what());
        return exit_usage;
    }

    // The page's own URL: --base, else the fetched URL, else the file's file:// URL.
    std::string page_url = args.base;
    if (page_url.empty())
        page_url = src.url;
    if (page_url.empty() && args.source != "-")
        page_url = "file://" + std::filesystem::absolute(args.source).lexically_normal().string();
    if (page_url.empty())
    {
        std::fprintf(stderr, "weft links: reading stdin needs --base URL to make links absolute\n");
        return exit_usage;
    }

    auto encoding = html::detect_encoding(src.bytes, src.charset);
    auto text = html::to_utf8(src.bytes, encoding);
    if (!text)
    {
        std::fprintf(stderr, "weft links: %s: cannot decode as %.*s\n", args.source.c_str(),
                     static_cast<int>(encoding.size()), encoding.data());
        return exit_usage;
    }
    auto result = html::scan(*text, page_url);
    for (auto const& link : result.links)
    {
        if (args.show_nofollow && link.nofollow)
            std::printf("%s\tnofollow\n", link.url.c_str());
        else
            std::printf("%s\n", link.url.c_str());
    }
    return exit_ok;
}

} // namespace

void add_links_command(CLI::App& app, int& result)
{
    auto args = std::make_shared<links_args>();
    auto* cmd = app.add_subcommand("links", "Print a document's links, absolute and canonical, once each");
    cmd->add_option("source", args->source, "HTML file, http(s) URL, or - for stdin")->required();
    cmd->add_option("--base", args->base, "The document's URL (default: the SOURCE URL, or file:// for a file)");
    cmd->add_flag("--nofollow", args->show_nofollow, "Mark rel=nofollow links with a tab and 'nofollow'");
    cmd->footer("Drops javascript:, mailto:, tel: and data: links. Exit status 2 on an unreadable source.");
    cmd->callback([args, &result] { result = run_links(*args); });
}

} // namespace weft::cli
