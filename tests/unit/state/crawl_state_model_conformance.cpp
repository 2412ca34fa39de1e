// crawl_state against a reference model: seeded random sequences of adds (with duplicates and
// dont_filter), leases, completions, failures, retries, releases and extensions, with current
// and stale tokens, checked after every step. Leases are long so nothing expires: the run is
// deterministic for a seed (printed on failure).
//
// Where the contract leaves an order open the model accepts any order it allows: a released or
// retried request may keep its first place among its priority or take a new one, so its place
// is an interval [lo, hi]; a lease batch is checked against the partial order "higher priority,
// or same priority and surely queued earlier" rather than against one expected list.
#include "unit/state/state_driver.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace weft::test;
using weft::state::final_state;

namespace
{

constexpr std::uint64_t not_yet = std::numeric_limits<std::uint64_t>::max();

/// A queued or leased request as the model knows it.
struct queued
{
    int id = 0; ///< meta "id": tells two queued copies of one URL apart (dont_filter)
    std::string url;
    std::string host;
    int priority = 0;
    int attempts = 0;
    std::uint64_t lo = 0; ///< its place among its priority is in [lo, hi]
    std::uint64_t hi = 0; ///< not_yet: a retry no lease has taken in yet
    bool fetched = false; ///< leased, and async_fetched freed its host's place
};

/// `a` must be leased before `b`.
bool precedes(queued const& a, queued const& b)
{
    return a.priority > b.priority || (a.priority == b.priority && a.hi < b.lo);
}

int id_of(weft::request const& r)
{
    auto const* m = r.meta_if();
    return m && m->contains("id") ? m->at("id").get<int>() : -1;
}

class model
{
public:
    explicit model(std::size_t per_host) : per_host_(per_host) {}

    /// Which of `rs` are new; queues them.
    std::vector<bool> add(std::vector<new_request> const& rs)
    {
        std::vector<bool> out;
        for (auto const& r : rs)
        {
            bool const fresh = r.req.dont_filter() || seen_.insert(r.req.url()).second;
            out.push_back(fresh);
            if (fresh)
            {
                auto const t = ++clock_;
                pending_.push_back({id_of(r.req), r.req.url(), r.host, r.req.priority(), r.req.attempts(), t, t});
            }
        }
        return out;
    }

    /// Checks `b`, the answer to lease(n), and takes it in: "" or what is wrong with it.
    std::string lease(std::size_t n, lease_batch const& b)
    {
        auto const now = ++clock_;
        for (auto& q : pending_)
            if (q.hi == not_yet)
                q.hi = now; // a due retry is queued by the time a lease looks
        std::ostringstream why;
        if (b.leases.size() > n)
            why << "returned " << b.leases.size() << " leases for n = " << n << "; ";
        std::vector<std::size_t> chosen; // indexes into pending_, in the order returned
        std::map<std::string, std::size_t> taken = in_flight_;
        for (auto const& l : b.leases)
        {
            if (l.token == 0 || l.token <= last_token_)
                why << "token " << l.token << " is not above " << last_token_ << "; ";
            last_token_ = std::max(last_token_, l.token);
            auto const i = find_pending(id_of(l.req));
            if (i == pending_.size() || std::find(chosen.begin(), chosen.end(), i) != chosen.end())
            {
                why << "leased " << l.req.url() << " (id " << id_of(l.req) << "), which is not pending; ";
                continue;
            }
            auto const& q = pending_[i];
            if (l.req.url() != q.url || l.host != q.host || l.req.priority() != q.priority ||
                l.req.attempts() != q.attempts)
                why << "lease of id " << q.id << " is " << l.req.url() << " p" << l.req.priority() << " a"
                    << l.req.attempts() << " on " << l.host << ", queued as " << q.url << " p" << q.priority << " a"
                    << q.attempts << "; ";
            if (++taken[q.host] > per_host_)
                why << "more than " << per_host_ << " in flight on " << q.host << "; ";
            for (auto const j : chosen)
                if (precedes(q, pending_[j]))
                    why << q.url << " (p" << q.priority << ") came after " << pending_[j].url << " (p"
                        << pending_[j].priority << "); ";
            chosen.push_back(i);
        }
        check_skipped(n, chosen, taken, why);
        if (b.leases.size() < n && !quiet_for(b, std::chrono::minutes(30)))
            why << "next_in " << b.next_in->count() << " ms with no delay to wait for and leases of an hour; ";
        take(b);
        return why.str();
    }

    bool current(lease_token t) const { return leased_.count(t) != 0; }
    bool fetched(lease_token t) const { return leased_.at(t).fetched; }

    /// async_fetched: the host's place frees now, not when the lease ends.
    void fetch_over(lease_token t)
    {
        auto& q = leased_.at(t);
        if (!q.fetched)
            --in_flight_[q.host];
        q.fetched = true;
    }

    void complete(lease_token t, completion const& c)
    {
        end(t);
        (c.state == final_state::done ? done_ : failed_) += 1;
        for (auto const& i : c.items)
            items.push_back(i.get<std::string>("v"));
        add(c.discovered);
    }

    /// The replacement goes one priority lower with one more attempt; due at once.
    void retry(lease_token t)
    {
        auto q = end(t);
        q.priority -= 1;
        q.attempts += 1;
        q.hi = not_yet;
        pending_.push_back(q);
    }

    void release(lease_token t)
    {
        if (!current(t))
        {
            ++stale_slack_; // whether a stale release counts as stale is the backend's choice
            return;
        }
        auto q = end(t);
        q.hi = ++clock_;
        pending_.push_back(q);
    }

    void refused(std::size_t n = 1) { stale_ += n; }
    bool finished() const { return pending_.empty() && leased_.empty(); }
    std::vector<lease_token> const& dead() const { return dead_; }
    std::vector<lease_token> current_tokens() const
    {
        std::vector<lease_token> out;
        for (auto const& [t, q] : leased_)
            out.push_back(t);
        return out;
    }

    std::string check(weft::state::counters const& c) const
    {
        std::ostringstream why;
        if (c.pending + c.delayed != pending_.size())
            why << "pending + delayed " << c.pending << " + " << c.delayed << ", expected " << pending_.size() << "; ";
        if (c.leased != leased_.size())
            why << "leased " << c.leased << ", expected " << leased_.size() << "; ";
        if (c.done != done_ || c.failed != failed_)
            why << "done/failed " << c.done << "/" << c.failed << ", expected " << done_ << "/" << failed_ << "; ";
        if (c.seen != seen_.size())
            why << "seen " << c.seen << ", expected " << seen_.size() << "; ";
        if (c.stale < stale_ || c.stale > stale_ + stale_slack_)
            why << "stale " << c.stale << ", expected " << stale_ << " (+ up to " << stale_slack_
                << " stale releases); ";
        if (c.expired != 0)
            why << "expired " << c.expired << " with leases of an hour; ";
        return why.str();
    }

    std::vector<std::string> items; ///< what the item consumer must have been handed, in order

private:
    std::size_t find_pending(int id) const
    {
        for (std::size_t i = 0; i < pending_.size(); ++i)
            if (pending_[i].id == id)
                return i;
        return pending_.size();
    }

    /// Every request not leased must have had a reason: the batch was full and it comes later,
    /// or its host was full and it comes after the host's leased ones.
    void check_skipped(std::size_t n, std::vector<std::size_t> const& chosen,
                       std::map<std::string, std::size_t> const& taken, std::ostringstream& why) const
    {
        for (std::size_t i = 0; i < pending_.size(); ++i)
        {
            if (std::find(chosen.begin(), chosen.end(), i) != chosen.end())
                continue;
            auto const& u = pending_[i];
            auto const host_taken = taken.count(u.host) ? taken.at(u.host) : 0;
            bool const host_full = host_taken >= per_host_;
            if (!host_full && chosen.size() < n)
            {
                why << u.url << " (p" << u.priority << ") was startable (" << host_taken << " in flight on its host)"
                    << " but not leased; ";
                continue;
            }
            for (auto const j : chosen)
                if ((!host_full || pending_[j].host == u.host) && precedes(u, pending_[j]))
                {
                    why << pending_[j].url << " (p" << pending_[j].priority << ") was leased before " << u.url
                        << " (p" << u.priority << ", " << host_taken << " in flight on its host); ";
                    break;
                }
        }
    }

    void take(lease_batch const& b)
    {
        for (auto const& l : b.leases)
        {
            auto const i = find_pending(id_of(l.req));
            if (i == pending_.size())
                continue;
            ++in_flight_[pending_[i].host];
            leased_[l.token] = pending_[i];
            pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
        }
    }

    queued end(lease_token t)
    {
        auto q = leased_.at(t);
        leased_.erase(t);
        if (!q.fetched)
            --in_flight_[q.host];
        q.fetched = false;
        dead_.push_back(t);
        return q;
    }

    std::size_t per_host_;
    std::uint64_t clock_ = 0;
    std::vector<queued> pending_;
    std::map<lease_token, queued> leased_;
    std::map<std::string, std::size_t> in_flight_;
    std::set<std::string> seen_; // fingerprints are of URLs here
    std::vector<lease_token> dead_;
    lease_token last_token_ = 0;
    std::uint64_t done_ = 0, failed_ = 0, stale_ = 0, stale_slack_ = 0;
};

/// Random operations on `st`, each checked against the model.
class random_run
{
public:
    /// `rec` outlives `st` (the state keeps a pointer to it).
    random_run(sync_state& st, recording_consumer& rec, std::uint32_t seed, std::size_t per_host)
        : st_(st), rec_(rec), rng_(seed), model_(per_host)
    {
        takes_items_ = st_->attach_item_consumer(&rec_);
    }

    void step()
    {
        auto const op = pick(0, 99);
        if (op < 30)
            add();
        else if (op < 55)
            lease();
        else if (op < 70)
            complete(current_or_dead(true));
        else if (op < 75)
            complete(current_or_dead(false));
        else if (op < 82)
            retry(current_or_dead(pick(0, 3) != 0));
        else if (op < 88)
            release();
        else if (op < 94)
            extend();
        else
            fetched(current_or_dead(pick(0, 3) != 0));
        auto const why = model_.check(st_.counts());
        INFO("counters after operation " << op);
        REQUIRE(why == "");
        REQUIRE(st_.finished() == model_.finished());
        if (takes_items_)
            REQUIRE(values(rec_.items) == model_.items);
    }

private:
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

    new_request random_request()
    {
        auto const url = "http://h" + std::to_string(pick(0, 3)) + ".test/" + std::to_string(pick(0, 149));
        auto r = make_request(url, pick(-1, 2));
        r.req.meta("id", ++next_id_);
        return r;
    }

    void add()
    {
        std::vector<new_request> batch;
        for (int i = 0, n = pick(1, 6); i < n; ++i)
        {
            auto r = random_request();
            if (!batch.empty() && pick(0, 4) == 0)
            {
                r = batch[static_cast<std::size_t>(pick(0, static_cast<int>(batch.size()) - 1))]; // a duplicate
                r.req.meta("id", ++next_id_);
            }
            else if (!seen_urls_.empty() && pick(0, 6) == 0)
            {
                r = make_request(seen_urls_[static_cast<std::size_t>(pick(0, static_cast<int>(seen_urls_.size()) - 1))],
                                 pick(-1, 2));
                r.req.meta("id", ++next_id_).dont_filter(true);
            }
            seen_urls_.push_back(r.req.url());
            batch.push_back(std::move(r));
        }
        auto const expected = model_.add(batch);
        INFO("add of " << batch.size());
        REQUIRE(st_.add(std::move(batch)) == expected);
    }

    void lease()
    {
        auto const n = static_cast<std::size_t>(pick(1, 6));
        auto b = st_.lease(n, std::chrono::hours(1));
        for (auto const& l : b.leases)
            held_[l.token] = l.req;
        auto const why = model_.lease(n, b);
        INFO("lease of " << n << " returned " << b.leases.size());
        REQUIRE(why == "");
    }

    /// A token: a current one (if any) when `current`, else one that was current once (if any).
    std::optional<lease_token> current_or_dead(bool current)
    {
        auto const pool = current ? model_.current_tokens() : model_.dead();
        if (pool.empty())
            return std::nullopt;
        return pool[static_cast<std::size_t>(pick(0, static_cast<int>(pool.size()) - 1))];
    }

    void complete(std::optional<lease_token> t)
    {
        if (!t)
            return;
        completion c;
        c.state = pick(0, 3) == 0 ? final_state::failed : final_state::done;
        c.outcome = neutral_outcome();
        for (int i = 0, n = pick(0, 2); i < n; ++i)
            c.items.push_back(make_item("item " + std::to_string(++next_id_)));
        for (int i = 0, n = pick(0, 3); i < n; ++i)
            c.discovered.push_back(random_request());
        bool const current = model_.current(*t);
        if (current)
        {
            for (auto const& d : c.discovered)
                seen_urls_.push_back(d.req.url());
            model_.complete(*t, c);
        }
        else
            model_.refused();
        INFO("completion of token " << *t << (current ? " (current)" : " (stale)"));
        REQUIRE(st_.complete(*t, std::move(c)) == (current ? commit_result::accepted : commit_result::stale));
    }

    void retry(std::optional<lease_token> t)
    {
        if (!t)
            return;
        auto replacement = held_.at(*t);
        replacement.attempts(replacement.attempts() + 1).priority(replacement.priority() - 1);
        bool const current = model_.current(*t);
        if (current)
            model_.retry(*t);
        else
            model_.refused();
        INFO("retry of token " << *t << (current ? " (current)" : " (stale)"));
        REQUIRE(st_.retry(*t, std::move(replacement), std::chrono::milliseconds(0), neutral_outcome()) ==
                (current ? commit_result::accepted : commit_result::stale));
    }

    /// Once per current lease (a second call is not part of the contract); stale ones are ignored.
    void fetched(std::optional<lease_token> t)
    {
        if (!t || (model_.current(*t) && model_.fetched(*t)))
            return;
        if (model_.current(*t))
            model_.fetch_over(*t);
        st_.fetched(*t, neutral_outcome());
    }

    std::vector<lease_token> some_tokens()
    {
        std::set<lease_token> out;
        for (int i = 0, n = pick(1, 3); i < n; ++i)
            if (auto t = current_or_dead(pick(0, 2) != 0))
                out.insert(*t);
        return {out.begin(), out.end()};
    }

    void release()
    {
        auto const tokens = some_tokens();
        for (auto const t : tokens)
            model_.release(t);
        st_.release(tokens);
    }

    void extend()
    {
        auto const tokens = some_tokens();
        std::vector<bool> expected;
        for (auto const t : tokens)
        {
            expected.push_back(model_.current(t));
            if (!expected.back())
                model_.refused();
        }
        REQUIRE(st_.extend(tokens, std::chrono::hours(1)) == expected);
    }

    static std::vector<std::string> values(std::vector<weft::item> const& items)
    {
        std::vector<std::string> out;
        for (auto const& i : items)
            out.push_back(i.get<std::string>("v"));
        return out;
    }

    sync_state& st_;
    recording_consumer& rec_;
    std::mt19937 rng_;
    model model_;
    bool takes_items_ = false;
    int next_id_ = 0;
    std::vector<std::string> seen_urls_; // URLs offered so far (some refused): for dont_filter re-adds
    std::map<lease_token, weft::request> held_;
};

} // namespace

TEMPLATE_TEST_CASE("a crawl state behaves as the reference model under random operations", "[state][conformance]",
                   WEFT_STATE_BACKENDS)
{
    struct run_spec
    {
        std::uint32_t seed;
        std::size_t per_host;
    };
    for (auto const spec : {run_spec{1, 100'000}, run_spec{2, 100'000}, run_spec{3, 100'000}, run_spec{4, 2},
                            run_spec{5, 2}})
    {
        TestType b;
        recording_consumer rec;
        auto s = ordered_settings();
        s.per_host = spec.per_host;
        auto st = open_state(b, s);
        random_run run(st, rec, spec.seed, spec.per_host);
        CAPTURE(spec.seed, spec.per_host);
        for (int i = 0; i < 2500; ++i)
        {
            CAPTURE(i);
            run.step();
        }
    }
}
