// run_process: runs a program to completion with given stdin, capturing stdout, stderr and
// its exit code. For tests of the weft executable.
#pragma once

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace weft::test {

struct process_result
{
    int exit_code = -1; ///< the exit status, or 128 + signal when killed by one
    std::string out;
    std::string err;
};

/// Runs argv[0] (a path) with arguments argv[1...]. Kills it and fails (throws) after `limit`.
process_result run_process(std::vector<std::string> const& argv, std::string const& stdin_data = {},
                           std::chrono::seconds limit = std::chrono::seconds(60));

/// Starts argv[0] (a path) with arguments argv[1...] in the background: stdin and stdout
/// /dev/null, stderr to the file `err`. Returns its pid; wait for it with poll_exit.
pid_t spawn_process(std::vector<std::string> argv, std::filesystem::path const& err);

/// The exit code (128 + signal when killed by one) once process `pid` ended, else nothing;
/// `block` waits for it.
std::optional<int> poll_exit(pid_t pid, bool block);

/// A TCP port on 127.0.0.1 free now, for a server a test starts (it binds it a moment later: a
/// server that loses that race is started again by its caller).
unsigned short free_local_port();

/// Calls `start(port)` with a free port until it returns without a std::runtime_error: another
/// process may take the port between free_local_port() and the server binding it. The fifth
/// failure is rethrown.
void start_on_free_port(std::function<void(unsigned short)> const& start);

/// The weft executable built with the tests.
std::string weft_cli_path();

/// The JSON lines of a program's output (`weft crawl` writing items to stdout), blank lines skipped.
std::vector<nlohmann::json> json_lines(std::string const& out);

} // namespace weft::test
