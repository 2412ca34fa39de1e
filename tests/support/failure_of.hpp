// weft::test::failure_of: awaits an operation that must fail and returns what it threw.
#pragma once

#include <weft/async/task.hpp>
#include <weft/error.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <utility>

namespace weft::test
{

/// The error a failed operation threw, with system_error's accessors.
class caught_error
{
public:
    caught_error() = default;
    explicit caught_error(system_error const& e) : code_(e.code()), what_(e.what()) {}
    error_code code() const { return code_; }
    char const* what() const { return what_.c_str(); }

private:
    error_code code_;
    std::string what_;
};

/// Awaits `op`, which must throw a system_error; fails the test case (naming `what`) when it
/// completes instead. Any other exception propagates.
template <class Awaitable>
task<caught_error> failure_of(Awaitable op, std::string what)
{
    try
    {
        co_await std::move(op);
    }
    catch (system_error const& e)
    {
        co_return caught_error(e);
    }
    FAIL(what << " did not throw");
    co_return caught_error();
}

} // namespace weft::test
