// weft::race: run tasks concurrently; the first to complete wins and the others are cancelled.
#pragma once

#include <weft/async/task.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>

#include <cstddef>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace weft
{

namespace detail
{

template <class T>
using race_alt = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// Each contender becomes task<optional<alt>> so that every completion has the same shape,
// void(exception_ptr, optional<alt>), and 1.81's co_spawn need not default-construct T.
template <class T>
task<std::optional<race_alt<T>>> race_entry(task<T> t)
{
    if constexpr (std::is_void_v<T>)
    {
        co_await std::move(t);
        co_return std::monostate{};
    }
    else
        co_return co_await std::move(t);
}

template <class Variant, std::size_t I, class Result>
Variant race_pick(Result& r)
{
    // r = (order, e0, v0, e1, v1, ...)
    if (auto& e = std::get<1 + 2 * I>(r))
        std::rethrow_exception(e);
    return Variant(std::in_place_index<I>, std::move(*std::get<2 + 2 * I>(r)));
}

template <class... Ts>
task<std::variant<race_alt<Ts>...>> race_task(task<Ts>... ts)
{
    using variant = std::variant<race_alt<Ts>...>;
    auto ex = co_await asio::this_coro::executor;
    // wait_for_one cancels the others (terminal) after the first completion, success or not,
    // and completes only when every contender has finished: nothing outlives the race.
    auto r = co_await asio::experimental::make_parallel_group(
                 asio::co_spawn(ex, race_entry(std::move(ts)), asio::deferred)...)
                 .async_wait(asio::experimental::wait_for_one(), asio::deferred);
    std::size_t const winner = std::get<0>(r)[0];
    std::optional<variant> out;
    [&]<std::size_t... I>(std::index_sequence<I...>)
    {
        ((winner == I ? (void)out.emplace(race_pick<variant, I>(r)) : void()), ...);
    }
    (std::index_sequence_for<Ts...>());
    co_return std::move(*out);
}

} // namespace detail

/// Runs every task concurrently on the caller's executor. The first to *complete* wins: its
/// value is returned as alternative i of the variant (void becomes std::monostate), or, if it
/// failed, its exception propagates. The others are cancelled (terminal) and awaited before
/// race returns, so none of them runs afterwards. Their own errors are discarded.
///
/// Cancellation: cancelling the caller cancels every contender; the first to finish decides the
/// result, normally operation_aborted.
template <class T0, class... Ts>
task<std::variant<detail::race_alt<T0>, detail::race_alt<Ts>...>> race(task<T0> t0, task<Ts>... ts)
{
    return detail::race_task(std::move(t0), std::move(ts)...);
}

} // namespace weft
