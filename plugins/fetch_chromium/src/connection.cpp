#include "connection.hpp"

#include <weft/async/with_timeout.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>

namespace weft::chromium::detail
{

void fail(error code, std::string const& what)
{
    throw system_error(make_error_code(code), what);
}

// ---------------------------------------------------------------------------------------------
// notifier

notifier::notifier(executor ex) : timer_(ex, clock::time_point::max()) {}

void notifier::notify()
{
    timer_.expires_at(clock::time_point::max()); // completes every pending wait (operation_aborted)
}

task<bool> notifier::async_wait(clock::time_point deadline)
{
    asio::steady_timer deadline_timer(timer_.get_executor(), deadline);
    auto [order, e1, e2] = co_await asio::experimental::make_parallel_group(timer_.async_wait(asio::deferred),
                                                                            deadline_timer.async_wait(asio::deferred))
                               .async_wait(asio::experimental::wait_for_one(), asio::deferred);
    co_return order[0] == 0;
}

// ---------------------------------------------------------------------------------------------
// connection

connection::connection(executor ex, std::unique_ptr<transport> t, milliseconds end_grace)
    : ex_(ex), transport_(std::move(t)), end_grace_(end_grace), closed_(ex)
{
}

connection::~connection()
{
    // Quietly: this runs when the last operation let go, possibly while the io_context is being
    // destroyed, so nothing may be posted or notified any more.
    open_ = false;
    transport_->close();
}

void connection::spawn(task<void> t)
{
    asio::co_spawn(ex_, std::move(t),
                   [w = weak_from_this()](std::exception_ptr e)
                   {
                       auto self = w.lock();
                       if (!e || !self)
                           return;
                       try
                       {
                           std::rethrow_exception(e);
                       }
                       catch (std::exception const& ex)
                       {
                           self->close(std::string("chromium: connection failed: ") + ex.what());
                       }
                   });
}

void connection::start()
{
    spawn(read_loop(shared_from_this()));
}

void connection::throw_closed(std::string const& doing) const
{
    fail(error::browser_closed, doing + ": the browser is gone: " + close_reason_);
}

bool connection::end(std::string reason)
{
    if (!open_)
        return false;
    open_ = false;
    close_reason_ = std::move(reason);
    write_queue_.clear();
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, p] : pending)
    {
        asio::post(ex_, asio::append(std::move(p.handler), make_error_code(error::browser_closed),
                                     p.method + " failed: " + close_reason_, json()));
    }
    auto subs = subscriptions_;
    for (auto& s : subs)
        if (s->active)
            s->on_event("", json());
    closed_.notify();
    return true;
}

void connection::close(std::string reason)
{
    if (end(std::move(reason)))
        transport_->close();
}

task<void> connection::async_disconnect(std::string reason, milliseconds timeout)
{
    if (!end(std::move(reason)))
        co_return;
    if (writing_)
        transport_->close(); // a close frame may not interleave with a message being written
    else
        co_await transport_->async_shutdown(timeout);
}

std::shared_ptr<connection::subscription> connection::subscribe(std::string session, event_handler h)
{
    // Drop subscriptions their owners ended.
    std::erase_if(subscriptions_, [](auto const& s) { return !s->active; });
    auto s = std::make_shared<subscription>(subscription{std::move(session), std::move(h), true});
    subscriptions_.push_back(s);
    return s;
}

long connection::enqueue(std::string const& method, json params, std::string const& session)
{
    long const id = next_id_++;
    json msg = {{"id", id}, {"method", method}, {"params", params.is_null() ? json::object() : std::move(params)}};
    if (!session.empty())
        msg["sessionId"] = session;
    write_queue_.push_back(msg.dump(-1, ' ', false, json::error_handler_t::replace));
    if (!writing_)
    {
        writing_ = true;
        spawn(write_loop(shared_from_this()));
    }
    return id;
}

task<void> connection::write_loop(std::shared_ptr<connection> self)
{
    while (self->open_ && !self->write_queue_.empty())
    {
        auto message = std::move(self->write_queue_.front());
        self->write_queue_.pop_front();
        if (auto ec = co_await self->transport_->async_send(std::move(message)))
        {
            // The read side then ends too, and read_loop closes with the best reason it gets.
            if (self->open_ && self->write_failure_.empty())
                self->write_failure_ = "chromium: writing a DevTools message failed (" + ec.message() + ")";
            self->transport_->close();
            break;
        }
    }
    self->writing_ = false;
}

void connection::post_call(std::string method, json params, std::string session)
{
    if (open_)
        enqueue(method, std::move(params), session);
}

void connection::start_call(std::string method, json params, std::string session,
                            asio::any_completion_handler<call_signature> handler)
{
    if (!open_)
    {
        asio::post(ex_, asio::append(std::move(handler), make_error_code(error::browser_closed),
                                     method + " failed: " + close_reason_, json()));
        return;
    }
    long const id = enqueue(method, std::move(params), session);
    auto slot = asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected())
        slot.assign(
            [w = weak_from_this(), id](asio::cancellation_type)
            {
                if (auto self = w.lock())
                    self->cancel_call(id);
            });
    pending_.emplace(id, pending{std::move(method), std::move(handler)});
}

void connection::cancel_call(long id)
{
    auto it = pending_.find(id);
    if (it == pending_.end())
        return;
    auto h = std::move(it->second.handler);
    pending_.erase(it);
    // The browser's late answer to this id is dropped by dispatch().
    asio::post(ex_, asio::append(std::move(h), error_code(asio::error::operation_aborted), std::string(), json()));
}

task<json> connection::call_op(std::shared_ptr<connection> self, std::string method, json params, std::string session)
{
    auto token = asio::as_tuple(asio::deferred);
    auto [ec, what, result] = co_await asio::async_initiate<decltype(token), call_signature>(
        [](asio::any_completion_handler<call_signature> h, connection* c, std::string m, json p, std::string s)
        { c->start_call(std::move(m), std::move(p), std::move(s), std::move(h)); },
        token, self.get(), std::move(method), std::move(params), std::move(session));
    if (ec)
    {
        if (what.empty())
            throw system_error(ec);
        throw system_error(ec, what);
    }
    co_return std::move(result);
}

task<json> connection::async_call(std::string method, json params, std::string session, milliseconds timeout)
{
    if (!open_)
        throw_closed(method);
    std::string what = "chromium: " + method;
    return with_timeout(call_op(shared_from_this(), std::move(method), std::move(params), std::move(session)), timeout,
                        what);
}

void connection::dispatch(std::string_view text)
{
    json msg = json::parse(text, nullptr, false);
    if (msg.is_discarded() || !msg.is_object())
        return;
    if (auto id = msg.find("id"); id != msg.end() && id->is_number_integer())
    {
        auto it = pending_.find(id->get<long>());
        if (it == pending_.end())
            return; // cancelled or timed out already
        auto p = std::move(it->second);
        pending_.erase(it);
        if (auto err = msg.find("error"); err != msg.end())
        {
            std::string what = p.method + ": " + err->value("message", std::string("error"));
            if (auto data = err->find("data"); data != err->end() && data->is_string())
                what += " (" + data->get<std::string>() + ")";
            asio::post(ex_, asio::append(std::move(p.handler), make_error_code(error::protocol_error), what, json()));
        }
        else
        {
            auto result = msg.contains("result") ? std::move(msg["result"]) : json::object();
            asio::post(ex_, asio::append(std::move(p.handler), error_code(), std::string(), std::move(result)));
        }
        return;
    }
    auto method = msg.value("method", std::string());
    if (method.empty())
        return;
    auto session = msg.value("sessionId", std::string());
    auto const& params = msg.contains("params") ? msg["params"] : json::object();
    auto subs = subscriptions_; // handlers may subscribe or unsubscribe
    for (auto& s : subs)
        if (s->active && s->session == session)
            s->on_event(method, params);
}

task<void> connection::read_loop(std::shared_ptr<connection> self)
{
    for (;;)
    {
        auto r = co_await self->transport_->async_receive();
        if (!self->open_)
            co_return;
        if (!r.ec)
        {
            self->dispatch(r.message);
            continue;
        }
        // The stream ended by itself; a launched browser's process watcher names the cause
        // ("killed by signal 9") within end_grace.
        if (self->end_grace_ > milliseconds(0))
            co_await self->closed_.async_wait(clock::now() + self->end_grace_);
        self->close(self->write_failure_.empty() ? r.why : self->write_failure_);
        co_return;
    }
}

} // namespace weft::chromium::detail
