#include "engine/fetcher_stack.hpp"
#include "engine/warc_fetchers.hpp"

#include <weft/engine/proxy_rotation.hpp>
#include <weft/http/fetcher_registry.hpp>
#include <weft/http/proxy.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace weft::engine::detail
{

namespace
{

using clock = std::chrono::steady_clock;
using result = std::pair<error_code, http::response>;

// Runs `attempts` as the fetch's coroutine: the caller's cancellation slot reaches the inner
// fetches, and the handler gets the last attempt's result.
template <class Coroutine>
void complete_with(executor ex, Coroutine attempts, asio::any_completion_handler<http::fetcher::signature> handler)
{
    auto slot = asio::get_associated_cancellation_slot(handler);
    auto done = [h = std::move(handler)](std::exception_ptr e, result r) mutable
    {
        if (e) // an allocation failure or a bug below: a failed fetch, not a crash of the crawl
            r.first = make_error_code(std::errc::not_enough_memory);
        std::move(h)(r.first, std::move(r.second));
    };
    asio::co_spawn(ex, std::move(attempts), asio::bind_cancellation_slot(slot, std::move(done)));
}

task<result> fetch_once(http::fetcher& f, http::request req, http::body_sink* sink)
{
    auto [ec, res] = co_await f.async_fetch(std::move(req), sink, asio::as_tuple(asio::use_awaitable));
    co_return result{ec, std::move(res)};
}

class wrapper : public http::fetcher
{
public:
    explicit wrapper(std::unique_ptr<http::fetcher> inner) : inner_(std::move(inner)) {}
    std::string_view name() const noexcept override { return inner_->name(); }
    executor get_executor() const override { return inner_->get_executor(); }
    http::fetch_options const& options() const noexcept override { return inner_->options(); }
    void shutdown() override { inner_->shutdown(); }

protected:
    std::unique_ptr<http::fetcher> inner_;
};

class proxy_failover_fetcher final : public wrapper
{
public:
    proxy_failover_fetcher(std::unique_ptr<http::fetcher> inner, std::vector<std::string> const& proxies, log_fn log)
        : wrapper(std::move(inner)), rotation_(proxies), log_(std::move(log))
    {
    }

private:
    void async_fetch_impl(http::request req, http::body_sink* sink,
                          asio::any_completion_handler<signature> handler) override
    {
        if (http::meta_proxy(req)) // the request's own proxy stays
        {
            inner_->async_fetch(std::move(req), sink, std::move(handler));
            return;
        }
        complete_with(get_executor(), attempts(std::move(req), sink), std::move(handler));
    }

    task<result> attempts(http::request req, http::body_sink* sink)
    {
        for (std::size_t tries = 1;; ++tries)
        {
            auto const proxy = rotation_.next(clock::now());
            req.meta()["proxy"] = proxy;
            auto r = co_await fetch_once(*inner_, req, sink);
            if (r.first == condition::cancelled)
                co_return r;
            bool const unreachable = r.first == condition::network || r.first == condition::dns;
            auto const back_off = rotation_.report(proxy, unreachable, clock::now());
            if (back_off > clock::duration::zero() && log_)
                log_("proxy " + http::redact_credentials(proxy) +
                     " could not be reached; the next attempts avoid it for " + describe_duration(back_off));
            if (!unreachable || tries >= rotation_.size())
                co_return r;
        }
    }

    proxy_rotation rotation_;
    log_fn log_;
};

// Sends the requests whose meta "render" is `routed` (true: render them; false: never render
// them, as robots.txt) to the fetcher named `other_name`, made on the first such request; the
// rest go to the inner fetcher.
class render_routing_fetcher final : public wrapper
{
public:
    render_routing_fetcher(std::unique_ptr<http::fetcher> inner, bool routed, std::string other_name,
                           http::fetch_options opts)
        : wrapper(std::move(inner)), routed_(routed), other_name_(std::move(other_name)), opts_(std::move(opts))
    {
    }
    void shutdown() override
    {
        inner_->shutdown();
        if (other_)
            other_->shutdown();
    }

private:
    bool routes(http::request const& req) const
    {
        auto const* meta = req.meta_if();
        if (!meta || !meta->is_object())
            return false;
        auto it = meta->find("render");
        return it != meta->end() && it->is_boolean() && it->get<bool>() == routed_;
    }

    void async_fetch_impl(http::request req, http::body_sink* sink,
                          asio::any_completion_handler<signature> handler) override
    {
        if (!routes(req))
        {
            inner_->async_fetch(std::move(req), sink, std::move(handler));
            return;
        }
        if (!other_)
        {
            try
            {
                other_ = http::make_fetcher(other_name_, get_executor(), opts_);
            }
            catch (std::exception const& e) // not linked in or not loaded: fail this request, not the crawl
            {
                http::response res;
                res.url = req.url();
                res.error_detail = std::string("meta \"render\": ") + e.what();
                asio::post(get_executor(), [h = std::move(handler), res = std::move(res)]() mutable
                           { std::move(h)(make_error_code(weft::error::fetcher_unavailable), std::move(res)); });
                return;
            }
        }
        other_->async_fetch(std::move(req), sink, std::move(handler));
    }

    bool routed_;
    std::string other_name_;
    http::fetch_options opts_;
    std::unique_ptr<http::fetcher> other_;
};

// settings::render_block as the meta "block" of every request that names none (HTTP fetchers
// ignore it; a renderer aborts those resource types).
class render_block_fetcher final : public wrapper
{
public:
    render_block_fetcher(std::unique_ptr<http::fetcher> inner, std::vector<std::string> types)
        : wrapper(std::move(inner)), types_(std::move(types))
    {
    }

private:
    void async_fetch_impl(http::request req, http::body_sink* sink,
                          asio::any_completion_handler<signature> handler) override
    {
        auto& meta = req.meta();
        if (meta.is_null() || (meta.is_object() && !meta.contains("block")))
            meta["block"] = types_;
        inner_->async_fetch(std::move(req), sink, std::move(handler));
    }

    std::vector<std::string> types_;
};

} // namespace

http::fetch_options fetch_options_for(settings const& s)
{
    http::fetch_options o;
    o.follow_redirects = false; // the redirect middleware follows, through the scheduler
    o.timeouts.total = s.timeout;
    o.user_agent = s.user_agent;
    o.proxy = s.proxies.empty() ? std::string() : s.proxies.front();
    o.max_connections_per_host = std::max<std::size_t>(s.per_host, 1);
    o.max_connections = std::max<std::size_t>(s.concurrency * 2, 16);
    o.limits.max_body_size = s.max_body_size;
    o.verify_tls = s.verify_tls;
    // The body a spider sees is the decoded one: max_body_size bounds it too, or one gzip bomb
    // (1000:1) of max_body_size on the wire would take a thousand times that in memory.
    o.limits.max_decompressed_size = s.max_body_size;
    return o;
}

std::unique_ptr<http::fetcher> make_fetcher_stack(executor ex, settings const& s, std::unique_ptr<http::fetcher> base,
                                                  log_fn log)
{
    auto const opts = fetch_options_for(s);
    if (!s.replay_warc.empty()) // no network at all: the archive answers every fetch
        return make_replay_fetcher(ex, opts, s, std::move(log));
    if (!base)
        base = http::make_fetcher(s.fetcher.empty() ? http::default_fetcher_name() : s.fetcher, ex, opts);
    // A rendering fetcher renders through the first proxy only (settings::proxies).
    bool const renders = base->name() == s.render_fetcher;
    if (s.proxies.size() > 1 && !renders)
        base = std::make_unique<proxy_failover_fetcher>(std::move(base), s.proxies, log);
    if (!renders && !s.render_fetcher.empty())
        base = std::make_unique<render_routing_fetcher>(std::move(base), true, s.render_fetcher, opts);
    // What must not be rendered (robots.txt: meta "render" false) goes over plain HTTP, with the
    // crawl's options and first proxy.
    if (renders)
        base = std::make_unique<render_routing_fetcher>(std::move(base), false, http::default_fetcher_name(), opts);
    if (!s.render_block.empty())
        base = std::make_unique<render_block_fetcher>(std::move(base), s.render_block);
    if (!s.record_warc.empty()) // outermost: it sees each fetch once, as the engine asked for it
        base = make_recording_fetcher(std::move(base), s, std::move(log));
    return base;
}

} // namespace weft::engine::detail
