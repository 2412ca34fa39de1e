// weft::gather: map a task-returning function over a range with bounded concurrency.
#pragma once

#include <weft/async/outcome.hpp>
#include <weft/async/task.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <iterator>
#include <optional>
#include <ranges>
#include <type_traits>
#include <utility>
#include <vector>

namespace weft
{

/// How gather runs. Written inline at a co_await (`{.concurrency = 8}`), so only trivially
/// destructible members (docs/ARCHITECTURE.md, trap 2).
struct gather_options
{
    /// At most this many calls of fn in flight; 0 means no limit.
    std::size_t concurrency = 0;
};
static_assert(std::is_trivially_destructible_v<gather_options>);

namespace detail
{

template <class Fn, class V>
using gather_task_t = std::invoke_result_t<Fn&, V>;

template <class Task>
struct gather_task_value;
template <class R>
struct gather_task_value<task<R>>
{
    using type = R;
};

template <class Fn, class V>
using gather_result_t = typename gather_task_value<gather_task_t<Fn, V>>::type;

template <class V, class Fn, class Slot>
struct gather_state
{
    std::vector<V> items;
    Fn fn;
    std::vector<std::optional<Slot>> results;
    std::size_t next = 0;
};

// One worker: takes the next index until none is left. Workers run in one parallel_group.
template <bool Settled, class R, class State>
task<void> gather_worker(State* st)
{
    while (st->next < st->items.size())
    {
        // Awaiting a task does not check for cancellation (only Asio operations do), so check
        // here: once cancelled, start nothing new.
        // A named variable: GCC 12 cannot parse co_await inside this condition.
        auto const cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none)
        {
            if constexpr (Settled)
            {
                for (std::size_t i = st->next; i < st->items.size(); ++i)
                    st->results[i].emplace(std::make_exception_ptr(
                        boost::system::system_error(asio::error::operation_aborted, "gather_settled")));
                st->next = st->items.size();
            }
            throw boost::system::system_error(asio::error::operation_aborted, "gather");
        }
        std::size_t const i = st->next++;
        if constexpr (Settled)
        {
            try
            {
                if constexpr (std::is_void_v<R>)
                {
                    co_await st->fn(std::move(st->items[i]));
                    st->results[i].emplace(std::monostate{});
                }
                else
                    st->results[i].emplace(co_await st->fn(std::move(st->items[i])));
            }
            catch (...)
            {
                st->results[i].emplace(std::current_exception());
            }
        }
        else if constexpr (std::is_void_v<R>)
            co_await st->fn(std::move(st->items[i]));
        else
            st->results[i].emplace(co_await st->fn(std::move(st->items[i])));
    }
}

template <bool Settled, class R, class State>
task<void> gather_run(State* st, std::size_t concurrency)
{
    std::size_t const n = st->items.size();
    if (n == 0)
        co_return;
    std::size_t const workers = concurrency == 0 ? n : std::min(concurrency, n);
    auto ex = co_await asio::this_coro::executor;
    using op = decltype(asio::co_spawn(ex, gather_worker<Settled, R>(st), asio::deferred));
    std::vector<op> ops;
    ops.reserve(workers);
    for (std::size_t w = 0; w < workers; ++w)
        ops.push_back(asio::co_spawn(ex, gather_worker<Settled, R>(st), asio::deferred));
    // wait_for_one_error: the first failure cancels the other workers; the group completes only
    // when all have finished, so the state they point to outlives them.
    auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(ops))
                               .async_wait(asio::experimental::wait_for_one_error(), asio::deferred);
    for (std::size_t w : order) // the first failure in completion order is the cause
        if (errors[w])
            std::rethrow_exception(errors[w]);
    if constexpr (Settled)
    {
        // A named variable: GCC 12 cannot parse co_await inside this condition.
        auto const cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none)
            throw boost::system::system_error(asio::error::operation_aborted, "gather_settled");
    }
}

template <class V, class Fn>
task<std::conditional_t<std::is_void_v<gather_result_t<Fn, V>>, void, std::vector<gather_result_t<Fn, V>>>>
gather_task(std::vector<V> items, Fn fn, gather_options opt)
{
    using R = gather_result_t<Fn, V>;
    using slot = std::conditional_t<std::is_void_v<R>, std::monostate, R>;
    gather_state<V, Fn, slot> st{std::move(items), std::move(fn), {}, 0};
    if constexpr (!std::is_void_v<R>)
        st.results.resize(st.items.size());
    co_await gather_run<false, R>(&st, opt.concurrency);
    if constexpr (!std::is_void_v<R>)
    {
        std::vector<R> out;
        out.reserve(st.results.size());
        for (auto& r : st.results)
            out.push_back(std::move(*r));
        co_return out;
    }
}

template <class V, class Fn>
task<std::vector<outcome<gather_result_t<Fn, V>>>> gather_settled_task(std::vector<V> items, Fn fn, gather_options opt)
{
    using R = gather_result_t<Fn, V>;
    gather_state<V, Fn, outcome<R>> st{std::move(items), std::move(fn), {}, 0};
    st.results.resize(st.items.size());
    co_await gather_run<true, R>(&st, opt.concurrency);
    std::vector<outcome<R>> out;
    out.reserve(st.results.size());
    for (auto& r : st.results)
        out.push_back(std::move(*r));
    co_return out;
}

template <class Range>
auto gather_items(Range&& range)
{
    using V = std::ranges::range_value_t<Range>;
    std::vector<V> items;
    if constexpr (std::ranges::sized_range<Range>)
        items.reserve(std::ranges::size(range));
    for (auto&& v : range)
    {
        if constexpr (std::is_rvalue_reference_v<Range&&> && !std::ranges::borrowed_range<Range>)
            items.push_back(std::move(v));
        else
            items.push_back(v);
    }
    return items;
}

} // namespace detail

/// Calls `fn(element)` (each element by value) for every element of `range`, with at most
/// `opt.concurrency` calls in flight, and returns the results in input order
/// (`task<std::vector<R>>`, or `task<void>` when fn returns task<void>). `fn` returns task<R>.
///
/// Errors: the first failure cancels every call in flight (terminal), starts no new one, and
/// propagates once they have all finished.
/// Cancellation: cancelling the caller cancels every call in flight; operation_aborted propagates.
/// Lifetimes: the elements are copied (moved from an rvalue range) before this returns; `fn` is
/// owned by the returned task and outlives every call.
template <std::ranges::input_range Range, class Fn>
auto gather(Range&& range, Fn fn, gather_options opt = {})
{
    return detail::gather_task(detail::gather_items(std::forward<Range>(range)), std::move(fn), opt);
}

/// Like gather, but a failure does not stop the others: returns one weft::outcome per element,
/// in input order, holding its value or its exception.
/// Cancellation: the calls in flight are cancelled, those not started are not run (their
/// outcome holds operation_aborted), then operation_aborted propagates.
template <std::ranges::input_range Range, class Fn>
auto gather_settled(Range&& range, Fn fn, gather_options opt = {})
{
    return detail::gather_settled_task(detail::gather_items(std::forward<Range>(range)), std::move(fn), opt);
}

} // namespace weft
