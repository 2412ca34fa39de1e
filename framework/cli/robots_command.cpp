// weft robots FILE AGENT URL...: checks URLs against a robots.txt file (RFC 9309), one
// "allowed" or "disallowed" line per URL, in order. FILE "-" reads standard input.
#include "commands.hpp"

#include <weft/engine/robots.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <memory>

namespace weft::cli
{

namespace
{

struct robots_args
{
    std::string file;
    std::string agent;
    std::vector<std::string> urls;
};

int run_robots(robots_args const& args)
{
    std::string body;
    if (args.file == "-")
        body.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    else
    {
        std::FILE* in = std::fopen(args.file.c_str(), "rb");
        bool failed = !in;
        int err = errno;
        if (in)
        {
            // Read one byte past the limit at most: the parser ignores the rest anyway.
            body.resize(engine::robots::max_size + 1);
            body.resize(std::fread(body.data(), 1, body.size(), in));
            failed = std::ferror(in) != 0;
            err = errno;
            std::fclose(in);
        }
        if (failed)
        {
            std::fprintf(stderr, "weft robots: cannot read '%s': %s; give the path of a robots.txt file or '-'\n",
                         args.file.c_str(), std::strerror(err));
            return exit_usage;
        }
    }
    auto rules = engine::robots::parse(body);
    for (auto const& url : args.urls)
        std::printf("%s\n", rules.allowed(args.agent, url) ? "allowed" : "disallowed");
    std::fflush(stdout);
    return exit_ok;
}

} // namespace

void add_robots_command(CLI::App& app, int& result)
{
    auto args = std::make_shared<robots_args>();
    auto* cmd = app.add_subcommand("robots", "Check URLs against a robots.txt file (RFC 9309)");
    cmd->add_option("file", args->file, "robots.txt file ('-' for stdin)")->required();
    cmd->add_option("agent", args->agent, "crawler user agent (its product token is matched: 'weft/0.1' -> 'weft')")
        ->required();
    cmd->add_option("urls", args->urls, "URLs or paths to check; prints 'allowed' or 'disallowed' for each")
        ->required();
    cmd->callback([args, &result] { result = run_robots(*args); });
}

} // namespace weft::cli
