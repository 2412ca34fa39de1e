#include "state/local_state.hpp"

#include <weft/state/job_state.hpp>
#include <weft/state/memory_state.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <unistd.h>

namespace weft::state
{

namespace
{

// Tokens are reserved in blocks: the ceiling is committed before a token under it is handed
// out, so after a crash the next run starts above every token the dead one could have used.
constexpr lease_token token_block = 1u << 16;

std::atomic<unsigned> scratch_counter{0};

milliseconds until(std::chrono::steady_clock::time_point t, std::chrono::steady_clock::time_point now)
{
    return std::max(milliseconds(0), std::chrono::ceil<milliseconds>(t - now));
}

} // namespace

request_codec request_codec::plain()
{
    return {[](weft::request const& r) { return r.to_json(); },
            [](nlohmann::json const& j) { return weft::request::from_json(j); }};
}

nlohmann::json to_json(host_stats const& h)
{
    nlohmann::json e{{"host", h.host},
                     {"pending", h.pending},
                     {"in_flight", h.in_flight},
                     {"concurrency", h.concurrency},
                     {"delay_ms", h.delay.count()},
                     {"backoffs", h.backoffs}};
    if (h.backoff_for)
        e["backoff_ms"] = h.backoff_for->count();
    return e;
}

task<std::vector<kept_item>> crawl_state::async_read_items(std::string, std::size_t)
{
    throw_error(weft::error::not_supported,
                fmt::format("the {} crawl state keeps no items (they went to the crawl's sinks)", name()));
    co_return std::vector<kept_item>{};
}

local_state::local_state(engine::settings const& s, std::unique_ptr<engine::job_store> store, bool persistent)
    : settings_(s), persistent_(persistent), store_(std::move(store)), frontier_(settings_, store_.get())
{
    if (persistent_)
        load();
}

local_state::~local_state() = default;

// A job directory's earlier run: its seen-set, its requests (pending, delayed or leased then:
// all pending now), its counters and the next token block.
void local_state::load()
{
    store_->load_seen(seen_);
    auto pending = store_->load_pending(settings_.frontier_memory_limit);
    resumed_ = !pending.empty() || !store_->load_stats().is_null();
    for (auto& e : pending)
        frontier_.push(std::move(e));
    auto c = store_->get_meta("state_counters");
    if (c.is_object())
    {
        counters_.done = c.value("done", std::uint64_t{0});
        counters_.failed = c.value("failed", std::uint64_t{0});
        counters_.expired = c.value("expired", std::uint64_t{0});
        counters_.stale = c.value("stale", std::uint64_t{0});
    }
    auto ceiling = store_->get_meta("token_ceiling");
    next_token_ = ceiling.is_number_unsigned() ? ceiling.get<lease_token>() : 1;
    token_ceiling_ = next_token_;
}

lease_token local_state::next_token()
{
    if (persistent_ && next_token_ >= token_ceiling_)
    {
        token_ceiling_ = next_token_ + token_block;
        store_->set_meta("token_ceiling", token_ceiling_);
        store_->commit();
    }
    return next_token_++;
}

std::vector<bool> local_state::add_now(std::vector<new_request>& requests)
{
    std::vector<bool> fresh;
    fresh.reserve(requests.size());
    for (auto& r : requests)
    {
        bool const is_new = seen_.insert(r.fp);
        if (!is_new && !r.req.dont_filter())
        {
            fresh.push_back(false);
            continue;
        }
        engine::frontier_entry e;
        e.host = std::move(r.host);
        if (persistent_)
            e.id = store_->add(r.req, r.fp, e.host);
        e.req = std::move(r.req);
        frontier_.push(std::move(e));
        fresh.push_back(true);
    }
    return fresh;
}

task<std::vector<bool>> local_state::async_add(std::vector<new_request> requests)
{
    co_return add_now(requests);
}

void local_state::expire_leases(clock::time_point now)
{
    while (!expiries_.empty() && expiries_.top().first <= now)
    {
        auto [at, token] = expiries_.top();
        expiries_.pop();
        auto it = leases_.find(token);
        if (it == leases_.end() || it->second->expires > now)
            continue; // completed, or extended (a later expiry entry stands for it)
        auto h = std::move(it->second);
        leases_.erase(it);
        settle(*h, nullptr, now);
        ended(*h);
        frontier_.push(std::move(h->entry));
        ++counters_.expired;
    }
}

task<lease_batch> local_state::async_lease(std::size_t n, milliseconds duration)
{
    auto const now = clock::now();
    expire_leases(now);
    lease_batch out;
    auto next = clock::time_point::max();
    while (out.leases.size() < n)
    {
        bool opens_robots = false;
        auto e = frontier_.pop(now, next, &opens_robots);
        if (!e)
            break;
        lease l;
        l.token = next_token();
        l.req = e->req;
        l.host = e->host;
        l.expires_in = duration;
        auto h = std::make_unique<held>(held{std::move(*e), now + duration});
        h->opens_robots = opens_robots;
        expiries_.emplace(h->expires, l.token);
        leases_.emplace(l.token, std::move(h));
        out.leases.push_back(std::move(l));
    }
    if (!expiries_.empty())
        next = std::min(next, expiries_.top().first);
    if (out.leases.size() < n && next != clock::time_point::max())
        out.next_in = until(next, now);
    co_return out;
}

std::unique_ptr<local_state::held> local_state::take(lease_token token)
{
    auto it = leases_.find(token);
    if (it == leases_.end())
    {
        ++counters_.stale;
        return nullptr;
    }
    auto h = std::move(it->second);
    leases_.erase(it);
    ended(*h);
    return h;
}

void local_state::finish_row(std::int64_t id)
{
    if (persistent_ && id > 0)
        store_->remove(id);
}

task<commit_result> local_state::async_complete(lease_token token, completion c)
{
    auto h = take(token);
    if (!h)
        co_return commit_result::stale;
    settle(*h, &c.outcome, clock::now());
    add_now(c.discovered);
    ++(c.state == final_state::done ? counters_.done : counters_.failed);
    // Deferred: job.db keeps the request's row, so the next run of the job fetches it again.
    auto const id = c.state == final_state::deferred ? std::int64_t{0} : h->entry.id;
    if (c.items.empty() || !consumer_)
    {
        finish_row(id);
        co_return commit_result::accepted;
    }
    // Final only once the sinks made the items durable (end_batch): until then a crash fetches
    // the request again and the journal cuts the outputs back to before its items.
    std::function<void()> durable;
    if (persistent_ && id > 0)
        durable = [this, id] { durable_rows_.push_back(id); };
    co_await consumer_->async_consume(std::move(c.items), std::move(durable));
    co_return commit_result::accepted;
}

task<commit_result> local_state::async_retry(lease_token token, weft::request req, milliseconds not_before,
                                             fetch_outcome outcome)
{
    auto h = take(token);
    if (!h)
        co_return commit_result::stale;
    auto const now = clock::now();
    settle(*h, &outcome, now);
    h->entry.req = std::move(req);
    if (persistent_ && h->entry.id > 0)
        store_->update(h->entry.id, h->entry.req);
    frontier_.push_at(std::move(h->entry), now + not_before);
    co_return commit_result::accepted;
}

task<std::vector<bool>> local_state::async_extend(std::vector<lease_token> tokens, milliseconds duration)
{
    auto const now = clock::now();
    expire_leases(now);
    std::vector<bool> out;
    out.reserve(tokens.size());
    for (auto t : tokens)
    {
        auto it = leases_.find(t);
        if (it == leases_.end())
        {
            ++counters_.stale;
            out.push_back(false);
            continue;
        }
        it->second->expires = now + duration;
        expiries_.emplace(it->second->expires, t);
        out.push_back(true);
    }
    co_return out;
}

task<void> local_state::async_release(std::vector<lease_token> tokens)
{
    for (auto t : tokens)
    {
        auto it = leases_.find(t);
        if (it == leases_.end())
            continue;
        auto h = std::move(it->second);
        leases_.erase(it);
        settle(*h, nullptr, clock::now());
        ended(*h);
        frontier_.push(std::move(h->entry));
    }
    co_return;
}

void local_state::settle(held& h, fetch_outcome const* o, clock::time_point now)
{
    if (h.fetched)
        return;
    h.fetched = true;
    if (o)
        frontier_.done(h.entry.host, *o, now);
    else
        frontier_.abandon(h.entry.host);
}

void local_state::ended(held const& h)
{
    if (h.opens_robots) // one lookup per opening lease, none for the others
        frontier_.slot(h.entry.host).robots_abandoned();
}

task<void> local_state::async_fetched(lease_token token, fetch_outcome outcome)
{
    if (auto it = leases_.find(token); it != leases_.end())
        settle(*it->second, &outcome, clock::now());
    co_return;
}

task<bool> local_state::async_finished()
{
    co_return leases_.empty() && frontier_.empty();
}

task<void> local_state::async_set_min_delay(std::string host, milliseconds delay)
{
    frontier_.slot(host).set_min_delay(delay, clock::now());
    co_return;
}

task<void> local_state::async_back_off(std::string host, milliseconds d)
{
    frontier_.slot(host).back_off(d, clock::now());
    co_return;
}

task<robots_answer> local_state::async_robots(std::string origin, milliseconds claim)
{
    auto const now = clock::now();
    auto& r = robots_[origin];
    robots_answer a;
    if (r.file && now < r.fresh_until)
    {
        a.file = r.file;
        a.fresh_for = until(r.fresh_until, now);
    }
    else if (now < r.claimed_until)
        a.ask_again = std::min(until(r.claimed_until, now), milliseconds(100));
    else
    {
        r.claimed_until = now + claim;
        a.fetch = true;
    }
    co_return a;
}

task<void> local_state::async_store_robots(std::string origin, std::string host, robots_file file, milliseconds ttl)
{
    auto const now = clock::now();
    auto& r = robots_[origin];
    r.file = std::move(file);
    r.fresh_until = now + ttl;
    r.claimed_until = {};
    frontier_.slot(host).robots_stored();
    co_return;
}

task<void> local_state::async_release_robots(std::string origin)
{
    if (auto it = robots_.find(origin); it != robots_.end())
        it->second.claimed_until = {};
    co_return;
}

task<counters> local_state::async_counters()
{
    auto c = counters_;
    c.pending = frontier_.pending();
    c.delayed = frontier_.delayed();
    c.leased = leases_.size();
    c.seen = seen_.size();
    co_return c;
}

task<std::vector<host_stats>> local_state::async_busiest_hosts(std::size_t n)
{
    co_return frontier_.busiest_hosts(n, clock::now());
}

void local_state::save_counters()
{
    store_->set_meta("state_counters", nlohmann::json{{"done", counters_.done},
                                                      {"failed", counters_.failed},
                                                      {"expired", counters_.expired},
                                                      {"stale", counters_.stale}});
}

task<void> local_state::async_flush()
{
    if (persistent_)
    {
        save_counters();
        store_->commit();
    }
    co_return;
}

bool local_state::attach_item_consumer(item_consumer* consumer)
{
    consumer_ = consumer;
    return true;
}

nlohmann::json local_state::open_batch()
{
    return store_->get_meta("open_batch");
}

void local_state::begin_batch(nlohmann::json const& sink_sizes)
{
    store_->set_meta("open_batch", sink_sizes);
    store_->commit();
}

void local_state::end_batch(nlohmann::json const& stats)
{
    for (auto id : durable_rows_)
        finish_row(id);
    durable_rows_.clear();
    store_->set_meta("open_batch", nullptr);
    store_->save_stats(stats);
    save_counters();
    store_->commit();
}

nlohmann::json local_state::saved_stats()
{
    return store_->load_stats();
}

std::unique_ptr<crawl_state> make_memory_state(engine::settings const& s, request_codec codec)
{
    auto const dir = std::filesystem::temp_directory_path();
    detail::remove_stale_spills(dir); // left by crawls killed with kill -9
    auto path = dir / fmt::format("weft-frontier-{}-{}.db", ::getpid(), scratch_counter++);
    detail::track_spill(path); // a second Ctrl-C exits at once: it still removes the file
    auto store = std::make_unique<engine::job_store>(path, false, std::move(codec.to_json), std::move(codec.from_json));
    return std::make_unique<local_state>(s, std::move(store), false);
}

std::unique_ptr<crawl_state> open_job_state(std::filesystem::path const& dir, engine::settings const& s,
                                            request_codec codec)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw system_error(ec, "cannot create job directory '" + dir.string() + "': " + ec.message() +
                                   " (pass a writable --job-dir)");
    auto lock = std::make_unique<detail::job_lock>(dir); // before job.db is touched
    auto store = std::make_unique<engine::job_store>(dir / "job.db", true, std::move(codec.to_json),
                                                     std::move(codec.from_json));
    auto st = std::make_unique<local_state>(s, std::move(store), true);
    st->lock = std::move(lock);
    return st;
}

} // namespace weft::state
