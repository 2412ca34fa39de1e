// weft::stop_signals: SIGINT and SIGTERM as a request to stop, delivered on an executor.
#pragma once

#include <weft/async/task.hpp>

#include <functional>
#include <memory>

namespace weft
{

/// Listens for SIGINT and SIGTERM on an executor.
///
/// The first signal sets the process-wide stop_requested() flag and calls `on_stop(signo)` on
/// the executor (weft::run uses it to emit terminal cancellation into the main task). From then
/// on, a second SIGINT or SIGTERM ends the process at once with `_exit(130)`, even if the event
/// loop is blocked.
///
/// Lifetimes: the handlers are installed by the constructor and removed by cancel() or the
/// destructor (default dispositions restored). While listening, the object keeps its executor's
/// io_context from running out of work: call cancel() when done. One instance per process.
class stop_signals
{
public:
    stop_signals(executor ex, std::function<void(int signo)> on_stop);
    stop_signals(stop_signals const&) = delete;
    stop_signals& operator=(stop_signals const&) = delete;
    ~stop_signals();

    /// Stops listening and restores the default dispositions. Idempotent.
    void cancel();

    /// The signal that requested the stop, or 0.
    int signal_number() const noexcept;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

/// True once a stop signal has arrived (set by stop_signals; safe from any thread).
bool stop_requested() noexcept;

/// Clears stop_requested(), for tests and for a process that starts a new run.
void reset_stop_request() noexcept;

} // namespace weft
