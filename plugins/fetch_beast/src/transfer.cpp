#include "transfer.hpp"

#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp> // request's inline move constructor destroys its unique_ptr<json>

#include <algorithm>

namespace weft::http::beast_detail
{
namespace
{

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


} // namespace weft::http::beast_detail
