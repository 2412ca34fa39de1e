// Private to fetch_chromium: what every source speaking the DevTools protocol shares: its JSON,
// the clock of its deadlines, and fail().
#pragma once

#include <weft/async/task.hpp>
#include <weft/chromium/error.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace weft::chromium::detail
{

using json = nlohmann::json;
using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Throws system_error(code) with `what` as the whole message.
[[noreturn]] void fail(error code, std::string const& what);

} // namespace weft::chromium::detail
