// weft::task_group: structured concurrency; children that are tracked, cancelled and awaited.
#pragma once

#include <weft/async/task.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <utility>

namespace weft
{

/// Owns a set of child tasks running on one executor.
///
/// Unlike `co_spawn(..., detached)`, which swallows exceptions, every child's completion is
/// recorded: the first exception that is not a cancellation is kept (first_error()).
/// Cancellation of a child (operation_aborted) is not an error.
///
/// Thread safety: none; use a group from its executor only (a strand if the context is
/// multi-threaded).
/// Lifetimes: destroying the group cancels (terminal) the children still running; they finish
/// on their own afterwards and touch nothing of the group object. Member coroutines
/// (wait_for, shutdown) need the group alive until they complete.
class task_group
{
public:
    explicit task_group(executor ex);
    task_group(task_group const&) = delete;
    task_group& operator=(task_group const&) = delete;
    ~task_group();

    executor get_executor() const noexcept;

    /// Starts `child` on the group's executor. If the group was cancelled, the child starts
    /// already cancelled (its first Asio operation throws operation_aborted).
    void spawn(task<void> child);

    /// Emits `type` to every running child, and to children spawned later (terminal only).
    void cancel(asio::cancellation_type type = asio::cancellation_type::terminal);

    /// How many children are still running.
    std::size_t size() const noexcept;

    /// The first exception a child ended with (cancellations excluded), or nullptr.
    std::exception_ptr first_error() const noexcept;

    /// Rethrows first_error(), if any.
    void rethrow_if_error() const;

    /// Completes with no error once no child is running (at once if none is). Children's
    /// failures do not fail the wait: check first_error().
    /// Cancellation: any type; completes with operation_aborted, the children keep running.
    template <class Token = asio::deferred_t>
    auto async_wait(Token&& token = {})
    {
        return asio::async_initiate<Token, void(boost::system::error_code)>(
            [](asio::any_completion_handler<void(boost::system::error_code)> h, std::shared_ptr<impl> i)
            { start_wait(std::move(i), std::move(h)); },
            token, impl_);
    }

    /// Waits up to `limit` for the children; true if they all finished, false at the deadline
    /// (they keep running).
    task<bool> wait_for(std::chrono::steady_clock::duration limit);

    /// cancel(), then wait_for(grace): true if every child finished within the grace period.
    task<bool> shutdown(std::chrono::steady_clock::duration grace);

private:
    struct impl;
    static void start_wait(std::shared_ptr<impl> i, asio::any_completion_handler<void(boost::system::error_code)> h);
    std::shared_ptr<impl> impl_;
};

} // namespace weft
