#include "transfer.hpp"

#include "curl_multi.hpp"

#include <weft/fetch_curl/curl_error.hpp>
#include <weft/http/proxy.hpp>
#include <weft/text/ascii.hpp>

#include <algorithm>
#include <new>
#include <string>

namespace weft::http::detail
{

namespace
{

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

std::chrono::microseconds info_time(CURL* easy, CURLINFO what)
{
    curl_off_t us = 0;
    curl_easy_getinfo(easy, what, &us);
    return std::chrono::microseconds(us);
}

long millis(std::chrono::milliseconds d)
{
    return static_cast<long>(std::max<std::int64_t>(d.count(), 0));
}

} // namespace

transfer::transfer(executor const& ex, request req, body_sink* sink, fetch_options const& opts)
    : idle_timer(ex), req_(std::move(req)), sink_(sink), opts_(opts), easy_(curl_easy_init())
{
    if (!easy_)
        throw std::bad_alloc();
    res_.url = req_.url();
    res_.final_url = req_.url();
}

transfer::~transfer()
{
    curl_easy_cleanup(easy_);
    curl_slist_free_all(header_list_);
}

error_code transfer::prepare(curl_multi& multi)
{
    // Check the URL before curl does: curl would guess a scheme for "example.org" and fetch
    // file:// or ftp:// URLs.
    {
        CURLU* u = curl_url();
        CURLUcode const uc = curl_url_set(u, CURLUPART_URL, req_.url().c_str(), CURLU_NON_SUPPORT_SCHEME);
        char* scheme = nullptr;
        char* host = nullptr;
        if (uc == CURLUE_OK)
        {
            curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
            curl_url_get(u, CURLUPART_HOST, &host, 0);
        }
        std::string const s = scheme ? scheme : "";
        bool const has_host = host && *host;
        curl_free(scheme);
        curl_free(host);
        curl_url_cleanup(u);
        if (uc != CURLUE_OK)
        {
            res_.error_detail = curl_url_strerror(uc);
            return error::bad_url;
        }
        if (!iequals(s, "http") && !iequals(s, "https"))
        {
            res_.error_detail = "scheme \"" + s + "\" is not http or https";
            return error::unsupported_scheme;
        }
        if (!has_host)
        {
            res_.error_detail = "no host";
            return error::bad_url;
        }
    }

    CURL* e = easy_;
    multi.adopt(e);
    curl_easy_setopt(e, CURLOPT_URL, req_.url().c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, this);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer_);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &transfer::on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &transfer::on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, &transfer::on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, this);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);

    // Protocol and TLS.
    bool const https = text::istarts_with(req_.url(), "https:");
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, opts_.http2 ? long{CURL_HTTP_VERSION_2TLS} : long{CURL_HTTP_VERSION_1_1});
    if (opts_.http2 && https)
        curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L); // multiplex on a connection being set up
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, opts_.verify_tls ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, opts_.verify_tls ? 2L : 0L);
    if (!opts_.ca_file.empty())
        curl_easy_setopt(e, CURLOPT_CAINFO, opts_.ca_file.c_str());
    // "" also disables the *_proxy environment variables: only the request and the options
    // choose a proxy (libcurl copies the string).
    curl_easy_setopt(e, CURLOPT_PROXY, http::proxy_for(req_, opts_).c_str());
    if (opts_.decompress)
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); // every encoding this libcurl decodes
    curl_easy_setopt(e, CURLOPT_USERAGENT, opts_.user_agent.c_str());

    // Redirects.
    int const max_redirects = req_.max_redirects().value_or(opts_.limits.max_redirects);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, opts_.follow_redirects ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(std::max(max_redirects, 0)));

    // Timeouts (0 disables each, as in curl). The idle timeout is the fetcher's own timer.
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, millis(opts_.timeouts.connect));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, millis(req_.timeout().value_or(opts_.timeouts.total)));

    // Limits: a Content-Length over the limit fails before the body; the callbacks count the rest.
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(opts_.limits.max_body_size));

    // Method and body.
    std::string const& method = req_.method();
    if (method == "GET")
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    else if (method == "HEAD")
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    else
    {
        if (method != "POST")
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str());
        if (method == "POST" || !req_.body().empty())
        {
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req_.body().size()));
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, req_.body().data());
        }
    }

    // Headers, as given. curl's own defaults the caller did not ask for are removed: the
    // form Content-Type it adds to a body and "Expect: 100-continue" (a round trip per upload).
    auto append = [this](std::string line)
    {
        if (curl_slist* l = curl_slist_append(header_list_, line.c_str()))
            header_list_ = l;
    };
    for (auto const& [name, value] : req_.headers())
        append(value.empty() ? name + ";" : name + ": " + value);
    if (!req_.headers().contains("Content-Type"))
        append("Content-Type:");
    if (!req_.headers().contains("Expect"))
        append("Expect:");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, header_list_);
    return {};
}

bool transfer::connected() const noexcept
{
    curl_off_t pretransfer = 0;
    curl_easy_getinfo(easy_, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    return pretransfer > 0;
}

bool transfer::fail(error_code ec, std::string detail)
{
    if (!abort_error_)
    {
        abort_error_ = ec;
        res_.error_detail = std::move(detail);
    }
    return false;
}

bool transfer::deliver_headers()
{
    if (headers_delivered_)
        return true;
    headers_delivered_ = true;
    if (sink_)
        if (error_code ec = sink_->on_headers(res_))
            return fail(ec, "the body sink refused the headers: " + ec.message());
    return true;
}

std::size_t transfer::on_write(char* data, std::size_t size, std::size_t n, void* userp)
{
    auto* t = static_cast<transfer*>(userp);
    std::size_t const bytes = size * n;
    t->touch();
    t->body_started_ = true;
    if (!t->deliver_headers())
        return CURL_WRITEFUNC_ERROR;

    // This callback sees decoded bytes; curl's download counter is the wire's.
    curl_off_t wire = 0;
    curl_easy_getinfo(t->easy_, CURLINFO_SIZE_DOWNLOAD_T, &wire);
    auto const& lim = t->opts_.limits;
    t->decoded_bytes_ += bytes;
    if (static_cast<std::uint64_t>(wire) > lim.max_body_size ||
        (!t->opts_.decompress && t->decoded_bytes_ > lim.max_body_size))
    {
        t->fail(error::body_too_large, "body over " + std::to_string(lim.max_body_size) + " bytes");
        return CURL_WRITEFUNC_ERROR;
    }
    if (t->decoded_bytes_ > lim.max_decompressed_size)
    {
        t->fail(error::decompressed_too_large,
                "decoded body larger than max_decompressed_size (" + std::to_string(lim.max_decompressed_size) +
                    " bytes; a crawl's max_body_size setting)");
        return CURL_WRITEFUNC_ERROR;
    }

    std::string_view const chunk(data, bytes);
    if (t->sink_)
    {
        if (error_code ec = t->sink_->on_data(chunk))
        {
            t->fail(ec, "the body sink failed: " + ec.message());
            return CURL_WRITEFUNC_ERROR;
        }
    }
    else
        t->res_.body.append(chunk);
    return bytes;
}

std::size_t transfer::on_header(char* data, std::size_t size, std::size_t n, void* userp)
{
    auto* t = static_cast<transfer*>(userp);
    std::size_t const bytes = size * n;
    t->touch();
    std::string_view const line(data, bytes);
    if (line.starts_with("HTTP/"))
    {
        // A new response (after a 1xx or a redirect): only the final one is kept.
        t->res_.headers.clear();
        t->res_.reason.clear();
        t->header_bytes_ = 0;
    }
    else if (t->body_started_)
        return bytes; // trailer fields: not part of the header block
    t->header_bytes_ += bytes;
    if (t->header_bytes_ > t->opts_.limits.max_header_size)
    {
        t->fail(error::header_too_large,
                "header block over " + std::to_string(t->opts_.limits.max_header_size) + " bytes");
        return 0;
    }
    if (!t->header_line(line))
    {
        std::string shown(trim(line.substr(0, 80)));
        t->fail(error::bad_response, "malformed header line \"" + shown + "\"");
        return 0;
    }
    return bytes;
}

bool transfer::header_line(std::string_view line)
{
    if (line.starts_with("HTTP/"))
    {
        // "HTTP/1.1 200 OK", "HTTP/2 200"
        line = trim(line);
        auto const sp = line.find(' ');
        res_.http_version = std::string(line.substr(5, sp == std::string_view::npos ? line.npos : sp - 5));
        if (res_.http_version == "2.0")
            res_.http_version = "2";
        if (sp == std::string_view::npos)
            return true;
        auto rest = line.substr(sp + 1);
        auto const sp2 = rest.find(' ');
        auto const code = rest.substr(0, sp2);
        int status = 0;
        for (char c : code)
            status = (c >= '0' && c <= '9' && status < 1000) ? status * 10 + (c - '0') : 1000;
        res_.status = status < 1000 ? status : 0;
        res_.reason = sp2 == std::string_view::npos ? std::string() : std::string(trim(rest.substr(sp2 + 1)));
        return true; // curl judges the status line itself
    }
    std::string_view const raw = line;
    line = trim(line);
    if (line.empty())
        return true; // end of the block
    if ((raw.front() == ' ' || raw.front() == '\t') && !res_.headers.empty())
    {
        // obs-fold (RFC 9112 5.2): the line continues the previous field's value.
        http::headers folded;
        std::size_t i = 0;
        for (auto const& [name, value] : res_.headers)
            folded.add(name, ++i == res_.headers.size() ? value + " " + std::string(line) : value);
        res_.headers = std::move(folded);
        return true;
    }
    auto const colon = line.find(':');
    // Not a field (curl 7.88 passes such lines through): the response is malformed.
    if (colon == std::string_view::npos || colon == 0)
        return false;
    res_.headers.add(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    return true;
}

int transfer::on_progress(void* userp, curl_off_t, curl_off_t dlnow, curl_off_t, curl_off_t ulnow)
{
    auto* t = static_cast<transfer*>(userp);
    if (dlnow != t->last_down_ || ulnow != t->last_up_)
    {
        t->last_down_ = dlnow;
        t->last_up_ = ulnow;
        t->touch();
    }
    if (static_cast<std::uint64_t>(dlnow) > t->opts_.limits.max_body_size)
    {
        t->fail(error::body_too_large, "body over " + std::to_string(t->opts_.limits.max_body_size) + " bytes");
        return 1;
    }
    return 0;
}

void transfer::collect_info()
{
    CURL* e = easy_;
    char* url = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK && url)
        res_.final_url = url;
    long redirects = 0;
    curl_easy_getinfo(e, CURLINFO_REDIRECT_COUNT, &redirects);
    res_.redirects = static_cast<int>(redirects);
    long code = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    if (code > 0)
        res_.status = static_cast<int>(code);
    long version = 0;
    curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
    switch (version)
    {
    case CURL_HTTP_VERSION_1_0:
        res_.http_version = "1.0";
        break;
    case CURL_HTTP_VERSION_1_1:
        res_.http_version = "1.1";
        break;
    case CURL_HTTP_VERSION_2_0:
        res_.http_version = "2";
        break;
    case CURL_HTTP_VERSION_3:
        res_.http_version = "3";
        break;
    default:
        break;
    }
    curl_off_t wire = 0;
    curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &wire);
    res_.wire_bytes = static_cast<std::uint64_t>(wire);
    res_.timing.dns = info_time(e, CURLINFO_NAMELOOKUP_TIME_T);
    res_.timing.connect = info_time(e, CURLINFO_CONNECT_TIME_T);
    res_.timing.tls = info_time(e, CURLINFO_APPCONNECT_TIME_T);
    res_.timing.first_byte = info_time(e, CURLINFO_STARTTRANSFER_TIME_T);
    res_.timing.total = info_time(e, CURLINFO_TOTAL_TIME_T);
}

namespace
{
// "host[:port]" of an absolute URL, for messages.
std::string host_of(std::string_view url)
{
    auto const scheme_end = url.find("://");
    if (scheme_end != std::string_view::npos)
        url.remove_prefix(scheme_end + 3);
    url = url.substr(0, url.find_first_of("/?#"));
    if (auto const at = url.rfind('@'); at != std::string_view::npos)
        url.remove_prefix(at + 1);
    return std::string(url);
}
} // namespace

error_code transfer::finish(CURLcode result)
{
    collect_info();
    if (abort_error_)
        return abort_error_;
    error_code ec;
    switch (result)
    {
    case CURLE_OK:
        break;
    case CURLE_TOO_MANY_REDIRECTS:
        ec = error::too_many_redirects;
        break;
    case CURLE_FILESIZE_EXCEEDED:
        ec = error::body_too_large;
        break;
    case CURLE_URL_MALFORMAT:
        ec = error::bad_url;
        break;
    case CURLE_BAD_CONTENT_ENCODING:
        ec = error::bad_content_encoding;
        break;
    case CURLE_OUT_OF_MEMORY:
        // curl refuses a header line over CURL_MAX_HTTP_HEADER (100 KiB) as "out of memory"
        // ("Avoided giant realloc for header"): say what happened, and which limit says so.
        if (!body_started_)
        {
            ec = error::header_too_large;
            res_.error_detail = "response header from " + host_of(res_.url) + " exceeds " +
                                std::to_string(std::min<std::size_t>(opts_.limits.max_header_size, 100 * 1024)) +
                                " bytes (max_header_size; curl takes at most 102400 bytes in one header line)";
            return ec;
        }
        ec = make_curl_error(result);
        break;
    case CURLE_UNSUPPORTED_PROTOCOL:
        // The URL's scheme was checked in prepare(), so this is a redirect to another scheme
        // ("Protocol "ftp" not supported or disabled") or curl's word for a reply it cannot
        // read ("Unsupported HTTP version in response", "Received HTTP/0.9 when not allowed").
        ec = std::string_view(error_buffer_).starts_with("Protocol ") ? error_code(error::unsupported_scheme)
                                                                      : error_code(error::bad_response);
        break;
    default:
        ec = make_curl_error(result);
        break;
    }
    if (!ec && res_.wire_bytes > opts_.limits.max_body_size)
    {
        fail(error::body_too_large, "body over " + std::to_string(opts_.limits.max_body_size) + " bytes");
        return abort_error_;
    }
    if (ec)
        res_.error_detail = error_buffer_[0] ? std::string(error_buffer_) : std::string(curl_easy_strerror(result));
    else if (!deliver_headers()) // a body-less response: the sink still sees its headers
        return abort_error_;
    return ec;
}

void transfer::finish_aborted(std::string detail)
{
    collect_info();
    if (res_.error_detail.empty())
        res_.error_detail = std::move(detail);
}

} // namespace weft::http::detail
