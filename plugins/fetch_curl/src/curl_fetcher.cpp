#include <weft/fetch_curl/curl_fetcher.hpp>

#include "curl_multi.hpp"
#include "transfer.hpp"

#include <weft/http/fetcher_registry.hpp>

#include <boost/asio/post.hpp>

#include <unordered_map>
#include <vector>

namespace weft::http
{

using detail::transfer;

class curl_fetcher::impl : public std::enable_shared_from_this<impl>
{
public:
    impl(executor ex, fetch_options const& opts) : ex_(std::move(ex)), opts_(opts) {}

    void open()
    {
        auto lim = detail::curl_multi::limits{static_cast<long>(opts_.max_connections_per_host),
                                              static_cast<long>(opts_.max_connections)};
        multi_ = detail::curl_multi::create(ex_, lim, [this](CURL* easy, CURLcode result) { on_done(easy, result); });
    }

    ~impl() { close(); }

    executor const& get_executor() const noexcept { return ex_; }
    fetch_options const& options() const noexcept { return opts_; }
    std::size_t in_flight() const noexcept { return transfers_.size(); }
    std::size_t open_sockets() const noexcept { return multi_ ? multi_->open_sockets() : 0; }

    void start(request req, body_sink* sink, asio::any_completion_handler<signature> handler)
    {
        if (multi_->in_curl())
        {
            // Called from a body_sink, inside libcurl: add the handle from the loop instead.
            asio::post(ex_,
                       [w = weak_from_this(), r = std::move(req), sink, h = std::move(handler)]() mutable
                       {
                           if (auto self = w.lock())
                               self->start(std::move(r), sink, std::move(h));
                           else
                               std::move(h)(asio::error::operation_aborted, response{});
                       });
            return;
        }
        auto t = std::make_shared<transfer>(ex_, std::move(req), sink, opts_);
        // swap, not move assignment: Boost 1.81's any_completion_handler::operator=(&&) wraps
        // the handler in itself until the stack overflows (fixed in 1.82).
        t->handler.swap(handler);
        if (error_code ec = closed_ ? error_code(asio::error::operation_aborted) : t->prepare(*multi_))
            return post_completion(*t, ec);

        t->slot = asio::get_associated_cancellation_slot(t->handler);
        if (t->slot.is_connected())
        {
            t->slot.assign(
                [w = weak_from_this(), wt = std::weak_ptr<transfer>(t)](asio::cancellation_type type)
                {
                    if (!(type & (asio::cancellation_type::terminal | asio::cancellation_type::partial |
                                  asio::cancellation_type::total)))
                        return;
                    // Never from here: this may run inside libcurl (a sink cancelling), and completing
                    // would destroy this very handler while it runs.
                    auto self = w.lock();
                    if (!self)
                        return;
                    asio::post(self->ex_,
                               [w, wt]
                               {
                                   auto self = w.lock();
                                   auto t = wt.lock();
                                   if (self && t && !t->done)
                                       self->abort(t, asio::error::operation_aborted, "cancelled");
                               });
                });
        }

        if (CURLMcode mc = multi_->add(t->easy()); mc != CURLM_OK)
        {
            t->res().error_detail = curl_multi_strerror(mc);
            return post_completion(*t, make_curl_error(CURLE_FAILED_INIT));
        }
        transfers_.emplace(t->easy(), t);
        if (opts_.timeouts.idle.count() > 0)
            arm_idle(t, opts_.timeouts.idle);
    }

    void shutdown()
    {
        if (multi_->in_curl())
        {
            asio::post(ex_,
                       [w = weak_from_this()]
                       {
                           if (auto self = w.lock())
                               self->shutdown();
                       });
            return;
        }
        abort_all();
        multi_->reset();
    }

    void close()
    {
        if (closed_)
            return;
        closed_ = true;
        abort_all();
        if (multi_)
            multi_->close();
    }

private:
    void on_done(CURL* easy, CURLcode result)
    {
        auto it = transfers_.find(easy);
        if (it == transfers_.end())
        {
            multi_->remove(easy);
            return;
        }
        auto t = it->second;
        error_code const ec = t->finish(result);
        complete(t, ec);
    }

    void abort(std::shared_ptr<transfer> const& t, error_code ec, std::string detail)
    {
        t->finish_aborted(std::move(detail));
        complete(t, ec);
    }

    void abort_all()
    {
        std::vector<std::shared_ptr<transfer>> all;
        all.reserve(transfers_.size());
        for (auto const& [easy, t] : transfers_)
            all.push_back(t);
        for (auto const& t : all)
            abort(t, asio::error::operation_aborted, "the fetcher shut down");
    }

    // Removes the transfer and posts its completion. The connection of an unfinished transfer
    // is closed by curl_multi_remove_handle, so a half-read response is never reused.
    void complete(std::shared_ptr<transfer> const& t, error_code ec)
    {
        if (t->done)
            return;
        t->done = true;
        t->idle_timer.cancel();
        multi_->remove(t->easy());
        transfers_.erase(t->easy());
        post_completion(*t, ec);
    }

    void post_completion(transfer& t, error_code ec)
    {
        t.done = true;
        if (t.slot.is_connected())
            t.slot.clear();
        // The handler is only ever move-constructed (see start() on Boost 1.81's move assignment).
        // It runs on the fetcher's executor, the one it belongs to (fetcher.hpp).
        asio::post(ex_, [h = std::move(t.handler), ec, res = std::move(t.res())]() mutable
                   { std::move(h)(ec, std::move(res)); });
    }

    // The idle timeout: no byte received or sent for opts_.timeouts.idle once connected.
    // A timer per transfer that re-arms itself from the last activity, instead of a reset on
    // every byte.
    void arm_idle(std::shared_ptr<transfer> const& t, std::chrono::steady_clock::duration after)
    {
        t->idle_timer.expires_after(after);
        t->idle_timer.async_wait(
            // Weak: the timer's handler must not keep alive the transfer that owns the timer.
            [w = weak_from_this(), wt = std::weak_ptr<transfer>(t)](error_code ec)
            {
                auto self = w.lock();
                auto t = wt.lock();
                if (!ec && self && t && !t->done)
                    self->check_idle(t);
            });
    }

    void check_idle(std::shared_ptr<transfer> const& t)
    {
        auto const idle = opts_.timeouts.idle;
        auto const now = transfer::clock::now();
        if (!t->connected())
            t->touch(); // connecting: the connect timeout applies
        auto const quiet = now - t->last_activity();
        if (quiet >= idle)
            return abort(t, make_curl_error(CURLE_OPERATION_TIMEDOUT),
                         "idle timeout: no data for " + describe_duration(idle));
        arm_idle(t, idle - quiet);
    }

    executor ex_;
    fetch_options opts_;
    std::shared_ptr<detail::curl_multi> multi_;
    std::unordered_map<CURL*, std::shared_ptr<transfer>> transfers_;
    bool closed_ = false;
};

curl_fetcher::curl_fetcher(executor ex, fetch_options const& opts) : impl_(std::make_shared<impl>(std::move(ex), opts))
{
    impl_->open();
}

curl_fetcher::~curl_fetcher()
{
    impl_->close();
}

executor curl_fetcher::get_executor() const
{
    return impl_->get_executor();
}

fetch_options const& curl_fetcher::options() const noexcept
{
    return impl_->options();
}

void curl_fetcher::shutdown()
{
    impl_->shutdown();
}

std::size_t curl_fetcher::in_flight() const noexcept
{
    return impl_->in_flight();
}

std::size_t curl_fetcher::open_sockets() const noexcept
{
    return impl_->open_sockets();
}

void curl_fetcher::async_fetch_impl(request req, body_sink* sink, asio::any_completion_handler<signature> handler)
{
    impl_->start(std::move(req), sink, std::move(handler));
}

WEFT_REGISTER_FETCHER("curl", curl_fetcher);

} // namespace weft::http
