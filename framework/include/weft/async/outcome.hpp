// weft::outcome<T>: the value or the exception of one finished operation (gather_settled).
#pragma once

#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

namespace weft
{

/// Either a T (std::monostate for void operations) or the exception the operation ended with.
template <class T>
class outcome
{
public:
    using value_type = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

    explicit outcome(value_type v) : v_(std::in_place_index<0>, std::move(v)) {}
    explicit outcome(std::exception_ptr e) : v_(std::in_place_index<1>, std::move(e)) {}

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    /// The value; rethrows the exception if there is none.
    value_type& value() &
    {
        rethrow_if_error();
        return std::get<0>(v_);
    }
    value_type&& value() &&
    {
        rethrow_if_error();
        return std::get<0>(std::move(v_));
    }
    value_type const& value() const&
    {
        rethrow_if_error();
        return std::get<0>(v_);
    }

    /// The exception, or nullptr when there is a value.
    std::exception_ptr error() const noexcept { return has_value() ? nullptr : std::get<1>(v_); }

    void rethrow_if_error() const
    {
        if (!has_value())
            std::rethrow_exception(std::get<1>(v_));
    }

private:
    std::variant<value_type, std::exception_ptr> v_;
};

} // namespace weft
