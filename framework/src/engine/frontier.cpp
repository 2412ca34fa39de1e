#include <weft/engine/frontier.hpp>

#include <algorithm>
#include <map>

namespace weft::engine
{

frontier::frontier(settings const& s, frontier_store* store)
    : policy_(state::host_policy::from(s)), store_(store), memory_limit_(std::max<std::size_t>(1, s.frontier_memory_limit))
{
}

state::host_controller& frontier::slot(std::string const& host)
{
    auto it = slots_.find(host);
    if (it == slots_.end())
        it = slots_.emplace(host, state::host_controller(policy_)).first;
    return it->second;
}

void frontier::push(frontier_entry e)
{
    if (store_ && (in_memory_ >= memory_limit_ || store_->spilled() > 0))
    {
        store_->spill(e);
        if (spilled_top_known_ && (!spilled_top_ || e.req.priority() > *spilled_top_))
            spilled_top_ = e.req.priority();
        ++spilled_by_host_[e.host];
        ++spilled_counted_;
        return;
    }
    enqueue(std::move(e));
}

void frontier::push_at(frontier_entry e, clock::time_point at)
{
    delayed_.push(delayed_entry{at, seq_++, std::move(e)});
}

void frontier::enqueue(frontier_entry e)
{
    auto host = e.host;
    int const prio = e.req.priority();
    queues_[host].q.push(queued{prio, seq_++, std::move(e)});
    ++in_memory_;
    refresh_head(host);
}

void frontier::refresh_head(std::string const& host)
{
    if (auto it = head_of_.find(host); it != head_of_.end())
    {
        heads_.erase(it->second);
        head_of_.erase(it);
    }
    auto q = queues_.find(host);
    if (q == queues_.end())
        return;
    if (q->second.q.empty())
    {
        queues_.erase(q);
        return;
    }
    auto const& top = q->second.q.top();
    head_key key{-top.priority, top.seq, host};
    heads_.insert(key);
    head_of_.emplace(host, std::move(key));
}

void frontier::refill()
{
    if (!store_ || in_memory_ > memory_limit_ / 2 || store_->spilled() == 0)
        return;
    spilled_top_known_ = false;
    for (auto& e : store_->unspill(std::max<std::size_t>(1, memory_limit_ - in_memory_)))
    {
        forget_spilled(e.host, 1);
        enqueue(std::move(e));
    }
}

void frontier::promote_spilled()
{
    if (!store_ || store_->spilled() == 0)
        return;
    if (!spilled_top_known_)
    {
        spilled_top_ = store_->top_spilled_priority();
        spilled_top_known_ = true;
    }
    auto const top = spilled_top_;
    if (!top)
        return;
    if (!heads_.empty() && -std::get<0>(*heads_.begin()) >= *top)
        return;
    // A few at a time: the rest stay spilled until they outrank memory again.
    std::size_t const batch = std::clamp<std::size_t>(memory_limit_ / 4, 1, 256);
    spilled_top_known_ = false;
    for (auto& e : store_->unspill(batch))
    {
        forget_spilled(e.host, 1);
        enqueue(std::move(e));
    }
}

void frontier::forget_spilled(std::string const& host, std::size_t n)
{
    if (auto it = spilled_by_host_.find(host); it != spilled_by_host_.end())
    {
        n = std::min(n, it->second);
        it->second -= n;
        spilled_counted_ -= n;
        if (it->second == 0)
            spilled_by_host_.erase(it);
    }
}

bool frontier::unspill_idle_hosts()
{
    if (!store_ || store_->spilled() == 0)
        return false;
    if (spilled_counted_ != store_->spilled()) // a resumed job's spilled rows, or drift
    {
        spilled_by_host_ = store_->spilled_hosts();
        spilled_counted_ = 0;
        for (auto const& [host, n] : spilled_by_host_)
            spilled_counted_ += n;
    }
    constexpr std::size_t per_host = 64;
    std::size_t const cap = memory_limit_ + std::max<std::size_t>(memory_limit_ / 4, per_host);
    std::vector<std::string> idle;
    for (auto const& [host, n] : spilled_by_host_)
        if (!queues_.contains(host) && !slot(host).blocked())
            idle.push_back(host);
    bool any = false;
    for (auto const& host : idle)
    {
        if (in_memory_ + per_host > cap)
            break;
        spilled_top_known_ = false;
        auto back = store_->unspill_host(host, per_host);
        forget_spilled(host, back.size());
        for (auto& e : back)
            enqueue(std::move(e));
        any = any || !back.empty();
    }
    return any;
}

std::optional<frontier_entry> frontier::pop(clock::time_point now, clock::time_point& next_ready, bool* opened)
{
    while (!delayed_.empty() && delayed_.top().at <= now)
    {
        auto d = std::move(const_cast<delayed_entry&>(delayed_.top()));
        delayed_.pop();
        enqueue(std::move(d.e));
    }
    refill();
    promote_spilled();
    if (auto e = pop_startable(now, next_ready, opened))
        return e;
    if (unspill_idle_hosts())
        return pop_startable(now, next_ready, opened);
    return std::nullopt;
}

std::optional<frontier_entry> frontier::pop_startable(clock::time_point now, clock::time_point& next_ready,
                                                      bool* opened)
{
    next_ready = delayed_.empty() ? clock::time_point::max() : delayed_.top().at;
    for (auto const& key : heads_)
    {
        auto const& host = std::get<2>(key);
        auto& s = slot(host);
        if (s.can_start(now))
        {
            auto& q = queues_[host].q;
            auto e = std::move(const_cast<queued&>(q.top()).e);
            q.pop();
            --in_memory_;
            std::string h = host; // `key` dies in refresh_head
            refresh_head(h);
            bool const opens = s.on_start(now);
            if (opened)
                *opened = opens;
            return e;
        }
        if (!s.blocked()) // a blocked host's delay is not when it may start
            next_ready = std::min(next_ready, s.ready_at());
    }
    return std::nullopt;
}

void frontier::done(std::string const& host, state::fetch_outcome const& o, clock::time_point now)
{
    slot(host).on_finish(o, now);
}

void frontier::abandon(std::string const& host)
{
    slot(host).on_abandon();
}

std::size_t frontier::pending() const
{
    return in_memory_ + (store_ ? store_->spilled() : 0);
}

std::vector<state::host_stats> frontier::busiest_hosts(std::size_t n, clock::time_point now)
{
    std::map<std::string, std::size_t> queued;
    for (auto const& [host, hq] : queues_)
        queued[host] += hq.q.size();
    for (auto const& [host, k] : spilled_by_host_)
        queued[host] += k;
    std::vector<state::host_stats> out;
    auto add = [&](std::string const& host, std::size_t pending)
    {
        auto st = slot(host).snapshot(now);
        st.host = host;
        st.pending = pending;
        out.push_back(std::move(st));
    };
    for (auto const& [host, k] : queued)
        add(host, k);
    for (auto const& [host, c] : slots_)
        if (c.in_flight() > 0 && !queued.contains(host))
            add(host, 0);
    auto busier = [](state::host_stats const& a, state::host_stats const& b)
    { return a.pending + a.in_flight != b.pending + b.in_flight ? a.pending + a.in_flight > b.pending + b.in_flight : a.host < b.host; };
    std::sort(out.begin(), out.end(), busier);
    if (out.size() > n)
        out.resize(n);
    return out;
}

std::size_t frontier::size() const
{
    return in_memory_ + delayed_.size() + (store_ ? store_->spilled() : 0);
}

} // namespace weft::engine
