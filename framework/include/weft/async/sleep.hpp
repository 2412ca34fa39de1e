// weft::sleep: suspend the calling task for a while.
#pragma once

#include <weft/async/task.hpp>

#include <chrono>

namespace weft
{

/// Suspends for `d` on the caller's executor (a steady_timer: wall-clock changes do not matter).
///
/// Cancellation: any cancellation type; the task then throws system_error(operation_aborted).
task<void> sleep(std::chrono::steady_clock::duration d);

/// Suspends until `t`; returns at once if it has passed. Cancellation as for sleep.
task<void> sleep_until(std::chrono::steady_clock::time_point t);

} // namespace weft
