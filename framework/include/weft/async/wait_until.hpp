// weft::wait_until: poll a condition until it holds or a deadline passes.
#pragma once

#include <weft/async/sleep.hpp>
#include <weft/async/task.hpp>
#include <weft/async/timeout_error.hpp>
#include <weft/async/with_timeout.hpp>

#include <algorithm>
#include <chrono>
#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace weft
{

/// How wait_until polls. Written inline at a co_await (`{.timeout = 5s}`), so only trivially
/// destructible members (docs/ARCHITECTURE.md, trap 2).
struct wait_options
{
    std::chrono::steady_clock::duration timeout = std::chrono::seconds(30);        ///< give up after this
    std::chrono::steady_clock::duration interval = std::chrono::milliseconds(100); ///< first pause
    double backoff = 1.0; ///< each pause is the previous one times this (1: fixed interval)
    std::chrono::steady_clock::duration max_interval = std::chrono::seconds(5); ///< longest pause
};
static_assert(std::is_trivially_destructible_v<wait_options>);

namespace detail
{

template <class Pred>
concept sync_predicate = std::invocable<Pred&> && std::convertible_to < std::invoke_result_t<Pred&>,
bool > ;
template <class Pred>
concept async_predicate = std::invocable<Pred&> && std::same_as<std::invoke_result_t<Pred&>, task<bool>>;

template <class Pred>
task<void> wait_until_task(Pred pred, wait_options opt, std::string what)
{
    using clock = std::chrono::steady_clock;
    auto const deadline = clock::now() + opt.timeout;
    auto pause = opt.interval;
    for (;;)
    {
        bool ok = false;
        if constexpr (async_predicate<Pred>)
        {
            // The deadline also bounds a predicate that hangs.
            auto const left = std::max(deadline - clock::now(), clock::duration::zero());
            bool late = false;
            try
            {
                ok = co_await with_timeout(pred(), left, what);
            }
            catch (timeout_error const&)
            {
                late = true;
            }
            if (late)
                throw timeout_error(what, opt.timeout);
        }
        else
            ok = static_cast<bool>(pred());
        if (ok)
            co_return;
        auto const now = clock::now();
        if (now >= deadline)
            throw timeout_error(what, opt.timeout);
        co_await sleep(std::min<clock::duration>(pause, deadline - now));
        auto const next = std::chrono::duration_cast<clock::duration>(pause * opt.backoff);
        pause = std::clamp<clock::duration>(next, clock::duration(1), std::max(opt.max_interval, opt.interval));
    }
}

} // namespace detail

/// Suspends until `pred()` is true, calling it first at once and then after each pause
/// (`opt.interval`, multiplied by `opt.backoff` each time, at most `opt.max_interval`).
/// `pred` returns bool or task<bool>; a task<bool> is also bounded by the deadline.
///
/// Errors: weft::timeout_error ("<what> timed out after <opt.timeout>") once the deadline has
/// passed and `pred` is still false; an exception from `pred` propagates at once.
/// Cancellation: cancelling the caller cancels the pause (or the predicate's task) and throws
/// operation_aborted.
/// Lifetimes: `pred` and a copy of `what` are owned by the returned task.
template <class Pred>
requires detail::sync_predicate<Pred> || detail::async_predicate<Pred> task<void>
wait_until(Pred pred, wait_options opt = {}, std::string_view what = "condition")
{
    return detail::wait_until_task(std::move(pred), opt, std::string(what));
}

} // namespace weft
