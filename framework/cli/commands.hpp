// The weft commands: each add_*_command registers one subcommand on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace weft::cli {

/// Exit codes shared by every command.
enum exit_code : int
{
    exit_ok = 0,
    exit_failure = 1,    ///< the command ran and failed (fetch error, no match, errors over threshold)
    exit_usage = 2,      ///< bad usage, bad configuration, unreadable input
    exit_interrupted = 130,
};

/// Each returns the command's exit code through `result` once run.
void add_fetch_command(CLI::App& app, int& result);
void add_select_command(CLI::App& app, int& result);
void add_links_command(CLI::App& app, int& result);
void add_robots_command(CLI::App& app, int& result);
void add_crawl_command(CLI::App& app, int& result);
void add_list_command(CLI::App& app, int& result);
void add_genspider_command(CLI::App& app, int& result);
void add_status_command(CLI::App& app, int& result);
void add_export_command(CLI::App& app, int& result);
void add_parse_command(CLI::App& app, int& result);
void add_shell_command(CLI::App& app, int& result);

/// Output paths of -o/-O: each a file ('-': stdout), none twice. @throws CLI::ValidationError
/// naming `flag` ("'out' is a directory; give a file, such as 'out/items.jsonl'"), exit 2.
void check_outputs(std::vector<std::string> const& outputs, char const* flag);
/// A path read or written as a file: @throws CLI::ValidationError when it is a directory.
void check_not_directory(std::string const& path, char const* flag);

/// Accepts a proxy URL libcurl speaks (http::checked_proxy_url); its message hides the password.
CLI::Validator proxy_url_validator();

} // namespace weft::cli
