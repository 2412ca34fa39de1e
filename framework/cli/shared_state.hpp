// What `weft crawl --frontier`, `weft status` and `weft export` share: finding and opening a
// shared crawl state by its address, and the exit code of a failure to.
#pragma once

#include <weft/async/task.hpp>
#include <weft/error.hpp>
#include <weft/state/crawl_state.hpp>

#include <memory>
#include <string>

namespace weft::cli
{

/// Makes sure a backend is registered for `address`'s scheme, loading the plugins on the search
/// path if none is linked in. @throws CLI::ValidationError for `flag`, the password redacted.
void require_backend(std::string const& address, char const* flag);

/// Opens the crawl state at `address` for crawl `crawl_id` on the current executor.
/// @throws weft::system_error naming the address (redacted) when it cannot.
task<std::unique_ptr<state::crawl_state>> async_open_shared_state(std::string address, std::string crawl_id);

/// A failure that means a wrong address or configuration rather than a failed run: a crawl state
/// that cannot be reached or refuses, an address that cannot be listened on (exit 2).
bool is_setup_error(error_code ec);

/// Runs `body` for command `name` on its own io_context (SIGINT: 130): its exit code, 2 for
/// std::invalid_argument and setup errors, 1 for other exceptions, said on stderr.
int run_command(char const* name, task<int> body);

} // namespace weft::cli
