#include <weft/fetch_beast/beast_fetcher.hpp>

#include "inflater.hpp"

#include <weft/http/fetcher_registry.hpp>
#include <weft/http/proxy.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <nlohmann/json.hpp> // request's inline move constructor destroys its unique_ptr<json>

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <list>
#include <map>
#include <set>
#include <vector>

namespace weft::http
{
namespace
{

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
namespace urls = boost::urls;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// An idle connection older than this is closed rather than reused: servers drop idle
// connections after 5 to 60 s, and a request on one they just dropped costs a retry.
constexpr auto max_idle_age = std::chrono::seconds(30);

std::chrono::microseconds since(steady::time_point t)
{
    return std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - t);
}

std::string describe_ms(milliseconds d)
{
    return describe_duration(d);
}

/// One TCP (or TLS over TCP) connection to one (scheme, host, port), with its read buffer.
struct connection
{
    connection(executor ex, std::string k, ssl::context* tls_ctx) : key(std::move(k))
    {
        if (tls_ctx)
            tls.emplace(ex, *tls_ctx);
        else
            plain.emplace(ex);
    }

    std::string key;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;
    bool connected = false;
    steady::time_point idle_since;

    beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

    /// Calls f with the stream requests go through (TLS or plain); both return the same type.
    template <class F>
    auto with_stream(F&& f)
    {
        return tls ? f(*tls) : f(*plain);
    }

    void close()
    {
        error_code ignored;
        tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
        tcp().close();
    }

    /// Whether an idle connection can carry a request: open, not closed by the server, and
    /// without unsolicited bytes (which would be a close_notify or garbage).
    bool looks_reusable()
    {
        auto& s = tcp().socket();
        if (!s.is_open() || buffer.size() != 0)
            return false;
        char c;
        auto const n = ::recv(s.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
};

class transfer;

std::string encode_location(std::string_view location)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : location)
    {
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' ||
            c == '{' || c == '|' || c == '}')
        {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
        else
            out += static_cast<char>(c);
    }
    return out;
}

bool is_idempotent(std::string_view method)
{
    return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" || method == "DELETE" ||
           method == "TRACE";
}

// Errors a request sent on a pooled connection gets when the server had already closed it.
bool is_stale_connection_error(error_code ec)
{
    return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == bhttp::error::end_of_stream ||
           ec == ssl::error::stream_truncated;
}

} // namespace

/// The pool and everything transfers share; transfers hold it, so it outlives the fetcher.
struct beast_fetcher::impl
{
    struct host
    {
        std::vector<std::shared_ptr<connection>> idle; // most recently used last
        std::size_t open = 0;                          // idle + in use + connecting
    };

    impl(executor e, fetch_options const& o);

    std::shared_ptr<connection> take_idle(std::string const& key);
    bool reserve(std::string const& key);
    void release(std::shared_ptr<connection> c, bool reusable);
    void drop(connection& c);
    void wake_waiters();
    void shutdown();

    executor ex;
    fetch_options opts;
    std::optional<ssl::context> tls_ctx; // empty when it could not be set up: tls_error says why
    std::string tls_error;
    std::map<std::string, host> hosts;
    std::size_t open = 0;
    std::size_t idle = 0;
    std::set<transfer*> active;
    std::list<transfer*> waiters; // transfers waiting for a connection, in arrival order
};

namespace
{

/// One fetch: redirects, connection, request, response. Shared by its coroutine, its timers'
/// handlers (weakly) and its completion handler.
class transfer : public std::enable_shared_from_this<transfer>
{
public:
    using impl = beast_fetcher::impl;

    transfer(std::shared_ptr<impl> owner, request req, body_sink* sink)
        : owner_(std::move(owner)), req_(std::move(req)), sink_(sink), resolver_(owner_->ex), watchdog_(owner_->ex),
          wait_timer_(owner_->ex)
    {
        owner_->active.insert(this);
    }

    ~transfer()
    {
        // Reached without finish() only when the executor's context is destroyed first.
        if (conn_)
            owner_->drop(*conn_);
        owner_->active.erase(this);
        owner_->waiters.remove(this);
    }

    executor get_executor() const { return owner_->ex; }

    static task<void> run(std::shared_ptr<transfer> self) { self->ec_ = co_await self->fetch(); }

    /// Closes whatever the transfer is waiting on, so it completes with `ec` at once.
    void abort(error_code ec, std::string detail)
    {
        if (abort_ec_ || done_)
            return;
        abort_ec_ = ec;
        abort_detail_ = std::move(detail);
        ++watch_generation_;
        watchdog_.cancel();
        resolver_.cancel();
        wait_timer_.cancel();
        if (conn_)
            conn_->close();
    }

    /// Wakes the transfer if it waits for a connection.
    void wake() { wait_timer_.cancel(); }

    /// Called once the coroutine ended: returns the connection (closed unless reusable and
    /// released already) and stops the timers.
    void finish()
    {
        done_ = true;
        owner_->active.erase(this);
        ++watch_generation_;
        watchdog_.cancel();
        resolver_.cancel();
        if (conn_)
            owner_->release(std::move(conn_), false);
        res_.timing.total = since(start_);
        if (ec_ && res_.error_detail.empty())
            res_.error_detail = ec_.message();
    }

    error_code ec_;
    response res_;

private:
    fetch_options const& opts() const { return owner_->opts; }

    task<error_code> fetch();
    task<error_code> exchange();
    task<error_code> acquire(bool fresh);
    task<error_code> connect();
    task<error_code> send_and_read_head();
    task<error_code> read_body(bool deliver);

    void build_message();
    void fill_head();
    error_code deliver(std::string_view chunk);

    error_code fail(error_code ec, std::string detail)
    {
        res_.error_detail = std::move(detail);
        return ec;
    }
    error_code fail(error e, std::string detail) { return fail(make_error_code(e), std::move(detail)); }
    error_code aborted()
    {
        res_.error_detail = abort_detail_;
        return abort_ec_;
    }
    error_code fail_io(error_code ec);

    std::string where() const { return host_port_.empty() ? res_.final_url : host_port_; }

    void arm_watchdog(steady::time_point at, std::string what, milliseconds limit);
    void arm_total_deadline()
    {
        if (total_deadline_ != steady::time_point::max())
            arm_watchdog(total_deadline_, "total timeout", total_limit_);
        else
        {
            ++watch_generation_;
            watchdog_.cancel();
        }
    }
    void set_idle_expiry()
    {
        if (opts().timeouts.idle > milliseconds::zero())
            conn_->tcp().expires_after(opts().timeouts.idle);
        else
            conn_->tcp().expires_never();
    }
    void release_connection()
    {
        if (conn_)
            owner_->release(std::move(conn_), reusable_);
        reusable_ = false;
    }

    std::shared_ptr<impl> owner_;
    request req_;
    body_sink* sink_;

    tcp::resolver resolver_;
    asio::steady_timer watchdog_;   // the connect deadline, then the total deadline
    asio::steady_timer wait_timer_; // waiting for a pool slot; cancelled to wake
    std::uint64_t watch_generation_ = 0;

    error_code abort_ec_;
    std::string abort_detail_;
    bool done_ = false;
    std::string phase_ = "starting";

    steady::time_point start_ = steady::now();
    steady::time_point total_deadline_ = steady::time_point::max();
    milliseconds total_limit_{};

    // The current hop.
    urls::url url_;
    std::string method_;
    std::string body_;
    headers headers_;
    bool https_ = false;
    std::string host_;      // decoded, unbracketed: for DNS, SNI and certificate checks
    std::string host_port_; // for messages
    std::string key_;       // the pool key
    unsigned short port_ = 0;
    bhttp::request<bhttp::string_body> msg_;
    std::optional<bhttp::response_parser<bhttp::buffer_body>> parser_;
    std::shared_ptr<connection> conn_;
    bool reused_ = false;
    bool reusable_ = false;
    std::optional<detail::inflater> decoder_;
    detail::inflater::output emit_ = [this](std::string_view s) { return deliver(s); };
    std::array<char, 16384> body_buf_;
};

void transfer::arm_watchdog(steady::time_point at, std::string what, milliseconds limit)
{
    auto const generation = ++watch_generation_;
    watchdog_.expires_at(at);
    watchdog_.async_wait(
        [w = weak_from_this(), generation, what = std::move(what), limit](error_code ec)
        {
            auto self = w.lock();
            if (ec || !self || self->watch_generation_ != generation)
                return;
            self->abort(make_error_code(error::timed_out), what + " (" + describe_ms(limit) + ") expired while " +
                                                               self->phase_ + " (" + self->where() + ")");
        });
}

error_code transfer::fail_io(error_code ec)
{
    if (abort_ec_)
        return aborted();
    std::string const cause = ec.message();
    auto const suffix = " while " + phase_ + " (" + where() + ")";
    if (ec == beast::error::timeout)
        return fail(error::timed_out, "idle timeout: no data for " + describe_ms(opts().timeouts.idle) + suffix);
    if (ec == bhttp::error::body_limit)
        return fail(error::body_too_large, "body larger than max_body_size (" +
                                               std::to_string(opts().limits.max_body_size) + " bytes)" + suffix);
    if (ec == bhttp::error::header_limit)
        return fail(error::header_too_large, "header block larger than max_header_size (" +
                                                 std::to_string(opts().limits.max_header_size) + " bytes)" + suffix);
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message || ec == asio::error::eof ||
        ec == ssl::error::stream_truncated)
        return fail(error::connection_closed, "the server closed the connection (" + cause + ")" + suffix);
    if (ec == bhttp::error::bad_version)
        return fail(error::bad_response, "malformed response: no HTTP/1.x status line (an HTTP/0.9 reply, or not "
                                         "an HTTP server)" + suffix);
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category())
        return fail(error::bad_response, "malformed response: " + cause + suffix);
    return fail(ec, cause + suffix);
}

task<error_code> transfer::fetch()
{
    res_.url = req_.url();
    res_.final_url = req_.url();
    total_limit_ = req_.timeout().value_or(opts().timeouts.total);
    if (total_limit_ > milliseconds::zero())
    {
        total_deadline_ = start_ + total_limit_;
        arm_total_deadline();
    }
    if (auto const proxy = http::proxy_for(req_, opts()); !proxy.empty())
        co_return fail(error::unsupported_scheme, "the beast fetcher does not support proxies (" +
                                                      http::redact_credentials(proxy) + "); use the curl fetcher");

    auto parsed = urls::parse_uri(req_.url());
    if (!parsed)
        co_return fail(error::bad_url, "cannot parse URL \"" + req_.url() + "\": " + parsed.error().message());
    url_ = *parsed;
    method_ = req_.method();
    body_ = req_.body();
    headers_ = req_.headers();

    int const max_redirects = req_.max_redirects().value_or(opts().limits.max_redirects);
    std::set<std::string> visited;
    for (;;)
    {
        url_.remove_fragment();
        visited.insert(std::string(url_.buffer()));
        if (auto ec = co_await exchange())
            co_return ec;

        int const status = parser_->get().result_int();
        bool const redirect = opts().follow_redirects &&
                              (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) &&
                              parser_->get().count(bhttp::field::location) > 0;
        if (!redirect)
            break;

        // Read the redirect's body to the end so the connection can be reused.
        if (auto ec = co_await read_body(false))
            co_return ec;
        release_connection();

        std::string const location(parser_->get()[bhttp::field::location]);
        auto ref = urls::parse_uri_reference(location);
        std::string encoded;
        if (!ref)
        {
            // Servers send raw spaces and UTF-8 in Location; browsers and curl percent-encode them.
            encoded = encode_location(location);
            ref = urls::parse_uri_reference(encoded);
        }
        if (!ref)
            co_return fail(error::bad_response, "redirect " + std::to_string(status) + " from " +
                                                    std::string(url_.buffer()) + " has an invalid Location \"" +
                                                    location + "\"");
        urls::url next;
        if (auto r = urls::resolve(url_, *ref, next); !r)
            co_return fail(error::bad_response, "cannot resolve Location \"" + location + "\" against " +
                                                    std::string(url_.buffer()) + ": " + r.error().message());
        next.remove_fragment();
        next.normalize_scheme();
        if (visited.count(std::string(next.buffer())))
            co_return fail(error::redirect_loop, "redirect loop: " + std::string(url_.buffer()) + " redirects to " +
                                                     std::string(next.buffer()) + ", visited before");
        if (res_.redirects >= max_redirects)
            co_return fail(error::too_many_redirects, "more than " + std::to_string(max_redirects) +
                                                          " redirect(s); the next one was to " +
                                                          std::string(next.buffer()));

        // 303 turns any method but HEAD into GET; 301 and 302 do so for POST (as browsers do).
        bool const to_get = status == 303 ? method_ != "HEAD" : (status == 301 || status == 302) && method_ == "POST";
        if (to_get)
        {
            method_ = "GET";
            body_.clear();
            headers_.remove("Content-Type");
            headers_.remove("Content-Length");
            headers_.remove("Transfer-Encoding");
        }
        if (next.scheme() != url_.scheme() || next.encoded_host() != url_.encoded_host() || next.port() != url_.port())
            headers_.remove("Authorization");
        url_ = std::move(next);
        ++res_.redirects;
        res_.final_url = std::string(url_.buffer());
    }

    if (sink_)
    {
        if (auto ec = sink_->on_headers(res_))
        {
            if (conn_)
                conn_->close();
            co_return fail(ec, "the body sink refused the response headers: " + ec.message());
        }
    }
    if (auto ec = co_await read_body(true))
        co_return ec;
    release_connection();
    co_return error_code{};
}

// One request and its response's head on url_, on a pooled or new connection; retried once on a
// new connection when a pooled one turns out to have been closed by the server.
task<error_code> transfer::exchange()
{
    res_.timing = {};
    host_port_.clear();
    auto const scheme = url_.scheme_id();
    if (scheme != urls::scheme::http && scheme != urls::scheme::https)
        co_return fail(error::unsupported_scheme,
                       "unsupported scheme \"" + std::string(url_.scheme()) + "\" in " + std::string(url_.buffer()));
    if (!url_.has_authority() || url_.encoded_host().empty())
        co_return fail(error::bad_url, "no host in URL " + std::string(url_.buffer()));
    https_ = scheme == urls::scheme::https;
    host_ = url_.host_address();
    port_ = url_.has_port() ? url_.port_number() : (https_ ? 443 : 80);
    if (url_.has_port() && port_ == 0)
        co_return fail(error::bad_url, "bad port in URL " + std::string(url_.buffer()));
    host_port_ = std::string(url_.encoded_host()) + ":" + std::to_string(port_);
    key_ = (https_ ? "https://" : "http://") + host_port_;
    if (https_ && !owner_->tls_ctx)
        co_return fail(ssl::error::make_error_code(ssl::error::unspecified_system_error), owner_->tls_error);
    build_message();

    for (int attempt = 0;; ++attempt)
    {
        if (auto ec = co_await acquire(attempt > 0))
            co_return ec;
        if (!conn_->connected)
        {
            if (auto ec = co_await connect())
                co_return ec;
        }
        auto ec = co_await send_and_read_head();
        if (!ec)
            co_return ec;
        if (!abort_ec_ && reused_ && attempt == 0 && is_idempotent(method_) && !parser_->got_some() &&
            is_stale_connection_error(ec))
        {
            owner_->release(std::move(conn_), false);
            continue;
        }
        co_return fail_io(ec);
    }
}

task<error_code> transfer::acquire(bool fresh)
{
    phase_ = "waiting for a free connection";
    for (;;)
    {
        if (abort_ec_)
            co_return aborted();
        if (!fresh)
        {
            if (auto c = owner_->take_idle(key_))
            {
                conn_ = std::move(c);
                reused_ = true;
                co_return error_code{};
            }
        }
        if (owner_->reserve(key_))
        {
            conn_ = std::make_shared<connection>(owner_->ex, key_, https_ ? &*owner_->tls_ctx : nullptr);
            reused_ = false;
            co_return error_code{};
        }
        owner_->waiters.push_back(this);
        wait_timer_.expires_at(steady::time_point::max());
        co_await wait_timer_.async_wait(use_tuple);
        owner_->waiters.remove(this);
    }
}

task<error_code> transfer::connect()
{
    auto const limit = opts().timeouts.connect;
    if (limit > milliseconds::zero())
        arm_watchdog(std::min(steady::now() + limit, total_deadline_),
                     steady::now() + limit < total_deadline_ ? "connect timeout" : "total timeout",
                     steady::now() + limit < total_deadline_ ? limit : total_limit_);

    phase_ = "resolving " + host_;
    auto [rec, endpoints] = co_await resolver_.async_resolve(host_, std::to_string(port_), use_tuple);
    if (abort_ec_)
        co_return aborted();
    if (rec)
        co_return fail(rec, "cannot resolve " + host_ + ": " + rec.message());
    res_.timing.dns = since(start_);

    phase_ = "connecting";
    conn_->tcp().expires_never();
    auto [cec, ep] = co_await conn_->tcp().async_connect(endpoints, use_tuple);
    if (abort_ec_)
        co_return aborted();
    if (cec)
        co_return fail(cec, "cannot connect to " + host_port_ + ": " + cec.message());
    error_code ignored;
    conn_->tcp().socket().set_option(tcp::no_delay(true), ignored);
    res_.timing.connect = since(start_);

    if (conn_->tls)
    {
        phase_ = "in the TLS handshake";
        if (url_.host_type() == urls::host_type::name &&
            !SSL_set_tlsext_host_name(conn_->tls->native_handle(), host_.c_str()))
            co_return fail(error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()),
                           "cannot set SNI host name " + host_);
        if (opts().verify_tls)
            conn_->tls->set_verify_callback(ssl::host_name_verification(host_));
        auto [hec] = co_await conn_->tls->async_handshake(ssl::stream_base::client, use_tuple);
        if (abort_ec_)
            co_return aborted();
        if (hec)
            co_return fail(hec, "TLS handshake with " + host_port_ + " failed: " + hec.message());
        res_.timing.tls = since(start_);
    }
    conn_->connected = true;
    arm_total_deadline();
    co_return error_code{};
}

void transfer::build_message()
{
    msg_ = {};
    auto const verb = bhttp::string_to_verb(method_);
    if (verb == bhttp::verb::unknown)
        msg_.method_string(method_);
    else
        msg_.method(verb);
    std::string target(url_.encoded_target());
    if (target.empty() || target.front() != '/')
        target.insert(0, "/");
    msg_.target(target);
    msg_.version(11);
    for (auto const& [name, value] : headers_)
        msg_.insert(name, value);
    if (msg_.count(bhttp::field::host) == 0)
    {
        bool const default_port = !url_.has_port() || port_ == (https_ ? 443 : 80);
        msg_.set(bhttp::field::host, default_port ? std::string(url_.encoded_host())
                                                  : std::string(url_.encoded_host()) + ":" + std::to_string(port_));
    }
    if (msg_.count(bhttp::field::user_agent) == 0 && !opts().user_agent.empty())
        msg_.set(bhttp::field::user_agent, opts().user_agent);
    if (msg_.count(bhttp::field::accept) == 0)
        msg_.set(bhttp::field::accept, "*/*");
    // Only what read_body() decodes.
    if (opts().decompress && msg_.count(bhttp::field::accept_encoding) == 0)
        msg_.set(bhttp::field::accept_encoding, "gzip, deflate");
    if (!body_.empty() || method_ == "POST" || method_ == "PUT" || method_ == "PATCH")
    {
        msg_.body() = body_;
        msg_.prepare_payload();
    }
}

// Sends msg_ and reads the response head into parser_. Returns the raw I/O error, for
// exchange() to decide on a retry.
task<error_code> transfer::send_and_read_head()
{
    reusable_ = false;
    parser_.emplace();
    phase_ = "sending the request";
    set_idle_expiry();
    auto [wec, written] = co_await conn_->with_stream([&](auto& s) { return bhttp::async_write(s, msg_, use_tuple); });
    if (abort_ec_)
        co_return abort_ec_;
    if (wec)
        co_return wec;

    phase_ = "waiting for the response headers";
    for (;;)
    {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(
            std::min<std::size_t>(opts().limits.max_header_size, std::numeric_limits<std::uint32_t>::max())));
        parser_->body_limit(opts().limits.max_body_size);
        if (method_ == "HEAD")
            parser_->skip(true);
        while (!parser_->is_header_done())
        {
            set_idle_expiry();
            auto [ec, n] = co_await conn_->with_stream(
                [&](auto& s) { return bhttp::async_read_some(s, conn_->buffer, *parser_, use_tuple); });
            if (abort_ec_)
                co_return abort_ec_;
            if (ec && ec != bhttp::error::need_buffer)
                co_return ec;
            if (res_.timing.first_byte == std::chrono::microseconds::zero() && parser_->got_some())
                res_.timing.first_byte = since(start_);
        }
        int const status = parser_->get().result_int();
        // Interim responses (100 Continue, 103 Early Hints) precede the real one.
        if (status >= 100 && status < 200 && status != 101)
            continue;
        break;
    }
    fill_head();
    co_return error_code{};
}

void transfer::fill_head()
{
    auto const& m = parser_->get();
    res_.status = m.result_int();
    res_.reason = std::string(m.reason());
    res_.headers.clear();
    for (auto const& f : m)
        res_.headers.add(std::string(f.name_string()), std::string(f.value()));
    res_.http_version = m.version() == 10 ? "1.0" : "1.1";
}

error_code transfer::deliver(std::string_view chunk)
{
    if (sink_)
        return sink_->on_data(chunk);
    res_.body.append(chunk);
    return {};
}

// Reads the body into res_ or the sink (deliver), or discards it (a redirect's). Marks the
// connection reusable only when the response ended cleanly and the server keeps it alive.
task<error_code> transfer::read_body(bool deliver_body)
{
    phase_ = "reading the body";
    decoder_.reset();
    if (deliver_body && opts().decompress)
    {
        auto const encoding = parser_->get()[bhttp::field::content_encoding];
        if (auto f = detail::inflater::from_content_encoding(encoding))
            decoder_.emplace(*f, opts().limits.max_decompressed_size);
    }
    while (!parser_->is_done())
    {
        parser_->get().body().data = body_buf_.data();
        parser_->get().body().size = body_buf_.size();
        set_idle_expiry();
        auto [ec, n] = co_await conn_->with_stream(
            [&](auto& s) { return bhttp::async_read_some(s, conn_->buffer, *parser_, use_tuple); });
        if (abort_ec_)
            co_return aborted();
        if (ec && ec != bhttp::error::need_buffer)
            co_return fail_io(ec);
        std::size_t const got = body_buf_.size() - parser_->get().body().size;
        if (got == 0 || !deliver_body)
            continue;
        res_.wire_bytes += got;
        std::string_view const chunk(body_buf_.data(), got);
        if (auto dec = decoder_ ? decoder_->feed(chunk, emit_) : deliver(chunk))
        {
            conn_->close();
            if (dec == error::decompressed_too_large)
                co_return fail(dec, "decoded body larger than max_decompressed_size (" +
                                        std::to_string(opts().limits.max_decompressed_size) +
                                        " bytes; a crawl's max_body_size setting) from " +
                                        std::string(url_.buffer()));
            if (dec == error::bad_content_encoding)
                co_return fail(dec, "the " + std::string(parser_->get()[bhttp::field::content_encoding]) +
                                        " body from " + std::string(url_.buffer()) + " does not decode");
            co_return fail(dec, "the body sink stopped the transfer: " + dec.message());
        }
    }
    if (decoder_)
    {
        if (auto ec = decoder_->finish())
        {
            conn_->close();
            co_return fail(ec, "the " + std::string(parser_->get()[bhttp::field::content_encoding]) + " body from " +
                                   std::string(url_.buffer()) + " ends before its compressed data does");
        }
    }
    reusable_ = parser_->keep_alive() && conn_->buffer.size() == 0;
    co_return error_code{};
}

} // namespace

// -- the pool -------------------------------------------------------------------------------

beast_fetcher::impl::impl(executor e, fetch_options const& o) : ex(std::move(e)), opts(o)
{
    try
    {
        tls_ctx.emplace(ssl::context::tls_client);
        tls_ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                             ssl::context::no_compression);
        if (opts.verify_tls)
        {
            tls_ctx->set_verify_mode(ssl::verify_peer);
            tls_ctx->set_default_verify_paths();
            if (!opts.ca_file.empty())
                tls_ctx->load_verify_file(opts.ca_file);
        }
        else
            tls_ctx->set_verify_mode(ssl::verify_none);
    }
    catch (system_error const& e)
    {
        // Reported by every https fetch, so the fetcher still serves http.
        tls_ctx.reset();
        tls_error = "cannot set up TLS (ca_file \"" + opts.ca_file + "\"): " + e.what();
    }
}

std::shared_ptr<connection> beast_fetcher::impl::take_idle(std::string const& key)
{
    auto it = hosts.find(key);
    if (it == hosts.end())
        return nullptr;
    auto& list = it->second.idle;
    while (!list.empty())
    {
        auto c = std::move(list.back());
        list.pop_back();
        --idle;
        if (c->looks_reusable() && steady::now() - c->idle_since < max_idle_age)
            return c;
        drop(*c);
    }
    return nullptr;
}

bool beast_fetcher::impl::reserve(std::string const& key)
{
    auto const per_host = std::max<std::size_t>(1, opts.max_connections_per_host);
    auto const total = std::max<std::size_t>(1, opts.max_connections);
    auto& h = hosts[key];
    auto evict_from = [this](host& from)
    {
        auto c = std::move(from.idle.front()); // the least recently used
        from.idle.erase(from.idle.begin());
        --idle;
        drop(*c);
    };
    if (h.open >= per_host && !h.idle.empty())
        evict_from(h);
    if (open >= total)
    {
        for (auto& [k, other] : hosts)
        {
            if (!other.idle.empty())
            {
                evict_from(other);
                break;
            }
        }
    }
    if (h.open >= per_host || open >= total)
        return false;
    ++h.open;
    ++open;
    return true;
}

void beast_fetcher::impl::drop(connection& c)
{
    c.close();
    auto& h = hosts[c.key];
    --h.open;
    --open;
}

void beast_fetcher::impl::release(std::shared_ptr<connection> c, bool reusable)
{
    if (reusable && c->connected && c->tcp().socket().is_open())
    {
        c->tcp().expires_never();
        c->idle_since = steady::now();
        hosts[c->key].idle.push_back(std::move(c));
        ++idle;
    }
    else
        drop(*c);
    wake_waiters();
}

void beast_fetcher::impl::wake_waiters()
{
    for (auto* t : waiters)
        t->wake();
}

void beast_fetcher::impl::shutdown()
{
    std::vector<transfer*> const running(active.begin(), active.end());
    for (auto* t : running)
        t->abort(asio::error::operation_aborted, "the fetcher was shut down");
    for (auto& [key, h] : hosts)
    {
        for (auto& c : h.idle)
            drop(*c);
        idle -= h.idle.size();
        h.idle.clear();
    }
}

// -- the fetcher ----------------------------------------------------------------------------

beast_fetcher::beast_fetcher(executor ex, fetch_options const& opts)
    : impl_(std::make_shared<impl>(std::move(ex), opts))
{
}

beast_fetcher::~beast_fetcher()
{
    impl_->shutdown();
}

executor beast_fetcher::get_executor() const
{
    return impl_->ex;
}
fetch_options const& beast_fetcher::options() const noexcept
{
    return impl_->opts;
}
void beast_fetcher::shutdown()
{
    impl_->shutdown();
}
std::size_t beast_fetcher::open_connections() const noexcept
{
    return impl_->open;
}
std::size_t beast_fetcher::idle_connections() const noexcept
{
    return impl_->idle;
}
std::size_t beast_fetcher::transfers_in_flight() const noexcept
{
    return impl_->active.size();
}

void beast_fetcher::async_fetch_impl(request req, body_sink* sink, asio::any_completion_handler<signature> handler)
{
    auto t = std::make_shared<transfer>(impl_, std::move(req), sink);
    auto slot = asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected())
    {
        slot.assign(
            [w = std::weak_ptr<transfer>(t)](asio::cancellation_type)
            {
                if (auto t = w.lock())
                    t->abort(asio::error::operation_aborted, "cancelled");
            });
    }
    // The completion handler rethrows anything but a system_error: no exception is swallowed.
    asio::co_spawn(impl_->ex, transfer::run(t),
                   [t, slot, handler = std::move(handler)](std::exception_ptr ep) mutable
                   {
                       if (slot.is_connected())
                           slot.clear();
                       std::exception_ptr unexpected;
                       if (ep)
                       {
                           try
                           {
                               std::rethrow_exception(ep);
                           }
                           catch (system_error const& e)
                           {
                               t->ec_ = e.code();
                               t->res_.error_detail = e.what();
                           }
                           catch (...)
                           {
                               unexpected = std::current_exception();
                           }
                       }
                       t->finish();
                       if (unexpected)
                           std::rethrow_exception(unexpected);
                       auto ex = asio::get_associated_executor(handler, t->get_executor());
                       asio::dispatch(ex, asio::append(std::move(handler), t->ec_, std::move(t->res_)));
                   });
}

WEFT_REGISTER_FETCHER("beast", beast_fetcher);

} // namespace weft::http
