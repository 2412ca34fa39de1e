// weft::with_timeout: run an operation with a deadline, and cancel it when the deadline passes.
#pragma once

#include <weft/async/detail/op_result.hpp>
#include <weft/async/task.hpp>
#include <weft/async/timeout_error.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

namespace weft
{

namespace detail
{

// make_parallel_group + wait_for_one, not `op || timer`: `||` waits for the first *success*,
// so a fast failure would wait out the whole deadline and be reported as a timeout
// (chriskohlhoff/asio#900, #1594). The group always waits for both operations to finish, so
// the operation's cancellation has completed by the time this returns.
template <class T>
task<T> with_timeout_task(task<T> op, std::chrono::steady_clock::duration limit, std::string what)
{
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex, limit);
    auto result =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(ex, detail::spawnable(std::move(op)), asio::deferred), timer.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::deferred);
    if (std::get<0>(result)[0] == 1)
        throw timeout_error(what, limit);
    if (std::get<1>(result))
        std::rethrow_exception(std::get<1>(result));
    if constexpr (!std::is_void_v<T>)
        co_return detail::unspawn<T>(std::move(std::get<2>(result)));
}

template <class Op>
task<completion_value_t<typename deferred_signature<std::decay_t<Op>>::args>>
with_timeout_op(Op op, std::chrono::steady_clock::duration limit, std::string what)
{
    using args = typename deferred_signature<std::decay_t<Op>>::args;
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex, limit);
    auto result = co_await asio::experimental::make_parallel_group(std::move(op), timer.async_wait(asio::deferred))
                      .async_wait(asio::experimental::wait_for_one(), asio::deferred);
    if (std::get<0>(result)[0] == 1)
        throw timeout_error(what, limit);
    // result = (order, op's arguments..., timer's error_code)
    auto op_args = [&]<std::size_t... I>(std::index_sequence<I...>)
    {
        return args(std::move(std::get<I + 1>(result))...);
    }
    (std::make_index_sequence<std::tuple_size_v<args>>());
    co_return completion_value<args>::take(std::move(op_args));
}

} // namespace detail

/// Runs `op` with a deadline of `limit` and returns its result.
///
/// Errors: if `op` fails first, its own exception propagates at once (however early). If the
/// deadline passes first, `op` is cancelled (terminal), awaited, and weft::timeout_error is
/// thrown: code weft::error::timed_out (== weft::condition::timeout), what() "<what> timed out
/// after <limit>".
/// Cancellation: cancelling the caller cancels `op` and the timer; `op`'s error propagates
/// (usually operation_aborted).
/// Lifetimes: `what` is copied before this returns; `op` is owned by the returned task.
/// Requires: `op` supports terminal cancellation, or the timeout waits for it to finish.
template <class T>
task<T> with_timeout(task<T> op, std::chrono::steady_clock::duration limit, std::string_view what = "operation")
{
    return detail::with_timeout_task(std::move(op), limit, std::string(what));
}

/// The same for an Asio operation made with asio::deferred, e.g.
/// `co_await with_timeout(sock.async_read_some(buf, asio::deferred), 5s, "read")`.
/// A leading error_code in its completion is thrown as system_error; the remaining values are
/// returned (none: void, one: the value, several: a tuple).
template <detail::deferred_operation Op>
auto with_timeout(Op op, std::chrono::steady_clock::duration limit, std::string_view what = "operation")
{
    return detail::with_timeout_op(std::move(op), limit, std::string(what));
}

} // namespace weft
