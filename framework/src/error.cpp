#include <weft/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include <cerrno>
#include <cstdio>

namespace weft {
namespace {

class error_category_impl final : public boost::system::error_category
{
public:
    char const* name() const noexcept override { return "weft"; }

    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev))
        {
        case error::timed_out: return "operation timed out";
        case error::selector_timeout: return "selector did not match before the deadline";
        case error::stopped: return "stopped by signal";
        case error::bad_url: return "invalid URL";
        case error::unsupported_scheme: return "unsupported URL scheme (only http and https)";
        case error::too_many_redirects: return "too many redirects";
        case error::redirect_loop: return "redirect loop";
        case error::body_too_large: return "response body larger than the limit";
        case error::decompressed_too_large: return "decompressed body larger than the limit";
        case error::header_too_large: return "response headers larger than the limit";
        case error::bad_response: return "malformed HTTP response";
        case error::bad_content_encoding: return "body does not decode with its Content-Encoding";
        case error::connection_closed: return "connection closed before the response was complete";
        case error::http_client_status: return "HTTP client error status (4xx)";
        case error::http_server_status: return "HTTP server error status (5xx)";
        case error::http_status: return "unexpected HTTP status";
        case error::bad_selector: return "invalid CSS selector";
        case error::bad_encoding: return "invalid byte sequence for the encoding";
        case error::robots_disallowed: return "disallowed by robots.txt";
        case error::offsite: return "host not allowed";
        case error::filtered: return "filtered";
        case error::plugin_abi_mismatch: return "plugin built for another weft ABI";
        case error::end_of_stream: return "unexpected end of stream";
        case error::fetcher_unavailable: return "the fetcher this request needs is not available";
        case error::not_a_plugin: return "not a weft plugin";
        case error::plugin_load_failed: return "the plugin cannot be loaded";
        case error::plugin_register_failed: return "the plugin failed to register";
        case error::plugin_already_loaded: return "a plugin of this name is already loaded";
        case error::bad_request_option: return "the fetcher does not accept a request option";
        case error::not_supported: return "the crawl-state backend does not support this operation";
        case error::state_unavailable: return "the crawl state's server cannot be reached";
        case error::state_refused: return "the crawl state's server refused the operation";
        case error::unresumable_callback: return "a request's callback cannot be stored or found by name";
        case error::bad_regex: return "invalid regular expression";
        case error::bad_xpath: return "invalid XPath expression";
        case error::not_in_archive: return "not in the archive being replayed";
        }
        return "unknown weft error";
    }

    boost::system::error_condition default_error_condition(int ev) const noexcept override
    {
        switch (static_cast<error>(ev))
        {
        case error::timed_out:
        case error::selector_timeout: return condition::timeout;
        case error::stopped: return condition::cancelled;
        case error::bad_url:
        case error::unsupported_scheme:
        case error::http_client_status: return condition::client_error;
        case error::http_server_status: return condition::server_error;
        case error::http_status: return {ev, *this};
        case error::too_many_redirects:
        case error::redirect_loop:
        case error::robots_disallowed:
        case error::offsite:
        case error::filtered:
        case error::plugin_abi_mismatch: return condition::policy;
        case error::body_too_large:
        case error::decompressed_too_large:
        case error::header_too_large: return condition::limit;
        case error::bad_response:
        case error::bad_content_encoding: return condition::server_error;
        case error::connection_closed:
        case error::end_of_stream: return condition::network;
        case error::fetcher_unavailable:
        case error::bad_request_option:
        case error::not_supported:
        case error::state_refused: return condition::client_error;
        case error::unresumable_callback: return condition::client_error;
        case error::not_in_archive: return condition::client_error; // never retried: the archive will not change
        case error::state_unavailable: return condition::network;
        case error::bad_selector:
        case error::bad_regex:
        case error::bad_xpath:
        case error::bad_encoding: return condition::parse;
        }
        return {ev, *this};
    }
};

// Which condition a foreign (Asio, Beast, system) error belongs to, or 0 for none.
int foreign_condition(error_code const& ec) noexcept
{
    namespace asio = boost::asio;
    namespace beast = boost::beast;
    auto const& cat = ec.category();
    int const v = ec.value();
    if (cat == asio::error::get_netdb_category() || cat == asio::error::get_addrinfo_category())
        return int(condition::dns);
    if (cat == asio::error::get_ssl_category() || cat == asio::ssl::error::get_stream_category())
        return int(condition::tls);
    if (ec == beast::error::timeout || ec == beast::websocket::error::closed)
        return ec == beast::error::timeout ? int(condition::timeout) : int(condition::network);
    if (cat == beast::http::make_error_code(beast::http::error::end_of_stream).category())
    {
        using e = beast::http::error;
        switch (static_cast<e>(v))
        {
        case e::end_of_stream:
        case e::partial_message: return int(condition::network);
        case e::header_limit:
        case e::body_limit:
        case e::buffer_overflow: return int(condition::limit);
        default: return int(condition::server_error);
        }
    }
    if (cat == boost::system::system_category() || cat == boost::system::generic_category())
    {
        switch (v)
        {
        case ETIMEDOUT: return int(condition::timeout);
        case ECANCELED: return int(condition::cancelled);
        case ECONNREFUSED:
        case ECONNRESET:
        case ECONNABORTED:
        case ENETUNREACH:
        case ENETDOWN:
        case EHOSTUNREACH:
        case EPIPE:
        case ENOTCONN:
        case ESHUTDOWN: return int(condition::network);
        default: return 0;
        }
    }
    if (cat == asio::error::get_misc_category() && v == asio::error::eof)
        return int(condition::network);
    return 0;
}

class condition_category_impl final : public boost::system::error_category
{
public:
    char const* name() const noexcept override { return "weft.condition"; }

    std::string message(int ev) const override
    {
        switch (static_cast<condition>(ev))
        {
        case condition::timeout: return "timeout";
        case condition::cancelled: return "cancelled";
        case condition::network: return "network error";
        case condition::dns: return "DNS error";
        case condition::tls: return "TLS error";
        case condition::client_error: return "client error";
        case condition::server_error: return "server error";
        case condition::policy: return "refused by policy";
        case condition::parse: return "parse error";
        case condition::limit: return "size limit exceeded";
        }
        return "unknown condition";
    }

    bool equivalent(error_code const& code, int cond) const noexcept override
    {
        // Categories that know weft (weft's own, curl's) say so through their default condition.
        if (code.category().default_error_condition(code.value()) == error_condition(cond, *this))
            return true;
        return foreign_condition(code) == cond;
    }
};

} // namespace

boost::system::error_category const& error_category() noexcept
{
    static error_category_impl const instance;
    return instance;
}

boost::system::error_category const& condition_category() noexcept
{
    static condition_category_impl const instance;
    return instance;
}

void throw_error(error_code ec, std::string const& what) { throw system_error(ec, what); }

std::string describe_duration(std::chrono::nanoseconds d)
{
    using namespace std::chrono;
    char buf[64];
    if (d < 1ms)
        std::snprintf(buf, sizeof buf, "%lld us", static_cast<long long>(duration_cast<microseconds>(d).count()));
    else if (d < 1s)
        std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>(duration_cast<milliseconds>(d).count()));
    else
    {
        double const s = duration<double>(d).count();
        if (s == static_cast<long long>(s))
            std::snprintf(buf, sizeof buf, "%lld s", static_cast<long long>(s));
        else
            std::snprintf(buf, sizeof buf, "%.3g s", s);
    }
    return buf;
}

} // namespace weft
