// weft::timeout_error: the exception a weft deadline throws.
#pragma once

#include <weft/error.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace weft
{

/// A system_error whose code is weft::error::timed_out (== weft::condition::timeout) and whose
/// what() names what timed out and after how long: "fetch http://x/ timed out after 250 ms".
/// Catch it as boost::system::system_error and test `e.code() == weft::condition::timeout`.
class timeout_error : public system_error
{
public:
    timeout_error(std::string_view what, std::chrono::nanoseconds after);

    char const* what() const noexcept override { return message_.c_str(); }

private:
    std::string message_;
};

} // namespace weft
