// weft::generator<T>: an async generator; a coroutine that both co_awaits and co_yields.
//
//     weft::generator<int> numbers(int n)
//     {
//         for (int i = 0; i < n; ++i)
//         {
//             co_await weft::sleep(10ms);   // any weft::task<U>, or an Asio op with asio::deferred
//             co_yield i;
//         }
//     }
//
//     weft::task<void> consume()
//     {
//         auto gen = numbers(3);
//         while (auto v = co_await gen.async_next())
//             use(*v);
//     }
#pragma once

#include <weft/async/detail/op_result.hpp>
#include <weft/async/task.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>

#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

namespace weft
{

namespace detail
{

// What a generator's frame, its generator object and the operation its body awaits share.
// Frame ownership: the core owns the frame; the generator object and a pending operation's
// handler own the core. So a generator dropped while its body awaits something frees the frame
// only when that operation has completed (it is cancelled first): the body never runs again,
// and nothing is destroyed under a pending operation (the 1.81 `experimental::coro` trap).
class generator_core : public std::enable_shared_from_this<generator_core>
{
public:
    generator_core() = default;
    generator_core(generator_core const&) = delete;
    generator_core& operator=(generator_core const&) = delete;
    virtual ~generator_core()
    {
        if (frame)
            frame.destroy();
    }

    std::coroutine_handle<> frame;
    executor ex;                     ///< where the body runs; known at the first async_next at the latest
    asio::cancellation_signal inner; ///< bound to the operation the body awaits
    bool inner_pending = false;
    bool cancelled = false; ///< a pending async_next was cancelled: sticky, like an awaitable's
    bool abandoned = false; ///< the generator object is gone: never resume the body
    bool done = false;      ///< the body has finished

    virtual bool has_consumer() const noexcept = 0;
    virtual void fail_consumer(std::exception_ptr e) = 0;
    virtual void drop_consumer() noexcept = 0;

    void resume()
    {
        if (abandoned)
        {
            if (has_consumer())
                fail_consumer(std::make_exception_ptr(
                    boost::system::system_error(asio::error::operation_aborted, "weft::generator")));
            return;
        }
        frame.resume();
    }

    // The awaited operation's handler was destroyed unrun (its io_context shut down). The
    // consumer's handler is destroyed too: it may own the coroutine that owns the generator,
    // and keeping it would leak that cycle.
    void inner_dropped() noexcept
    {
        inner_pending = false;
        inner.slot().clear();
        drop_consumer();
    }
};

// The completion handler of an operation the generator body awaits: resumes the body on the
// generator's executor with the operation's arguments.
template <class Result>
class inner_handler
{
public:
    using executor_type = executor;
    using cancellation_slot_type = asio::cancellation_slot;

    inner_handler(std::shared_ptr<generator_core> core, std::optional<Result>* out) : core_(std::move(core)), out_(out)
    {
    }
    inner_handler(inner_handler&& o) noexcept : core_(std::move(o.core_)), out_(o.out_) {}
    inner_handler& operator=(inner_handler&&) = delete;
    ~inner_handler()
    {
        if (core_)
            core_->inner_dropped();
    }

    executor_type get_executor() const noexcept { return core_->ex; }
    cancellation_slot_type get_cancellation_slot() const noexcept { return core_->inner.slot(); }

    template <class... Args>
    void operator()(Args&&... args)
    {
        auto core = std::move(core_);
        core->inner_pending = false;
        if (!core->abandoned)
            out_->emplace(std::forward<Args>(args)...);
        core->resume();
    }

private:
    std::shared_ptr<generator_core> core_;
    std::optional<Result>* out_;
};

template <class Result>
struct inner_awaiter_base
{
    generator_core* core;
    std::optional<Result> result;

    bool await_ready() const noexcept { return false; }
    auto await_resume() { return completion_value<Result>::take(std::move(*result)); }
    inner_handler<Result> handler()
    {
        core->inner_pending = true;
        return inner_handler<Result>(core->shared_from_this(), &result);
    }
};

template <class Op>
struct deferred_awaiter : inner_awaiter_base<typename deferred_signature<Op>::args>
{
    deferred_awaiter(generator_core* c, Op o)
        : inner_awaiter_base<typename deferred_signature<Op>::args>{c, {}}, op(std::move(o))
    {
    }
    void await_suspend(std::coroutine_handle<>) { std::move(op)(this->handler()); }
    Op op;
};

template <class U>
struct task_awaiter : inner_awaiter_base<std::conditional_t<std::is_void_v<U>, std::tuple<std::exception_ptr>,
                                                            std::tuple<std::exception_ptr, spawned_t<U>>>>
{
    using base = inner_awaiter_base<std::conditional_t<std::is_void_v<U>, std::tuple<std::exception_ptr>,
                                                       std::tuple<std::exception_ptr, spawned_t<U>>>>;
    task_awaiter(generator_core* c, task<U> t) : base{c, {}}, t(std::move(t)) {}
    void await_suspend(std::coroutine_handle<>)
    {
        asio::co_spawn(this->core->ex, spawnable(std::move(t)), this->handler());
    }
    U await_resume()
    {
        if constexpr (std::is_void_v<U>)
            base::await_resume();
        else
            return unspawn<U>(base::await_resume());
    }
    task<U> t;
};

template <class T>
class generator_state final : public generator_core
{
public:
    using handler_type = asio::any_completion_handler<void(std::exception_ptr, std::optional<T>)>;

    handler_type consumer;
    std::exception_ptr error;

    bool has_consumer() const noexcept override { return static_cast<bool>(consumer); }
    void drop_consumer() noexcept override { auto h = std::move(consumer); }
    void fail_consumer(std::exception_ptr e) override { complete(std::move(e), std::nullopt); }

    // Never inline: the consumer may destroy the generator as soon as it resumes.
    void complete(std::exception_ptr e, std::optional<T> v)
    {
        auto h = std::move(consumer);
        if (!h)
            return;
        auto slot = asio::get_associated_cancellation_slot(h);
        if (slot.is_connected())
            slot.clear();
        // post + append: the handler still runs on its own associated executor.
        asio::post(ex, asio::append(std::move(h), std::move(e), std::move(v)));
    }
};

// Resumes the body from async_next. If it is destroyed unrun (shutdown), it breaks the cycle
// as inner_handler does.
class resume_op
{
public:
    explicit resume_op(std::shared_ptr<generator_core> c) : core_(std::move(c)) {}
    resume_op(resume_op&& o) noexcept : core_(std::move(o.core_)) {}
    ~resume_op()
    {
        if (core_)
            core_->drop_consumer();
    }
    void operator()()
    {
        auto core = std::move(core_);
        core->resume();
    }

private:
    std::shared_ptr<generator_core> core_;
};

struct next_canceller
{
    generator_core* core;
    void operator()(asio::cancellation_type)
    {
        core->cancelled = true;
        if (core->inner_pending)
            core->inner.emit(asio::cancellation_type::terminal);
    }
};

template <class T>
struct is_task : std::false_type
{
};
template <class U>
struct is_task<task<U>> : std::true_type
{
};

} // namespace detail

/// An asynchronous sequence of T produced by a coroutine that can co_await and co_yield.
///
/// The body is lazy: it starts at the first async_next and runs only while a consumer awaits
/// async_next, on the generator's executor: the object's `get_executor()` for a member
/// function (a spider), the first parameter if it is an executor or has get_executor(), else
/// the executor of the first async_next's completion handler (the consuming task's).
///
/// Inside the body, `co_await` accepts a weft::task<U> (run as a child coroutine), an Asio
/// operation made with asio::deferred (a leading error_code is thrown as system_error), and
/// asio::this_coro::executor.
///
/// Errors: an exception escaping the body is rethrown by the async_next that resumed it; the
/// generator is then finished.
/// Cancellation: cancelling a pending async_next (any type, treated as terminal) cancels the
/// operation the body awaits; from then on every co_await in the body throws
/// operation_aborted, so the body unwinds and async_next throws it.
/// Lifetimes: destroying the generator (or breaking out of the loop) while the body is
/// suspended at a co_yield destroys the body's frame; nothing runs afterwards. If an
/// operation is pending, it is cancelled and the frame is freed when it completes, without
/// resuming the body. Parameters are taken by value (coroutine parameters outlive nothing).
template <class T>
class generator
{
    static_assert(!std::is_reference_v<T> && !std::is_void_v<T>, "weft::generator yields values");

public:
    using value_type = T;
    class promise_type;

    generator() = default;
    generator(generator&& o) noexcept : st_(std::move(o.st_)) {}
    generator& operator=(generator&& o) noexcept
    {
        if (this != &o)
        {
            abandon();
            st_ = std::move(o.st_);
        }
        return *this;
    }
    ~generator() { abandon(); }

    /// Resumes the body until its next co_yield (the value), its end (std::nullopt, as every
    /// later call) or an exception escaping the body (rethrown here). One call at a time.
    /// `while (auto v = co_await gen.async_next())`; also fits with_timeout and race.
    task<std::optional<T>> async_next() { return next_task(st_); }

    /// The same as an Asio operation for other completion tokens (callbacks, use_future,
    /// parallel_group with asio::deferred). Signature: void(std::exception_ptr, std::optional<T>).
    /// Not for use_awaitable: Boost 1.81's async_result<use_awaitable_t, void(exception_ptr, T)>
    /// does not compile (impl/awaitable.hpp dereferences the result struct itself, `*result`).
    template <class Token>
    auto async_next(Token&& token)
    {
        return asio::async_initiate<Token, void(std::exception_ptr, std::optional<T>)>(
            [](auto handler, std::shared_ptr<detail::generator_state<T>> st)
            { start_next(std::move(st), std::move(handler)); },
            token, st_);
    }

    /// True once the body has finished (or for a moved-from generator).
    bool done() const noexcept { return !st_ || st_->done; }

    /// The executor the body runs on (null before the first async_next of a free function).
    executor get_executor() const noexcept { return st_ ? st_->ex : executor(); }

private:
    explicit generator(std::shared_ptr<detail::generator_state<T>> st) : st_(std::move(st)) {}

    void abandon() noexcept
    {
        if (!st_)
            return;
        st_->abandoned = true;
        if (st_->inner_pending)
            st_->inner.emit(asio::cancellation_type::terminal);
        st_.reset();
    }

    // Carries (exception_ptr, optional<T>) as one value: see async_next(Token).
    struct next_result
    {
        std::exception_ptr error;
        std::optional<T> value;
    };

    template <class Handler>
    struct pack_handler
    {
        Handler h;
        using executor_type = asio::associated_executor_t<Handler, asio::system_executor>;
        using cancellation_slot_type = asio::associated_cancellation_slot_t<Handler>;
        executor_type get_executor() const noexcept
        {
            return asio::get_associated_executor(h, asio::system_executor());
        }
        cancellation_slot_type get_cancellation_slot() const noexcept
        {
            return asio::get_associated_cancellation_slot(h);
        }
        void operator()(std::exception_ptr e, std::optional<T> v) { std::move(h)(next_result{e, std::move(v)}); }
    };

    static task<std::optional<T>> next_task(std::shared_ptr<detail::generator_state<T>> st)
    {
        auto r = co_await asio::async_initiate<asio::deferred_t const&, void(next_result)>(
            [](auto handler, std::shared_ptr<detail::generator_state<T>> st)
            { start_next(std::move(st), pack_handler<decltype(handler)>{std::move(handler)}); },
            asio::deferred, std::move(st));
        if (r.error)
            std::rethrow_exception(r.error);
        co_return std::move(r.value);
    }

    template <class Handler>
    static void start_next(std::shared_ptr<detail::generator_state<T>> st, Handler handler)
    {
        auto fail = [&](std::exception_ptr e)
        {
            auto ex = st && st->ex ? st->ex : executor(asio::get_associated_executor(handler, asio::system_executor()));
            asio::post(ex, asio::append(std::move(handler), e, std::optional<T>()));
        };
        if (!st)
            return fail(std::make_exception_ptr(std::logic_error("weft::generator: async_next on an empty generator")));
        if (st->consumer)
            return fail(std::make_exception_ptr(std::logic_error("weft::generator: async_next already pending")));
        if (!st->ex)
            st->ex = executor(asio::get_associated_executor(handler, asio::system_executor()));
        // Not `consumer = std::move(h)`: Boost 1.81's any_completion_handler move assignment
        // copies `other` as an lvalue into its converting constructor, which wraps itself
        // recursively until the stack overflows.
        typename detail::generator_state<T>::handler_type(std::move(handler)).swap(st->consumer);
        if (st->done)
            return st->complete(nullptr, std::nullopt);
        // The slot of the type-erased handler: any_completion_handler already installed its own
        // cancellation state in the caller's slot, which must not be overwritten.
        auto slot = asio::get_associated_cancellation_slot(st->consumer);
        if (slot.is_connected())
            slot.template emplace<detail::next_canceller>(detail::next_canceller{st.get()});
        // Inline when already on the body's executor; the body only ever hands results back
        // through post, so the consumer is never resumed inside this call.
        // Executor copied first: argument order is unspecified and GCC builds resume_op (moving
        // st out) before reading st->ex, a null dereference (clang happens to go left to right).
        auto ex = st->ex;
        asio::dispatch(ex, detail::resume_op(std::move(st)));
    }

    std::shared_ptr<detail::generator_state<T>> st_;
};

template <class T>
class generator<T>::promise_type
{
public:
    promise_type() = default;

    // The executor: the object's for a member function, or the first parameter's.
    template <class First, class... Rest>
    explicit promise_type(First& first, Rest&...)
    {
        if constexpr (requires { executor(first.get_executor()); })
            ex_ = executor(first.get_executor());
        else if constexpr (std::is_convertible_v<First&, executor>)
            ex_ = executor(first);
    }

    generator get_return_object()
    {
        auto st = std::make_shared<detail::generator_state<T>>();
        st->frame = std::coroutine_handle<promise_type>::from_promise(*this);
        st->ex = ex_;
        st_ = st.get();
        return generator(std::move(st));
    }

    std::suspend_always initial_suspend() noexcept { return {}; }

    auto final_suspend() noexcept
    {
        struct final_awaiter
        {
            detail::generator_state<T>* st;
            bool await_ready() const noexcept { return false; }
            void await_suspend(std::coroutine_handle<>) noexcept
            {
                st->done = true;
                try
                {
                    st->complete(std::exchange(st->error, nullptr), std::nullopt);
                }
                catch (...)
                {
                    // post failed (out of memory): the consumer's handler is destroyed unrun.
                }
            }
            void await_resume() const noexcept {}
        };
        return final_awaiter{st_};
    }

    void return_void() noexcept {}
    void unhandled_exception() noexcept { st_->error = std::current_exception(); }

    auto yield_value(T value)
    {
        struct yield_awaiter
        {
            detail::generator_state<T>* st;
            std::optional<T> value;
            bool await_ready() const noexcept { return false; }
            void await_suspend(std::coroutine_handle<>) { st->complete(nullptr, std::move(value)); }
            void await_resume() const noexcept {}
        };
        return yield_awaiter{st_, std::optional<T>(std::move(value))};
    }

    template <class U>
    auto await_transform(task<U> t)
    {
        throw_if_cancelled();
        return detail::task_awaiter<U>(st_, std::move(t));
    }

    template <detail::deferred_operation Op>
    auto await_transform(Op op)
    {
        throw_if_cancelled();
        return detail::deferred_awaiter<std::decay_t<Op>>(st_, std::move(op));
    }

    auto await_transform(asio::this_coro::executor_t) noexcept
    {
        struct ready
        {
            executor ex;
            bool await_ready() const noexcept { return true; }
            void await_suspend(std::coroutine_handle<>) const noexcept {}
            executor await_resume() const noexcept { return ex; }
        };
        return ready{st_->ex};
    }

    template <class Other>
    requires(!detail::is_task<std::decay_t<Other>>::value && !detail::deferred_operation<Other>) void await_transform(
        Other&&) = delete; // co_await a weft::task, an asio::deferred op or this_coro::executor

private:
    void throw_if_cancelled() const
    {
        if (st_->cancelled)
            throw boost::system::system_error(asio::error::operation_aborted, "weft::generator");
    }

    detail::generator_state<T>* st_ = nullptr;
    executor ex_;
};

} // namespace weft
