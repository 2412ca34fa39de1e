// weft::run: the body of main(); runs a task to completion and turns the outcome into an exit code.
#pragma once

#include <weft/async/task.hpp>

namespace weft
{

/// Runs `main_task` on a new single-threaded io_context until it completes, then stops the
/// context (work the task left behind is destroyed unrun: wait for children with a
/// task_group). Returns:
///   - 0 (or the task's int) when it completes;
///   - 1 when it throws: "weft: <what()>" is printed on stderr;
///   - 130 when SIGINT or SIGTERM arrived: the first one emits terminal cancellation into the
///     task (its pending operations complete with operation_aborted, in order, and it unwinds),
///     a second one ends the process at once with _exit(130). See weft::stop_signals.
///
///     int main() { return weft::run(crawl()); }
int run(task<void> main_task);
int run(task<int> main_task);

} // namespace weft
