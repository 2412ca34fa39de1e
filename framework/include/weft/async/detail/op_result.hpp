// Private: how weft turns an Asio completion (its arguments) into a coroutine's result, and
// how it co_spawns a task whose value type is not default constructible.
#pragma once

#include <weft/async/task.hpp>

#include <boost/asio/deferred.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <concepts>
#include <exception>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace weft::detail
{

// The signature a deferred operation completes with (weft accepts single-signature ones).
template <class Op>
struct deferred_signature;

template <class R, class... Args, class Initiation, class... InitArgs>
struct deferred_signature<asio::deferred_async_operation<R(Args...), Initiation, InitArgs...>>
{
    using args = std::tuple<std::decay_t<Args>...>;
};

template <class Op>
concept deferred_operation = requires
{
    typename deferred_signature<std::decay_t<Op>>::args;
};

// Completion arguments -> value, as asio::awaitable does: a leading error_code or
// exception_ptr is thrown when set, then none/one/many values give void/T/tuple.
template <class Tuple>
struct completion_value;

template <class... Vs>
struct completion_value<std::tuple<Vs...>>
{
    using type = std::conditional_t<
        sizeof...(Vs) == 0, void,
        std::conditional_t<sizeof...(Vs) == 1, std::tuple_element_t<0, std::tuple<Vs..., int>>, std::tuple<Vs...>>>;

    static type take(std::tuple<Vs...>&& t)
    {
        if constexpr (sizeof...(Vs) == 0)
            return;
        else if constexpr (sizeof...(Vs) == 1)
            return std::move(std::get<0>(t));
        else
            return std::move(t);
    }
};

template <class... Vs>
struct completion_value<std::tuple<boost::system::error_code, Vs...>> : completion_value<std::tuple<Vs...>>
{
    static typename completion_value<std::tuple<Vs...>>::type take(std::tuple<boost::system::error_code, Vs...>&& t)
    {
        if (std::get<0>(t))
            throw boost::system::system_error(std::get<0>(t));
        return completion_value<std::tuple<Vs...>>::take(drop_first(std::move(t)));
    }
    static std::tuple<Vs...> drop_first(std::tuple<boost::system::error_code, Vs...>&& t)
    {
        return std::apply([](auto&&, auto&&... vs) { return std::tuple<Vs...>(std::move(vs)...); }, std::move(t));
    }
};

template <class... Vs>
struct completion_value<std::tuple<std::exception_ptr, Vs...>> : completion_value<std::tuple<Vs...>>
{
    static typename completion_value<std::tuple<Vs...>>::type take(std::tuple<std::exception_ptr, Vs...>&& t)
    {
        if (std::get<0>(t))
            std::rethrow_exception(std::get<0>(t));
        return completion_value<std::tuple<Vs...>>::take(
            std::apply([](auto&&, auto&&... vs) { return std::tuple<Vs...>(std::move(vs)...); }, std::move(t)));
    }
};

template <class Tuple>
using completion_value_t = typename completion_value<Tuple>::type;

// Boost 1.81's co_spawn builds `T()` to report an exception (impl/co_spawn.hpp), so a task
// whose T is not default constructible is spawned as task<optional<T>>.
template <class T>
inline constexpr bool spawn_direct = std::is_void_v<T> || std::default_initializable<T>;

template <class T>
using spawned_t = std::conditional_t<spawn_direct<T>, T, std::optional<T>>;

template <class T>
task<std::optional<T>> boxed(task<T> t)
{
    co_return co_await std::move(t);
}

template <class T>
task<spawned_t<T>> spawnable(task<T> t)
{
    if constexpr (spawn_direct<T>)
        return t;
    else
        return boxed(std::move(t));
}

template <class T>
T unspawn(spawned_t<T>&& v)
{
    if constexpr (spawn_direct<T>)
        return std::move(v);
    else
        return std::move(*v);
}

} // namespace weft::detail
