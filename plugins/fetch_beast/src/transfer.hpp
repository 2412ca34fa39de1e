// One fetch of the Beast fetcher: redirects, a pooled connection, the request, the response.
#pragma once

#include "connection.hpp"
#include "inflater.hpp"

#include <boost/asio/steady_timer.hpp>

#include <array>

namespace weft::http::beast_detail
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

} // namespace weft::http::beast_detail
