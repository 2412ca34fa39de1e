// weft::chromium::error: failures of the browser, the DevTools protocol and the page's scripts.
#pragma once

#include <weft/error.hpp>

#include <type_traits>

namespace weft::chromium
{

/// Failures specific to driving Chromium. Deadlines use weft's own codes instead
/// (weft::error::timed_out, weft::error::selector_timeout: condition::timeout).
enum class error
{
    launch_failed = 1, ///< the executable did not start or did not answer in time
    browser_closed,    ///< the browser process exited, or closed its pipe or WebSocket (condition::network)
    page_closed,       ///< the page was closed or its renderer crashed (condition::network)
    protocol_error,    ///< the browser answered a command with an error
    javascript_error,  ///< a script threw (evaluate, wait_for_function)
    navigation_failed, ///< the browser could not load the URL (condition::network)
    unsupported,       ///< a request the render fetcher cannot make (condition::client_error)
    connect_failed,    ///< a running browser's DevTools endpoint could not be reached (condition::network)
};

boost::system::error_category const& error_category() noexcept;

inline error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

} // namespace weft::chromium

template <>
struct boost::system::is_error_code_enum<weft::chromium::error> : std::true_type
{
};
