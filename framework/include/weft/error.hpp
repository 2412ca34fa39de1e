// weft's error codes and the conditions that group them with Asio's, Beast's and curl's.
//
// Test a failure by what it means, not where it came from:
//
//     if (ec == weft::condition::timeout) ...   // weft, Asio, Beast and curl timeouts alike
//
// Specific codes (weft::error) say exactly what happened; conditions (weft::condition) say what
// kind of thing happened. Cancellation is its own condition and is never a failure to report.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <type_traits>

namespace weft {

using boost::system::error_code;
using boost::system::error_condition;
using boost::system::system_error;

/// Specific failures detected by weft itself.
enum class error
{
    // async
    timed_out = 1,          ///< with_timeout / wait_until passed its deadline
    selector_timeout,       ///< wait_for_selector passed its deadline
    stopped,                ///< the process received SIGINT/SIGTERM
    // http
    bad_url,                ///< the URL does not parse or has no host
    unsupported_scheme,     ///< not http or https
    too_many_redirects,     ///< more redirects than the request allows
    redirect_loop,          ///< a redirect chain came back to a URL it already visited
    body_too_large,         ///< the body on the wire is over the limit
    decompressed_too_large, ///< the decoded body is over the limit (a compression bomb)
    header_too_large,       ///< the response header block is over the limit
    bad_response,           ///< malformed status line, header or chunked encoding
    bad_content_encoding,   ///< gzip/deflate/brotli/zstd data that does not decode
    connection_closed,      ///< the peer closed the connection before the response was complete
    http_client_status,     ///< a 4xx response where the caller needed success
    http_server_status,     ///< a 5xx response where the caller needed success
    http_status,            ///< another non-2xx response (1xx, 3xx) where the caller needed success
    // html, url
    bad_selector,           ///< a CSS selector that does not parse
    bad_encoding,           ///< a byte sequence that is not valid in the declared encoding
    // engine, plugins
    robots_disallowed,      ///< robots.txt forbids the URL
    offsite,                ///< the URL's host is not allowed
    filtered,               ///< dropped by a rule (depth, pattern, duplicate)
    plugin_abi_mismatch,    ///< a plugin built against another weft ABI
    end_of_stream,          ///< a stream ended where more was expected
    fetcher_unavailable,    ///< a request needs a fetcher that is not linked in or loaded (render)
    not_a_plugin,           ///< a file given as a plugin has no weft plugin descriptor or entry point
    plugin_load_failed,     ///< the dynamic linker refused a plugin (unresolved symbol, missing library)
    plugin_register_failed, ///< a plugin's registration failed or threw
    plugin_already_loaded,  ///< a plugin of the same name was loaded from another file
    // request options
    bad_request_option,     ///< a fetcher does not accept a request option (meta): an unknown value, a wrong type
    // crawl state
    not_supported,          ///< the crawl-state backend does not offer the operation
    state_unavailable,      ///< the crawl state's server cannot be reached (refused, closed, timed out)
    state_refused,          ///< the crawl state's server refused (wrong password, out of memory, bad crawl id)
    unresumable_callback,   ///< a request's callback cannot be stored by name (job directory, shared crawl)
    // html
    bad_regex,              ///< a regular expression (re, re_first) that does not compile
    bad_xpath,              ///< an XPath expression that does not parse, or a value of the wrong type
    // record and replay
    not_in_archive,         ///< replaying a WARC file (--replay) that holds no response for the request
};

/// Kinds of failure; every weft, Asio, Beast and curl error maps to at most one.
enum class condition
{
    timeout = 1,   ///< a deadline passed
    cancelled,     ///< the operation was cancelled (not a failure)
    network,       ///< connection refused, reset, unreachable, closed early
    dns,           ///< the host name does not resolve
    tls,           ///< handshake or certificate failure
    client_error,  ///< the request was wrong (bad URL, unsupported scheme)
    server_error,  ///< the server answered something unusable (malformed, too large)
    policy,        ///< weft refused on purpose (robots, offsite, redirect limit, filters)
    parse,         ///< a selector, URL or document did not parse
    limit,         ///< a size limit was hit (body, decompressed body, headers)
};

boost::system::error_category const& error_category() noexcept;
boost::system::error_category const& condition_category() noexcept;

inline error_code make_error_code(error e) noexcept { return {static_cast<int>(e), error_category()}; }
inline error_condition make_error_condition(condition c) noexcept
{
    return {static_cast<int>(c), condition_category()};
}

/// Throws system_error(ec) whose what() reads "<what>: <ec's message>".
[[noreturn]] void throw_error(error_code ec, std::string const& what);

/// "250 ms", "5 s", "1.5 s": durations in messages a user reads.
std::string describe_duration(std::chrono::nanoseconds d);

} // namespace weft

template <>
struct boost::system::is_error_code_enum<weft::error> : std::true_type
{
};
template <>
struct boost::system::is_error_condition_enum<weft::condition> : std::true_type
{
};
