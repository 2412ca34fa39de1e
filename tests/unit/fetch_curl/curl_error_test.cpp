#include <weft/fetch_curl/curl_error.hpp>

#include <catch2/catch.hpp>
#include <curl/curl.h>

using weft::condition;
using weft::http::make_curl_error;

TEST_CASE("curl_error_category names itself and uses curl's messages", "[fetch_curl][error]")
{
    auto const ec = make_curl_error(CURLE_COULDNT_CONNECT);
    CHECK(std::string(ec.category().name()) == "curl");
    CHECK(ec.message() == curl_easy_strerror(CURLE_COULDNT_CONNECT));
    CHECK_FALSE(make_curl_error(CURLE_OK));
}

TEST_CASE("each CURLcode family equals its weft::condition", "[fetch_curl][error]")
{
    struct row
    {
        CURLcode code;
        condition cond;
    };
    row const rows[] = {
        {CURLE_OPERATION_TIMEDOUT, condition::timeout},
        {CURLE_COULDNT_CONNECT, condition::network},
        {CURLE_RECV_ERROR, condition::network},
        {CURLE_SEND_ERROR, condition::network},
        {CURLE_GOT_NOTHING, condition::network},
        {CURLE_PARTIAL_FILE, condition::network},
        {CURLE_COULDNT_RESOLVE_HOST, condition::dns},
        {CURLE_COULDNT_RESOLVE_PROXY, condition::dns},
        {CURLE_SSL_CONNECT_ERROR, condition::tls},
        {CURLE_PEER_FAILED_VERIFICATION, condition::tls},
        {CURLE_SSL_CACERT_BADFILE, condition::tls},
        {CURLE_SSL_CERTPROBLEM, condition::tls},
        {CURLE_URL_MALFORMAT, condition::client_error},
        {CURLE_UNSUPPORTED_PROTOCOL, condition::client_error},
        {CURLE_WEIRD_SERVER_REPLY, condition::server_error},
        {CURLE_BAD_CONTENT_ENCODING, condition::server_error},
        {CURLE_HTTP2, condition::server_error},
        {CURLE_HTTP2_STREAM, condition::server_error},
        {CURLE_TOO_MANY_REDIRECTS, condition::policy},
        {CURLE_FILESIZE_EXCEEDED, condition::limit},
    };
    for (auto const& r : rows)
    {
        INFO(curl_easy_strerror(r.code));
        auto const ec = make_curl_error(r.code);
        CHECK(ec == r.cond);
        for (int c = int(condition::timeout); c <= int(condition::limit); ++c)
            if (c != int(r.cond))
                CHECK_FALSE(ec == static_cast<condition>(c));
    }
}

TEST_CASE("a CURLcode without a weft meaning equals no condition", "[fetch_curl][error]")
{
    auto const ec = make_curl_error(CURLE_OUT_OF_MEMORY);
    for (int c = int(condition::timeout); c <= int(condition::limit); ++c)
        CHECK_FALSE(ec == static_cast<condition>(c));
}
