// curl_multi: libcurl's multi_socket interface driven by an Asio executor (private).
//
// Follows curl's docs/examples/multi-uv.c and userver's core/src/curl-ev/multi.cpp, not the
// deleted asiohiper.cpp (curl#1191, #1192, #1219):
//  - one stream_descriptor per socket curl reports; a one-shot async_wait per direction,
//    re-armed after each event for as long as curl still wants that direction;
//  - after every curl_multi_socket_action, finished transfers are drained and the socket's
//    state is re-read, because socket_action re-enters the socket callback;
//  - CURL_POLL_REMOVE and curl closing a socket (CURLOPT_CLOSESOCKETFUNCTION) release the
//    descriptor: curl owns every fd and closes it itself;
//  - one steady_timer, replaced by each timer callback; a timeout of 0 runs from the loop,
//    never inside the callback;
//  - a wait that completes with operation_aborted never calls curl.
#pragma once

#include <weft/async/task.hpp>
#include <weft/error.hpp>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <curl/curl.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <unordered_map>

namespace weft::http::detail
{

class curl_multi : public std::enable_shared_from_this<curl_multi>
{
public:
    /// Called (outside any libcurl call) for each finished transfer, still added to the multi.
    using done_handler = std::function<void(CURL* easy, CURLcode result)>;

    struct limits
    {
        long max_host_connections = 0;
        long max_total_connections = 0;
    };

    /// @throws std::runtime_error when libcurl cannot make a multi handle.
    static std::shared_ptr<curl_multi> create(executor ex, limits lim, done_handler on_done);
    ~curl_multi();
    curl_multi(curl_multi const&) = delete;
    curl_multi& operator=(curl_multi const&) = delete;

    executor const& get_executor() const noexcept { return ex_; }

    /// Routes `easy`'s sockets through this multi (open and close callbacks). Before add().
    void adopt(CURL* easy) noexcept;
    CURLMcode add(CURL* easy) noexcept;
    /// Removes `easy`; a transfer in progress is aborted and its connection closed by libcurl.
    void remove(CURL* easy) noexcept;
    /// Closes every idle connection by replacing the multi handle. Only with no transfer added.
    void reset();
    /// Closes every connection and the multi handle; calls nothing afterwards.
    void close() noexcept;

    /// Whether libcurl is on the stack (a write/header callback is running): then the multi API
    /// must not be called (CURLM_RECURSIVE_API_CALL).
    bool in_curl() const noexcept { return depth_ > 0; }
    /// Sockets libcurl opened through this multi and has not closed.
    std::size_t open_sockets() const noexcept { return open_sockets_; }

private:
    struct socket_state;

    curl_multi(executor ex, limits lim, done_handler on_done);
    void open_multi();
    void socket_action(curl_socket_t s, int events);
    void process_messages();
    void arm(std::shared_ptr<socket_state> const& st);
    void start_wait(std::shared_ptr<socket_state> const& st, bool read);
    void on_ready(std::shared_ptr<socket_state> const& st, bool read, error_code ec);
    void forget(curl_socket_t s) noexcept;

    static int on_socket(CURL* easy, curl_socket_t s, int what, void* userp, void* socketp);
    static int on_timer(CURLM* multi, long timeout_ms, void* userp);
    static curl_socket_t on_open_socket(void* clientp, curlsocktype purpose, curl_sockaddr* addr);
    static int on_close_socket(void* clientp, curl_socket_t s);

    executor ex_;
    limits limits_;
    done_handler on_done_;
    CURLM* multi_ = nullptr;
    asio::steady_timer timer_;
    std::unordered_map<curl_socket_t, std::shared_ptr<socket_state>> sockets_;
    std::size_t open_sockets_ = 0;
    int depth_ = 0;
    bool closed_ = false;
};

} // namespace weft::http::detail
