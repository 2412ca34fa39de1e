#include <weft/fetch_curl/curl_error.hpp>

#include <curl/curl.h>

namespace weft::http
{
namespace
{

class curl_error_category_impl final : public boost::system::error_category
{
public:
    char const* name() const noexcept override { return "curl"; }

    std::string message(int ev) const override { return curl_easy_strerror(static_cast<CURLcode>(ev)); }

    boost::system::error_condition default_error_condition(int ev) const noexcept override
    {
        switch (static_cast<CURLcode>(ev))
        {
        case CURLE_OK:
            return {};
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_FTP_ACCEPT_TIMEOUT:
            return condition::timeout;
        case CURLE_COULDNT_CONNECT:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_INTERFACE_FAILED:
        case CURLE_NO_CONNECTION_AVAILABLE:
        case CURLE_QUIC_CONNECT_ERROR:
        case CURLE_PROXY:
        case CURLE_SEND_FAIL_REWIND:
        case CURLE_AGAIN:
            return condition::network;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
            return condition::dns;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_ENGINE_NOTFOUND:
        case CURLE_SSL_ENGINE_SETFAILED:
        case CURLE_SSL_ENGINE_INITFAILED:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_SHUTDOWN_FAILED:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
        case CURLE_SSL_CLIENTCERT:
        case CURLE_USE_SSL_FAILED:
            return condition::tls;
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_NOT_BUILT_IN:
        case CURLE_BAD_FUNCTION_ARGUMENT:
        case CURLE_UNKNOWN_OPTION:
        case CURLE_SETOPT_OPTION_SYNTAX:
        case CURLE_RANGE_ERROR:
        case CURLE_BAD_DOWNLOAD_RESUME:
        case CURLE_HTTP_POST_ERROR:
        case CURLE_READ_ERROR:
        case CURLE_LOGIN_DENIED:
        case CURLE_AUTH_ERROR:
            return condition::client_error;
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_BAD_CONTENT_ENCODING:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_HTTP3:
        case CURLE_CHUNK_FAILED:
            return condition::server_error;
        case CURLE_TOO_MANY_REDIRECTS:
            return condition::policy;
        case CURLE_FILESIZE_EXCEEDED:
            return condition::limit;
        default:
            return {ev, *this};
        }
    }
};

} // namespace

boost::system::error_category const& curl_error_category() noexcept
{
    static curl_error_category_impl const instance;
    return instance;
}

} // namespace weft::http
