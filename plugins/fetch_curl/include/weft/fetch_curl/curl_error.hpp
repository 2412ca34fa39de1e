// weft::http::curl_error_category: libcurl's CURLcode as a Boost.System error category.
//
// Every CURLcode a transfer can fail with equals one weft::condition:
//
//     ec == weft::condition::timeout   // CURLE_OPERATION_TIMEDOUT
//     ec == weft::condition::tls       // CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_*
//
// The curl fetcher reports weft's own code instead where one says exactly what happened
// (too_many_redirects, body_too_large, bad_url, unsupported_scheme, bad_content_encoding, ...).
#pragma once

#include <weft/error.hpp>

namespace weft::http
{

/// The category of CURLcode values; its name is "curl", its messages curl_easy_strerror's.
boost::system::error_category const& curl_error_category() noexcept;

/// An error_code holding a CURLcode (passed as int so that this header needs no <curl/curl.h>).
inline error_code make_curl_error(int curl_code) noexcept
{
    return {curl_code, curl_error_category()};
}

} // namespace weft::http
