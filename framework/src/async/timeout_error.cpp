#include <weft/async/timeout_error.hpp>

namespace weft
{

timeout_error::timeout_error(std::string_view what, std::chrono::nanoseconds after)
    : system_error(make_error_code(error::timed_out)),
      message_(std::string(what) + " timed out after " + describe_duration(after))
{
}

} // namespace weft
