#include "redis_state.hpp"

#include <weft/error.hpp>

#include <fmt/format.h>

#include <boost/asio/ip/host_name.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <unistd.h>

namespace weft::redis
{
namespace
{

using state::milliseconds;

constexpr std::size_t max_lease_batch = 64; // bounds one script's work (busy-reply-threshold)

std::string num(long long v)
{
    return std::to_string(v);
}

long long as_int(reply const& r)
{
    if (r.type == reply::kind::integer)
        return r.integer;
    if (r.type == reply::kind::string || r.type == reply::kind::status)
        return std::stoll(r.str);
    return 0;
}

void append_outcome(std::vector<std::string>& args, state::fetch_outcome const& o)
{
    args.push_back(o.fetched ? "1" : "0");
    args.push_back(num(o.latency.count()));
    args.push_back(num(o.status));
    args.push_back(num(o.retry_after ? o.retry_after->count() : -1));
}

std::string worker_id()
{
    static std::atomic<unsigned> made{0}; // two states of one process are two workers
    auto const start = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    auto const n = made++;
    if (n == 0)
        return fmt::format("{}:{}:{}", asio::ip::host_name(), ::getpid(), start);
    return fmt::format("{}:{}:{}.{}", asio::ip::host_name(), ::getpid(), start, n);
}

/// The settings a crawl's hosts are controlled by, as name/value pairs for the script's :cfg.
std::vector<std::string> politeness(engine::settings const& s)
{
    auto const& at = s.autothrottle;
    return {"per_host", num(static_cast<long long>(std::max<std::size_t>(1, s.per_host))),
            "delay",    num(s.delay.count()),
            "rand",     s.randomize_delay ? "1" : "0",
            "at",       at.enabled ? "1" : "0",
            "at_start", num(at.start_delay.count()),
            "at_max",   num(at.max_delay.count()),
            "at_target", fmt::format("{}", at.target_concurrency > 0 ? at.target_concurrency : 1.0),
            "adapt",    s.adaptive_concurrency ? "1" : "0",
            "bo_base",  num(s.backoff_base.count()),
            "bo_max",   num(s.retry_max_delay.count()),
            "robots",   s.obey_robots ? "1" : "0"};
}

} // namespace

void check_crawl_id(std::string_view id)
{
    bool ok = !id.empty() && id.size() <= 200;
    for (char c : id)
        ok = ok && c > ' ' && c < 127 && c != '{' && c != '}';
    if (!ok)
        throw std::invalid_argument(fmt::format(
            "--crawl-id '{}': give 1-200 printable characters without spaces or braces (e.g. docs-2026-12)", id));
}

task<std::unique_ptr<state::crawl_state>> redis_state::open(executor ex, state::backend_address where,
                                                            engine::settings const& s, state::request_codec codec)
{
    check_crawl_id(where.crawl_id);
    auto conn = std::make_shared<connection>(ex, address::parse(where.address));
    co_await conn->async_connect();
    auto st = std::make_unique<redis_state>(conn, where.crawl_id, std::move(codec), false);
    std::vector<std::string> args{where.configure ? "1" : "0"};
    if (where.configure)
        for (auto& a : politeness(s))
            args.push_back(std::move(a));
    auto r = co_await st->call("open", std::move(args));
    st->resumed_ = !r.elements.empty() && as_int(r.elements[0]) == 1;
    co_return st;
}

redis_state::redis_state(std::shared_ptr<connection> conn, std::string crawl_id, state::request_codec codec,
                         bool resumed)
    : conn_(std::move(conn)), crawl_id_(std::move(crawl_id)), key_("{" + crawl_id_ + "}"), worker_(worker_id()),
      codec_(std::move(codec)), resumed_(resumed)
{
}

task<reply> redis_state::call(char const* op, std::vector<std::string> args)
{
    args.insert(args.begin(), {op, worker_});
    std::vector<std::string> keys{key_};
    co_return co_await conn_->async_eval(crawl_state_script(), std::move(keys), std::move(args));
}

void redis_state::append_request(std::vector<std::string>& args, state::new_request const& r) const
{
    // The first 64 bits of the fingerprint: bucket = the top 16, member = the other 48.
    auto const fp = r.fp.hi;
    args.push_back(num(static_cast<long long>(fp >> 48)));
    args.push_back(num(static_cast<long long>(fp & 0xFFFF'FFFF'FFFFull)));
    args.push_back(r.req.dont_filter() ? "1" : "0");
    args.push_back(r.host);
    args.push_back(num(r.req.priority()));
    args.push_back(codec_.to_json(r.req).dump());
}

task<std::vector<bool>> redis_state::async_add(std::vector<state::new_request> requests)
{
    std::vector<bool> out;
    out.reserve(requests.size());
    constexpr std::size_t chunk = 512; // one script's work stays small
    for (std::size_t i = 0; i < requests.size(); i += chunk)
    {
        auto const end = std::min(requests.size(), i + chunk);
        std::vector<std::string> args{num(static_cast<long long>(end - i))};
        args.reserve(1 + 6 * (end - i));
        for (auto j = i; j < end; ++j)
            append_request(args, requests[j]);
        auto r = co_await call("add", std::move(args));
        for (auto const& e : r.elements)
            out.push_back(as_int(e) == 1);
    }
    co_return out;
}

task<state::lease_batch> redis_state::async_lease(std::size_t n, milliseconds duration)
{
    state::lease_batch out;
    while (out.leases.size() < n)
    {
        auto const ask = std::min(n - out.leases.size(), max_lease_batch);
        auto const seed = std::uniform_real_distribution<double>(0, 1)(rng_);
        auto r = co_await call("lease", {num(static_cast<long long>(ask)), num(duration.count()), fmt::format("{:.9f}", seed)});
        auto const& e = r.elements;
        if (e.empty())
            throw_error(weft::error::state_refused,
                        fmt::format("redis at {}: a malformed lease reply", conn_->where().redacted()));
        std::size_t got = 0;
        for (std::size_t i = 1; i + 2 < e.size(); i += 3, ++got)
        {
            state::lease l;
            l.token = static_cast<state::lease_token>(as_int(e[i]));
            l.host = e[i + 1].str;
            l.req = codec_.from_json(nlohmann::json::parse(e[i + 2].str));
            l.expires_in = duration;
            out.leases.push_back(std::move(l));
        }
        if (got < ask)
        {
            if (auto const next = as_int(e[0]); next >= 0)
                out.next_in = milliseconds(next);
            break;
        }
    }
    co_return out;
}

task<state::commit_result> redis_state::async_complete(state::lease_token token, state::completion c)
{
    std::vector<std::string> args{num(static_cast<long long>(token))};
    append_outcome(args, c.outcome);
    // deferred is failed here: a shared crawl has no "next run" to keep the request for.
    args.push_back(c.state == state::final_state::done ? "done" : "failed");
    args.push_back(num(static_cast<long long>(c.items.size())));
    for (auto const& i : c.items)
        args.push_back(i.value().dump());
    args.push_back(num(static_cast<long long>(c.discovered.size())));
    for (auto const& d : c.discovered)
        append_request(args, d);
    auto r = co_await call("complete", std::move(args));
    co_return r.str == "STALE" ? state::commit_result::stale : state::commit_result::accepted;
}

task<void> redis_state::async_fetched(state::lease_token token, state::fetch_outcome outcome)
{
    std::vector<std::string> args{num(static_cast<long long>(token))};
    append_outcome(args, outcome);
    co_await call("fetched", std::move(args));
}

task<state::commit_result> redis_state::async_retry(state::lease_token token, weft::request req,
                                                    milliseconds not_before, state::fetch_outcome outcome)
{
    std::vector<std::string> args{num(static_cast<long long>(token))};
    append_outcome(args, outcome);
    args.push_back(num(not_before.count()));
    args.push_back(num(req.priority()));
    args.push_back(codec_.to_json(req).dump());
    auto r = co_await call("retry", std::move(args));
    co_return r.str == "STALE" ? state::commit_result::stale : state::commit_result::accepted;
}

task<std::vector<bool>> redis_state::async_extend(std::vector<state::lease_token> tokens, milliseconds duration)
{
    std::vector<std::string> args{num(duration.count())};
    for (auto t : tokens)
        args.push_back(num(static_cast<long long>(t)));
    auto r = co_await call("extend", std::move(args));
    std::vector<bool> out;
    for (auto const& e : r.elements)
        out.push_back(as_int(e) == 1);
    co_return out;
}

task<void> redis_state::async_release(std::vector<state::lease_token> tokens)
{
    if (tokens.empty())
        co_return;
    std::vector<std::string> args;
    for (auto t : tokens)
        args.push_back(num(static_cast<long long>(t)));
    co_await call("release", std::move(args));
}

task<state::counters> redis_state::async_counters()
{
    auto r = co_await call("counters", {});
    auto const& e = r.elements;
    auto at = [&](std::size_t i) { return i < e.size() ? static_cast<std::uint64_t>(as_int(e[i])) : 0; };
    state::counters c;
    c.pending = at(0);
    c.leased = at(1);
    c.delayed = at(2);
    c.done = at(3);
    c.failed = at(4);
    c.expired = at(5);
    c.stale = at(6);
    c.seen = at(7);
    c.items = at(8);
    co_return c;
}

task<bool> redis_state::async_finished()
{
    auto r = co_await call("counters", {});
    co_return !r.elements.empty() && as_int(r.elements.back()) == 1;
}

task<void> redis_state::async_set_min_delay(std::string host, milliseconds delay)
{
    co_await call("set_min_delay", {std::move(host), num(delay.count())});
}

task<void> redis_state::async_back_off(std::string host, milliseconds d)
{
    co_await call("back_off", {std::move(host), num(d.count())});
}

task<std::vector<state::host_stats>> redis_state::async_busiest_hosts(std::size_t n)
{
    std::vector<state::host_stats> out;
    if (n == 0)
        co_return out;
    auto r = co_await call("busiest", {num(static_cast<long long>(n))});
    auto const& e = r.elements;
    for (std::size_t i = 0; i + 7 <= e.size(); i += 7)
    {
        state::host_stats h;
        h.host = e[i].str;
        h.pending = static_cast<std::size_t>(as_int(e[i + 1]));
        h.in_flight = static_cast<std::size_t>(as_int(e[i + 2]));
        h.concurrency = static_cast<std::size_t>(as_int(e[i + 3]));
        h.delay = milliseconds(as_int(e[i + 4]));
        h.backoffs = static_cast<std::uint64_t>(as_int(e[i + 5]));
        if (auto const left = as_int(e[i + 6]); left >= 0)
            h.backoff_for = milliseconds(left);
        out.push_back(std::move(h));
    }
    co_return out;
}

task<state::robots_answer> redis_state::async_robots(std::string origin, milliseconds claim)
{
    auto r = co_await call("robots", {std::move(origin), num(std::max<long long>(1, claim.count()))});
    state::robots_answer a;
    auto const& e = r.elements;
    auto const kind = e.empty() ? 2 : as_int(e[0]);
    if (kind == 1 && e.size() >= 3)
    {
        auto const& v = e[1].str;
        auto const nl = v.find('\n');
        state::robots_file f;
        f.status = std::stoi(v.substr(0, nl));
        f.body = nl == std::string::npos ? std::string() : v.substr(nl + 1);
        a.file = std::move(f);
        a.fresh_for = milliseconds(as_int(e[2]));
    }
    else if (kind == 3 && e.size() >= 2)
        a.ask_again = milliseconds(std::max<long long>(1, as_int(e[1])));
    else
        a.fetch = true;
    co_return a;
}

task<void> redis_state::async_store_robots(std::string origin, std::string host, state::robots_file file,
                                           milliseconds ttl)
{
    auto value = fmt::format("{}\n{}", file.status, file.body);
    co_await call("store_robots", {std::move(origin), std::move(host), std::move(value), num(ttl.count())});
}

task<void> redis_state::async_release_robots(std::string origin)
{
    co_await call("release_robots", {std::move(origin)});
}

task<std::vector<state::worker_info>> redis_state::async_workers()
{
    auto r = co_await call("workers", {});
    std::vector<state::worker_info> out;
    auto const& e = r.elements;
    for (std::size_t i = 0; i + 3 <= e.size(); i += 3)
        out.push_back({e[i].str, milliseconds(as_int(e[i + 1])), static_cast<std::uint64_t>(as_int(e[i + 2]))});
    co_return out;
}

task<std::vector<state::kept_item>> redis_state::async_read_items(std::string after, std::size_t n)
{
    std::vector<std::string> cmd{"XRANGE", key_ + ":items", after.empty() ? std::string("-") : "(" + after, "+",
                                 "COUNT", num(static_cast<long long>(std::max<std::size_t>(1, n)))};
    auto r = co_await conn_->async_command(std::move(cmd));
    if (r.is_error())
        throw_error(weft::error::state_refused,
                    fmt::format("redis at {}, crawl {}: reading items: {}", conn_->where().redacted(), crawl_id_, r.str));
    std::vector<state::kept_item> out;
    for (auto const& entry : r.elements)
    {
        if (entry.elements.size() < 2)
            continue;
        auto const& fields = entry.elements[1].elements;
        for (std::size_t i = 0; i + 1 < fields.size(); i += 2)
            if (fields[i].str == "v")
                out.push_back({entry.elements[0].str, weft::item(weft::item::json::parse(fields[i + 1].str))});
    }
    co_return out;
}

WEFT_REGISTER_STATE_BACKEND(redis, "redis", &redis_state::open);

} // namespace weft::redis
