// weft::redis::connection: one TCP connection, pipelined. Requests wait in `queued_` until the
// writer sends them, then in `sent_` until their replies arrive (Redis answers in order, so the
// front of `sent_` owns the next reply). When the connection drops, `sent_` goes back in front of
// `queued_` and everything is written again on the next connection.
#include "redis_impl.hpp"

#include <weft/async/with_timeout.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <cstdio>

namespace weft::redis
{

namespace
{

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

constexpr auto first_backoff = 100ms;
constexpr auto max_backoff = 5s;

void rethrow_if(std::exception_ptr e)
{
    if (e)
        std::rethrow_exception(e);
}

} // namespace

connection::impl::impl(executor ex, address where, connection_options options)
    : ex_(ex), where_(std::move(where)), options_(options), socket_(ex), resolver_(ex), backoff_(ex)
{
}

void connection::impl::submit(std::string wire, std::size_t expected, asio::any_completion_handler<signature> handler)
{
    if (phase_ != phase::connected && phase_ != phase::reconnecting)
    {
        auto e = dead_;
        if (!e && phase_ == phase::closed)
            e = std::make_exception_ptr(system_error(asio::error::operation_aborted));
        if (!e)
            e = std::make_exception_ptr(detail::unavailable(where_, "not connected: await async_connect() first"));
        asio::post(ex_, asio::append(std::move(handler), e, std::vector<reply>()));
        return;
    }
    auto req = std::make_shared<request>(std::move(wire), expected, std::move(handler));
    // A cancelled caller gets operation_aborted at once; a command already written still runs,
    // and its reply is read and dropped.
    auto slot = req->handler.get_cancellation_slot();
    if (slot.is_connected())
        slot.assign(
            [weak = std::weak_ptr<request>(req), self = weak_from_this()](asio::cancellation_type)
            {
                auto r = weak.lock();
                auto s = self.lock();
                if (!r || !s || !r->handler)
                    return;
                auto h = std::move(r->handler);
                auto e = std::make_exception_ptr(system_error(asio::error::operation_aborted));
                asio::post(s->ex_, asio::append(std::move(h), e, std::vector<reply>()));
            });
    queued_.push_back(std::move(req));
    start_writing();
}

void connection::impl::answer(request& r, std::exception_ptr e)
{
    if (!r.handler)
        return; // cancelled
    r.handler.get_cancellation_slot().clear();
    auto h = std::move(r.handler);
    // Posted, never invoked inline: the caller resumes outside our loops over the queues.
    asio::post(ex_, asio::append(std::move(h), e, std::move(r.replies)));
}

void connection::impl::fail_all(std::exception_ptr e)
{
    for (auto& r : sent_)
        answer(*r, e);
    for (auto& r : queued_)
        answer(*r, e);
    sent_.clear();
    queued_.clear();
}

void connection::impl::close()
{
    phase_ = phase::closed;
    error_code ignored;
    socket_.close(ignored);
    resolver_.cancel();
    backoff_.cancel();
}

void connection::impl::start_writing()
{
    if (phase_ != phase::connected || writing_ || queued_.empty())
        return;
    writing_ = true;
    asio::co_spawn(ex_, write_loop(shared_from_this(), session_), rethrow_if);
}

// Everything queued goes out in one write; what is queued meanwhile goes in the next one.
task<void> connection::impl::write_loop(std::shared_ptr<impl> self, std::uint64_t session)
{
    std::string batch;
    while (session == session_ && !queued_.empty())
    {
        batch.clear();
        for (auto& r : queued_)
            if (r->handler) // a cancelled request not yet written is dropped
            {
                batch += r->wire;
                sent_.push_back(std::move(r));
            }
        queued_.clear();
        auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(batch), asio::as_tuple(asio::deferred));
        if (session != session_)
            co_return; // reconnected meanwhile: the new session has its own writer
        if (ec)
        {
            // The reader notices the closed socket and reconnects.
            write_error_ = ec.message();
            error_code ignored;
            socket_.close(ignored);
            co_return;
        }
    }
    if (session == session_)
        writing_ = false;
}

void connection::impl::deliver(reply r)
{
    if (sent_.empty())
        throw std::runtime_error("a reply from Redis that no command asked for");
    auto& front = *sent_.front();
    front.replies.push_back(std::move(r));
    if (front.replies.size() < front.expected)
        return;
    auto done = std::move(sent_.front());
    sent_.pop_front();
    ++round_trips_;
    answer(*done, nullptr);
}

task<std::string> connection::impl::async_read_until_error()
{
    std::array<char, 16 * 1024> buf;
    for (;;)
    {
        auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buf), asio::as_tuple(asio::deferred));
        if (ec)
        {
            if (!write_error_.empty())
                co_return std::exchange(write_error_, {});
            co_return ec == asio::error::eof ? std::string("connection closed by Redis") : ec.message();
        }
        try
        {
            reader_.feed(buf.data(), n);
            while (auto r = reader_.next())
                deliver(std::move(*r));
        }
        catch (std::runtime_error const& e)
        {
            co_return e.what();
        }
    }
}

task<void> connection::impl::run(std::shared_ptr<impl> self)
{
    for (;;)
    {
        auto cause = co_await async_read_until_error();
        if (phase_ == phase::closed)
            break;
        if (!co_await async_reconnect(std::move(cause)))
            break;
    }
    auto e = dead_;
    if (!e)
        e = std::make_exception_ptr(system_error(asio::error::operation_aborted));
    fail_all(e);
}

// Unanswered requests go back in front of the queue, in order, to be written again on the next
// connection; partial replies to a pipeline are dropped with them.
void connection::impl::requeue()
{
    for (auto it = sent_.rbegin(); it != sent_.rend(); ++it)
        queued_.push_front(std::move(*it));
    sent_.clear();
    std::erase_if(queued_, [](auto const& r) { return !r->handler; });
    for (auto& r : queued_)
        r->replies.clear();
}

task<bool> connection::impl::async_reconnect(std::string cause)
{
    phase_ = phase::reconnecting;
    ++session_;
    writing_ = false;
    error_code ignored;
    socket_.close(ignored);
    requeue();

    auto const down_since = clock::now();
    auto backoff = std::chrono::milliseconds(first_backoff);
    bool announced = false;
    for (;;)
    {
        std::string failed;
        try
        {
            co_await async_open();
        }
        catch (system_error const& e)
        {
            failed = detail::short_what(e);
        }
        if (phase_ == phase::closed)
            co_return false;
        if (failed.empty())
        {
            phase_ = phase::connected;
            if (announced && !options_.quiet)
                std::fprintf(stderr, "weft: redis at %s answers again after %s; requests sent again: %zu\n",
                             where_.redacted().c_str(), describe_duration(clock::now() - down_since).c_str(),
                             queued_.size());
            start_writing();
            co_return true;
        }

        auto const waited = clock::now() - down_since;
        if (waited >= options_.give_up_after)
        {
            phase_ = phase::dead;
            // `failed` starts with "redis at <address> ": said once is enough.
            auto const prefix = "redis at " + where_.redacted() + " ";
            if (failed.starts_with(prefix))
                failed.erase(0, prefix.size());
            dead_ = std::make_exception_ptr(
                system_error(make_error_code(error::state_unavailable),
                             "redis at " + where_.redacted() + ": gave up after " + describe_duration(waited) +
                                 " without a connection (last attempt: " + failed +
                                 "); start Redis or fix the address, then run the crawl again"));
            if (!options_.quiet)
                std::fprintf(stderr, "weft: redis at %s: gave up reconnecting after %s (%s)\n",
                             where_.redacted().c_str(), describe_duration(waited).c_str(), failed.c_str());
            co_return false;
        }
        if (!announced && !options_.quiet)
            std::fprintf(stderr,
                         "weft: %s after the connection was lost (%s); retrying with backoff, giving up after %s\n",
                         failed.c_str(), cause.c_str(), describe_duration(options_.give_up_after).c_str());
        announced = true;

        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(options_.give_up_after - waited);
        backoff_.expires_after(std::min(backoff, std::max(left, std::chrono::milliseconds(1))));
        co_await backoff_.async_wait(asio::as_tuple(asio::deferred));
        if (phase_ == phase::closed)
            co_return false;
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, max_backoff);
    }
}

// ----- connection -----

connection::connection(executor ex, address where, connection_options options)
    : impl_(std::make_shared<impl>(ex, std::move(where), options))
{
}

connection::~connection()
{
    impl_->close();
}

task<void> connection::async_connect()
{
    auto self = impl_;
    if (self->phase_ != impl::phase::idle)
        throw std::logic_error("weft::redis::connection::async_connect: already connected or connecting");
    self->phase_ = impl::phase::connecting;
    try
    {
        co_await self->async_open();
    }
    catch (...)
    {
        if (self->phase_ == impl::phase::connecting)
            self->phase_ = impl::phase::idle; // the caller may try again
        throw;
    }
    if (self->phase_ == impl::phase::closed)
        throw system_error(asio::error::operation_aborted);
    self->phase_ = impl::phase::connected;
    asio::co_spawn(self->ex_, self->run(self), rethrow_if);
}

task<reply> connection::async_command(std::vector<std::string> args)
{
    auto self = impl_;
    std::string wire;
    detail::append_command(wire, args);
    auto replies = co_await self->async_request(std::move(wire), 1);
    co_return std::move(replies.front());
}

task<std::vector<reply>> connection::async_pipeline(std::vector<std::vector<std::string>> commands)
{
    auto self = impl_;
    if (commands.empty())
        co_return std::vector<reply>();
    std::string wire;
    for (auto const& c : commands)
        detail::append_command(wire, c);
    co_return co_await self->async_request(std::move(wire), commands.size());
}

task<reply> connection::async_eval(script const& s, std::vector<std::string> keys, std::vector<std::string> args)
{
    auto self = impl_;
    std::string source = s.source; // copied before the first suspension: `s` may be a temporary
    std::vector<std::string> evalsha{"EVALSHA", s.sha1, std::to_string(keys.size())};
    std::move(keys.begin(), keys.end(), std::back_inserter(evalsha));
    std::move(args.begin(), args.end(), std::back_inserter(evalsha));
    std::string wire;
    detail::append_command(wire, evalsha);

    std::string first = wire;
    auto replies = co_await self->async_request(std::move(first), 1);
    reply r = std::move(replies.front());
    if (r.is_error() && r.str.starts_with("NOSCRIPT"))
    {
        // Redis restarted or SCRIPT FLUSH: load the script and run it, in one round trip.
        std::string again;
        detail::append_command(again, {"SCRIPT", "LOAD", source});
        again += wire;
        auto both = co_await self->async_request(std::move(again), 2);
        if (both[0].is_error())
            throw detail::script_refused(self->where_, both[0].str);
        r = std::move(both[1]);
    }
    if (r.is_error())
        throw detail::script_refused(self->where_, r.str);
    co_return r;
}

address const& connection::where() const noexcept
{
    return impl_->where_;
}

std::uint64_t connection::round_trips() const noexcept
{
    return impl_->round_trips_;
}

} // namespace weft::redis
