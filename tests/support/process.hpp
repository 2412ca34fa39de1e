// run_process: runs a program to completion with given stdin, capturing stdout, stderr and
// its exit code. For tests of the weft executable.
#pragma once

#include <chrono>
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

/// The weft executable built with the tests.
std::string weft_cli_path();

} // namespace weft::test
