// weft::test::test_server: a real HTTP/1.1 (optionally HTTPS) loopback server with fault injection.
//
// It listens on 127.0.0.1 on a port the OS picks and runs its own io_context on its own thread,
// so a test drives its clients on its own loop (or synchronously). It starts in the constructor
// and stops in the destructor, closing every connection.
//
// Routes (every one counts its requests; sizes and times come from the query string):
//
//   /status/<code>                  that status; body "status <code>" (none for 1xx, 204, 304)
//   /echo                           {"method","target","path","query","headers","body"} as JSON
//   /headers?Name=value&...         200 with each query parameter as a response header
//   /redirect/<n>                   302 to /redirect/<n-1>; /redirect/0 is 200 "redirect done"
//   /redirect-relative/<n>          the same chain with relative Locations ("./<n-1>")
//   /redirect-to?url=U&status=302   one redirect to U
//   /redirect-loop                  302 to itself, forever
//   /slow-headers?ms=1000           waits ms, then 200 "slow"
//   /slow-body?bytes=10&ms=100&chunks=bytes
//                                   Content-Length bytes, sent in `chunks` pieces (at most
//                                   `bytes`), waiting ms before each piece
//   /stall?after=100&total=1100     Content-Length total, sends `after` bytes, then nothing
//   /never                          reads the request, never answers
//   /reset?after=0                  sends `after` bytes of a 200 response, then RST (SO_LINGER 0)
//   /close-mid-body?n=1000          Content-Length n, sends n/2 bytes, then closes (FIN)
//   /malformed-status               "HTTP/1.1 twohundred OK", then closes
//   /http09?body=B                  HTTP/0.9: B with no status line nor headers, then closes
//   /trickle-headers?step=1&ms=20   the response head `step` bytes at a time, ms apart, then
//                                   200 "trickled" (X-Trickled: yes)
//   /cookie-page?set=C&link=U       200 HTML: a Set-Cookie C per `set` (any Domain, foreign ones
//                                   too), <p id="cookie"> with the Cookie header received, a link
//                                   to each U
//   /malformed-header               a header line without a colon, then closes
//   /malformed-chunked              chunked with a chunk size "zz", then closes
//   /huge-headers?kb=100            about kb KiB of X-Filler-<i> header fields, body "ok"
//   /huge-header-line?kb=1024       one X-Huge header field of kb KiB, body "ok", then closes
//   /bytes?n=1000&chunked=0         exactly n bytes of pattern_body(n); chunked=1: chunked encoding
//   /big?bytes=16777216&chunked=0&length=1
//                                   like /bytes; length=0 omits Content-Length and closes
//   /gzip|/deflate|/br|/zstd?n=10000
//                                   pattern_body(n) with that Content-Encoding (deflate: zlib format)
//   /gzip-bomb?mb=64                gzip of mb MiB of zeros (about 1000:1)
//   /html?title=T&links=3           a small HTML page with links to /html?page=<i>
//   /site/<i>?n=100&ms=0&fan=3      page i of a site of n pages, after ms: one item
//                                   (<p class="item">item i</p>), links to page 0 and to pages
//                                   (i fan + 1 ... i fan + fan) mod n (site_max_in_flight())
//   anything else                   a static file under options::root (Content-Type by extension,
//                                   "/" serves index.html), else 404
//
// Handlers added with add_handler() take precedence over every built-in route.
// A request in absolute form ("GET http://any.host/html HTTP/1.1", as a client sends it to an
// HTTP proxy) is served as its path, with received_request::proxied_for naming the host: the
// server doubles as a forward proxy for host names that resolve nowhere (no CONNECT).
// Connections are kept alive unless the request or the route says otherwise. A client that
// disconnects mid-response never disturbs the server; a server waiting (/never, /stall, the slow
// routes) notices the client closing and closes its side, so open_connections() drops.
//
// Thread safety: every member function may be called from any thread.
#pragma once

#include <weft/http/headers.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace weft::test
{

/// A request as the test server received it.
struct received_request
{
    std::string method;
    std::string target;                            ///< path and query (origin form)
    /// "http://host:port" when the request came in absolute form, as to an HTTP proxy; else "".
    std::string proxied_for;
    std::string path;                              ///< without the query
    std::multimap<std::string, std::string> query; ///< percent-decoded
    http::headers headers;
    std::string body;

    /// The first value of query parameter `name`, or `fallback`.
    std::string param(std::string_view name, std::string_view fallback = {}) const;
};

/// What a custom handler answers. Content-Length is added unless a Transfer-Encoding is set.
struct canned_response
{
    int status = 200;
    http::headers headers;
    std::string body;
};

/// A 200 text/html (UTF-8) response with `body`.
canned_response html_response(std::string body);

class test_server
{
public:
    using handler = std::function<canned_response(received_request const&)>;

    struct options
    {
        bool tls = false;           ///< serve HTTPS with a self-signed certificate
        std::filesystem::path root; ///< static files; empty: none
    };

    /// Starts listening. @throws on failure to bind or to make the certificate.
    test_server();
    explicit test_server(options opts);
    /// Stops accepting, closes every connection and joins the server thread.
    ~test_server();
    test_server(test_server const&) = delete;
    test_server& operator=(test_server const&) = delete;

    unsigned short port() const;
    bool tls() const;
    /// "http://127.0.0.1:PORT" + path (https in TLS mode); `path` starts with '/'.
    std::string url(std::string_view path = "/") const;
    /// The certificate (its own CA) as a PEM file, for fetch_options::ca_file; empty without TLS.
    std::filesystem::path const& ca_file() const;

    /// Requests received for `path` (without query), any method.
    std::size_t request_count(std::string_view path) const;
    std::size_t total_requests() const;
    /// The most /site/ requests the server was answering at once (since start).
    std::size_t site_max_in_flight() const;
    /// TCP connections accepted since start (or reset_counters()).
    std::size_t connections_accepted() const;
    /// Server-side connections open now.
    std::size_t open_connections() const;
    /// Polls until open_connections() <= n or `timeout` passes; returns whether it got there.
    /// Blocks the calling thread: call it from a test's thread, not from a client's loop.
    bool wait_open_connections_at_most(std::size_t n, std::chrono::milliseconds timeout) const;
    /// Headers of the last request for `path`, if one came.
    std::optional<http::headers> last_request_headers(std::string_view path) const;
    /// The last request for `path`, if one came.
    std::optional<received_request> last_request(std::string_view path) const;
    void reset_counters();

    /// Serves `path` (exact, without query) with `h`, before any built-in route. `h` runs on the
    /// server's thread.
    void add_handler(std::string path, handler h);
    /// Serves static files from `root` (replaces options::root).
    void set_root(std::filesystem::path root);

    /// The deterministic body of /bytes?n=<n>: printable, position-dependent bytes.
    static std::string pattern_body(std::size_t n);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// A loopback port with nothing listening on it (bound by the OS, then closed): connection refused.
unsigned short unused_port();

} // namespace weft::test
