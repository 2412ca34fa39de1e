// weft: the command line. Each subcommand lives in its own file (commands.hpp).
#include "commands.hpp"

#include <cstdio>
#include <exception>

int main(int argc, char** argv)
{
    CLI::App app{"weft: asynchronous web scraping and browser automation"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "weft 0.1.0");
    int result = weft::cli::exit_ok;
    weft::cli::add_fetch_command(app, result);
    weft::cli::add_select_command(app, result);
    weft::cli::add_links_command(app, result);
    weft::cli::add_robots_command(app, result);
    weft::cli::add_crawl_command(app, result);
    weft::cli::add_list_command(app, result);
    weft::cli::add_genspider_command(app, result);
    weft::cli::add_status_command(app, result);
    weft::cli::add_export_command(app, result);
    weft::cli::add_parse_command(app, result);
    weft::cli::add_shell_command(app, result);
    // A repeatable option takes one value per occurrence (`--deny A --deny B`), as in curl and
    // Scrapy; CLI11's default lets `--allow-host H URL` swallow the URL as a second host.
    for (auto* command : app.get_subcommands([](CLI::App*) { return true; }))
        for (auto* option : command->get_options())
            if (option->nonpositional())
                option->allow_extra_args(false);
    try
    {
        app.parse(argc, argv);
    }
    catch (CLI::ParseError const& e)
    {
        int const rc = app.exit(e);
        return rc == 0 ? 0 : weft::cli::exit_usage;
    }
    catch (std::exception const& e)
    {
        std::fprintf(stderr, "weft: %s\n", e.what());
        return weft::cli::exit_failure;
    }
    return result;
}
