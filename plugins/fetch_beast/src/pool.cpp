// The Beast fetcher's connection pool: idle connections per (scheme, host, port), a cap on open
// ones per host and in all, and the transfers waiting for a slot, woken in arrival order.
#include "transfer.hpp"

namespace weft::http
{

using beast_detail::connection;
using beast_detail::max_idle_age;
using beast_detail::steady;
using beast_detail::transfer;
namespace ssl = boost::asio::ssl;

beast_fetcher::impl::impl(executor e, fetch_options const& o) : ex(std::move(e)), opts(o)
{
    try
    {
        tls_ctx.emplace(ssl::context::tls_client);
        tls_ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                             ssl::context::no_compression);
        if (opts.verify_tls)
        {
            tls_ctx->set_verify_mode(ssl::verify_peer);
            tls_ctx->set_default_verify_paths();
            if (!opts.ca_file.empty())
                tls_ctx->load_verify_file(opts.ca_file);
        }
        else
            tls_ctx->set_verify_mode(ssl::verify_none);
    }
    catch (system_error const& e)
    {
        // Reported by every https fetch, so the fetcher still serves http.
        tls_ctx.reset();
        tls_error = "cannot set up TLS (ca_file \"" + opts.ca_file + "\"): " + e.what();
    }
}

std::shared_ptr<connection> beast_fetcher::impl::take_idle(std::string const& key)
{
    auto it = hosts.find(key);
    if (it == hosts.end())
        return nullptr;
    auto& list = it->second.idle;
    while (!list.empty())
    {
        auto c = std::move(list.back());
        list.pop_back();
        --idle;
        if (c->looks_reusable() && steady::now() - c->idle_since < max_idle_age)
            return c;
        drop(*c);
    }
    return nullptr;
}

bool beast_fetcher::impl::reserve(std::string const& key)
{
    auto const per_host = std::max<std::size_t>(1, opts.max_connections_per_host);
    auto const total = std::max<std::size_t>(1, opts.max_connections);
    auto& h = hosts[key];
    auto evict_from = [this](host& from)
    {
        auto c = std::move(from.idle.front()); // the least recently used
        from.idle.erase(from.idle.begin());
        --idle;
        drop(*c);
    };
    if (h.open >= per_host && !h.idle.empty())
        evict_from(h);
    if (open >= total)
    {
        for (auto& [k, other] : hosts)
        {
            if (!other.idle.empty())
            {
                evict_from(other);
                break;
            }
        }
    }
    if (h.open >= per_host || open >= total)
        return false;
    ++h.open;
    ++open;
    return true;
}

void beast_fetcher::impl::drop(connection& c)
{
    c.close();
    auto& h = hosts[c.key];
    --h.open;
    --open;
}

void beast_fetcher::impl::release(std::shared_ptr<connection> c, bool reusable)
{
    if (reusable && c->connected && c->tcp().socket().is_open())
    {
        c->tcp().expires_never();
        c->idle_since = steady::now();
        hosts[c->key].idle.push_back(std::move(c));
        ++idle;
    }
    else
        drop(*c);
    wake_waiters();
}

void beast_fetcher::impl::wake_waiters()
{
    for (auto* t : waiters)
        t->wake();
}

void beast_fetcher::impl::shutdown()
{
    std::vector<transfer*> const running(active.begin(), active.end());
    for (auto* t : running)
        t->abort(asio::error::operation_aborted, "the fetcher was shut down");
    for (auto& [key, h] : hosts)
    {
        for (auto& c : h.idle)
            drop(*c);
        idle -= h.idle.size();
        h.idle.clear();
    }
}

} // namespace weft::http
