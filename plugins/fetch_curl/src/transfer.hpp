// transfer: one request on one easy handle: its options, its callbacks and its response (private).
#pragma once

#include <weft/http/fetcher.hpp>

// Moving a request needs the complete nlohmann::json (request::meta is a unique_ptr<json>).
#include <nlohmann/json.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <memory>

namespace weft::http::detail
{

class curl_multi;

class transfer
{
public:
    using clock = std::chrono::steady_clock;

    transfer(executor const& ex, request req, body_sink* sink, fetch_options const& opts);
    ~transfer();
    transfer(transfer const&) = delete;
    transfer& operator=(transfer const&) = delete;

    /// Checks the URL and sets every option. Fails with bad_url or unsupported_scheme.
    error_code prepare(curl_multi& multi);

    CURL* easy() const noexcept { return easy_; }
    request const& req() const noexcept { return req_; }
    response& res() noexcept { return res_; }

    /// The operation's error for libcurl's `result`: an error a callback recorded first, else
    /// weft's exact code for it, else the CURLcode. Fills the response from curl's info.
    error_code finish(CURLcode result);
    /// Fills what the response can still tell after an abort from outside libcurl.
    void finish_aborted(std::string detail);

    /// Time of the last sign of life (a byte received or sent, the connection made).
    clock::time_point last_activity() const noexcept { return last_activity_; }
    void touch() noexcept { last_activity_ = clock::now(); }
    /// Whether the connection is up and the request can be sent (so idle time counts).
    bool connected() const noexcept;

    asio::any_completion_handler<fetcher::signature> handler;
    asio::cancellation_slot slot;
    asio::steady_timer idle_timer;
    bool done = false;

private:
    static std::size_t on_write(char* data, std::size_t size, std::size_t n, void* userp);
    static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* userp);
    static int on_progress(void* userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);

    bool fail(error_code ec, std::string detail);
    bool deliver_headers();
    bool header_line(std::string_view line); // false: not a header line
    void collect_info();

    request req_;
    body_sink* sink_;
    fetch_options opts_;
    response res_;
    CURL* easy_ = nullptr;
    curl_slist* header_list_ = nullptr;
    char error_buffer_[CURL_ERROR_SIZE] = {};
    error_code abort_error_; // set by a callback that aborted the transfer
    std::uint64_t decoded_bytes_ = 0;
    std::size_t header_bytes_ = 0; // of the current response's header block
    curl_off_t last_up_ = 0;
    curl_off_t last_down_ = 0;
    bool body_started_ = false;
    bool headers_delivered_ = false;
    clock::time_point last_activity_ = clock::now();
};

} // namespace weft::http::detail
