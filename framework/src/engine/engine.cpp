#include <weft/engine/engine.hpp>

#include <weft/async/sleep.hpp>
#include <weft/async/task_group.hpp>
#include <weft/engine/fingerprint.hpp>
#include <weft/engine/frontier.hpp>
#include <weft/engine/progress.hpp>
#include <weft/engine/proxy_rotation.hpp>
#include <weft/engine/scheduler.hpp>
#include <weft/engine/seen_set.hpp>
#include <weft/http/fetcher_registry.hpp>
#include <weft/http/proxy.hpp>
#include <weft/middleware/builtin.hpp>
#include <weft/middleware/spider_middleware.hpp>

#include "engine/job_store.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <atomic>
#include <cstdio>
#include <optional>
#include <set>
#include <unistd.h>

namespace weft::engine
{

namespace
{

using clock = std::chrono::steady_clock;

std::string error_kind(error_code ec)
{
    static constexpr std::pair<condition, char const*> kinds[] = {
        {condition::timeout, "timeout"},
        {condition::cancelled, "cancelled"},
        {condition::dns, "dns"},
        {condition::tls, "tls"},
        {condition::network, "network"},
        {condition::limit, "limit"},
        {condition::policy, "policy"},
        {condition::client_error, "client_error"},
        {condition::server_error, "server_error"},
        {condition::parse, "parse"},
    };
    for (auto const& [c, name] : kinds)
        if (ec == c)
            return name;
    return ec.category().name();
}

bool is_abort(error_code ec)
{
    return ec == asio::error::operation_aborted || ec == condition::cancelled;
}

bool is_abort(std::exception_ptr e)
{
    try
    {
        std::rethrow_exception(e);
    }
    catch (boost::system::system_error const& se)
    {
        return is_abort(se.code());
    }
    catch (...)
    {
        return false;
    }
}

std::string describe(std::exception_ptr e)
{
    try
    {
        std::rethrow_exception(e);
    }
    catch (std::exception const& x)
    {
        return x.what();
    }
    catch (...)
    {
        return "unknown exception";
    }
}

task<void> prepare_response(response r, bool doc, bool links)
{
    r.prepare(doc, links);
    co_return;
}

std::atomic<unsigned> scratch_counter{0};

} // namespace

int crawl_result::exit_code(double max_error_ratio) const
{
    if (reason == "stopped")
        return 130;
    if (reason == "failed")
        return 1;
    auto outcomes = stats.responses + stats.errors;
    if (stats.errors > 0 && outcomes > 0 &&
        static_cast<double>(stats.errors) / static_cast<double>(outcomes) > max_error_ratio)
        return 1;
    return 0;
}

struct engine::impl final : crawl_context
{
    impl(executor e, weft::spider& sp, weft::engine::settings s)
        : ex(std::move(e)), spider_(sp), settings_(std::move(s)), group_(ex), aux_(ex), wake_(ex), writer_wake_(ex),
          stop_wait_(ex)
    {
    }

    // --- crawl_context ---
    weft::engine::settings const& settings() const override { return settings_; }
    weft::spider& spider() override { return spider_; }
    void count(std::string_view name, std::uint64_t n) override { stats_.add(name, n); }
    void set_host_delay(std::string const& host, std::chrono::milliseconds d) override
    {
        frontier_->slot(host).set_min_delay(d);
    }
    void back_off_host(std::string const& host, std::chrono::milliseconds d) override
    {
        frontier_->slot(host).backoff_until(clock::now() + d);
    }

    task<std::pair<error_code, http::response>> async_fetch_direct(http::request req) override
    {
        co_return co_await fetch(std::move(req));
    }

    // A fetch that stop() aborts (its request is then left in the job directory).
    task<std::pair<error_code, http::response>> fetch(http::request req)
    {
        if (stopping_)
            co_return std::pair{error_code(asio::error::operation_aborted), http::response{}};
        asio::cancellation_signal sig;
        fetch_signals_.insert(&sig);
        struct unregister
        {
            std::set<asio::cancellation_signal*>& s;
            asio::cancellation_signal* p;
            ~unregister() { s.erase(p); }
        } guard{fetch_signals_, &sig};
        http::fetcher* f = fetcher_.get();
        if (wants_render(req) && f->name() != "chromium")
        {
            try
            {
                f = &renderer();
            }
            catch (std::exception const& e) // not linked in: fail this request, not the crawl
            {
                http::response res;
                res.url = req.url();
                res.error_detail = std::string("meta \"render\": ") + e.what();
                co_return std::pair{make_error_code(weft::error::fetcher_unavailable), std::move(res)};
            }
        }
        auto attempt = [&](http::request r)
        {
            return f->async_fetch(std::move(r), nullptr,
                                  asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(asio::use_awaitable)));
        };
        // Chromium renders through the first proxy only; a request's own meta "proxy" stays.
        if (!proxies_ || f->name() == "chromium" || http::meta_proxy(req))
        {
            auto [ec, res] = co_await attempt(std::move(req));
            co_return std::pair{ec, std::move(res)};
        }
        // Several proxies: each attempt takes the next one, and one that cannot be reached is
        // failed over at once (robots.txt must not read "unreachable" because of a dead proxy).
        // The proxy is set on this copy only: the job directory keeps none.
        for (std::size_t tries = 1;; ++tries)
        {
            auto const proxy = proxies_->next(clock::now());
            req.meta()["proxy"] = proxy;
            auto [ec, res] = co_await attempt(req);
            if (ec == condition::cancelled)
                co_return std::pair{ec, std::move(res)};
            bool const unreachable = ec == condition::network || ec == condition::dns;
            if (auto const back_off = proxies_->report(proxy, unreachable, clock::now()); back_off > clock::duration::zero())
                log("proxy " + http::redact_credentials(proxy) + " could not be reached; the next attempts avoid it for " +
                    describe_duration(back_off));
            if (!unreachable || tries >= proxies_->size() || stopping_)
                co_return std::pair{ec, std::move(res)};
        }
    }

    static bool wants_render(http::request const& req)
    {
        auto const* meta = req.meta_if();
        if (!meta || !meta->is_object())
            return false;
        auto it = meta->find("render");
        return it != meta->end() && it->is_boolean() && it->get<bool>();
    }

    // The "chromium" fetcher beside the crawl's own, made on the first request marked render.
    http::fetcher& renderer()
    {
        if (!renderer_)
            renderer_ = http::make_fetcher("chromium", ex, fetch_options_);
        return *renderer_;
    }

    void notify() { wake_.cancel(); }

    void log(std::string const& msg)
    {
        if (log_)
            log_(msg);
    }

    // --- setup ---
    void setup()
    {
        spider_.attach(ex, &settings_);
        if (settings_.allowed_hosts.empty())
            settings_.allowed_hosts = spider_.allowed_hosts();
        if (!fetcher_)
        {
            http::fetch_options o;
            o.follow_redirects = false;
            o.timeouts.total = settings_.timeout;
            o.user_agent = settings_.user_agent;
            o.proxy = settings_.proxies.empty() ? std::string() : settings_.proxies.front();
            if (settings_.proxies.size() > 1)
                proxies_.emplace(settings_.proxies);
            o.max_connections_per_host = std::max<std::size_t>(settings_.per_host, 1);
            o.max_connections = std::max<std::size_t>(settings_.concurrency * 2, 16);
            o.limits.max_body_size = settings_.max_body_size;
            auto name = settings_.fetcher.empty() ? http::default_fetcher_name() : settings_.fetcher;
            fetcher_ = http::make_fetcher(name, ex, o);
            fetch_options_ = o;
        }
        auto to_json = [this](weft::request const& r)
        { return r.to_json([this](std::string const& key) { return spider_.callback_name(key); }); };
        auto from_json = [this](nlohmann::json const& j)
        {
            return weft::request::from_json(j,
                                            [this](weft::request& r, std::string const& cb, std::string const& eb)
                                            {
                                                if (auto f = spider_.find_callback(cb))
                                                    r.callback(std::move(f), cb);
                                                if (auto f = spider_.find_errback(eb))
                                                    r.errback(std::move(f), eb);
                                            });
        };
        persistent_ = !settings_.job_dir.empty();
        if (persistent_)
        {
            std::filesystem::create_directories(settings_.job_dir);
            store_ = std::make_unique<job_store>(settings_.job_dir / "job.db", true, to_json, from_json);
            store_->load_seen(seen_);
            auto saved = store_->load_stats();
            if (!saved.is_null())
            {
                resumed_ = true;
                stats_.merge_from(saved);
            }
            recover_open_batch();
        }
        else
        {
            auto path = std::filesystem::temp_directory_path() /
                        fmt::format("weft-frontier-{}-{}.db", ::getpid(), scratch_counter++);
            store_ = std::make_unique<job_store>(path, false, to_json, from_json);
        }
        frontier_ = std::make_unique<frontier>(settings_, store_.get());
        scheduler_ = std::make_unique<scheduler>(settings_, seen_, *frontier_, stats_);
        if (persistent_)
        {
            scheduler_->set_persist([this](weft::request const& r, fingerprint fp, std::string const& host)
                                    { return store_->add(r, fp, host); });
            for (auto& e : store_->load_pending(settings_.frontier_memory_limit))
                frontier_->push(std::move(e));
        }
        spider_.install(*owner_);
        middleware::install_defaults(chain_, settings_);
        if (settings_.parse_workers > 0)
            parse_pool_ = std::make_unique<asio::thread_pool>(settings_.parse_workers);
    }

    // --- step 1: start requests ---
    task<void> feed_start()
    {
        try
        {
            auto gen = spider_.start_requests();
            while (auto r = co_await gen.async_next())
            {
                if (stopping_)
                    break;
                auto kept = co_await spider_chain_.on_output(output(std::move(*r)), nullptr, *this);
                if (!kept || !kept->is_request())
                    continue;
                kept->request().depth(0);
                scheduler_->schedule(std::move(kept->request()), true);
                notify();
            }
        }
        catch (...)
        {
            if (!is_abort(std::current_exception()))
                log(fmt::format("start_requests of spider '{}' failed: {}", spider_.name(),
                                describe(std::current_exception())));
        }
        start_done_ = true;
        notify();
    }

    // --- steps 4 to 7 for one request ---
    task<void> process(frontier_entry e)
    {
        ++active_;
        ++fetching_;
        bool released = false;
        auto release = [&](std::chrono::milliseconds latency, int status)
        {
            if (released)
                return;
            released = true;
            --fetching_;
            frontier_->done(e.host, latency, status);
            notify();
        };
        try
        {
            co_await process_inner(e, release);
        }
        catch (...)
        {
            if (!is_abort(std::current_exception()))
            {
                ++stats_.callback_errors;
                log(fmt::format("{} {}: {}", e.req.method(), e.req.url(), describe(std::current_exception())));
                finish(e, {});
            }
        }
        release(std::chrono::milliseconds(0), 0);
        --active_;
        notify();
    }

    template <class Release>
    task<void> process_inner(frontier_entry& e, Release& release)
    {
        auto& req = e.req;
        auto d = co_await chain_.on_request(req, *this);
        http::response res;
        error_code ec;
        switch (d.what())
        {
        case decision::kind::respond:
            res = *d.response();
            ++stats_.cache_hits;
            release(std::chrono::milliseconds(0), res.status);
            break;
        case decision::kind::fail:
            release(std::chrono::milliseconds(0), 0);
            if (is_abort(d.error()))
                co_return; // stopping: left in the job directory
            if (d.error() == weft::error::robots_disallowed)
            {
                ++stats_.filtered_robots;
                if (req.attempts() == 0 && stats_.pages > 0)
                    --stats_.pages; // never fetched: not a page
                finish(e, {});
                co_return;
            }
            co_await fail(e, d.error(), d.why());
            co_return;
        default:
        {
            req.attempts(req.attempts() + 1);
            ++stats_.attempts;
            auto t0 = clock::now();
            auto [fec, fres] = co_await fetch(req.http());
            auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t0);
            release(latency, fec ? 0 : fres.status);
            ec = fec;
            res = std::move(fres);
        }
        }
        if (ec)
        {
            if (is_abort(ec) && stopping_)
                co_return;
            auto de = co_await chain_.on_error(req, ec, *this);
            if (de.what() == decision::kind::retry)
                co_return retry(e, de.delay());
            co_await fail(e, ec,
                          http::describe_failure(req.http(), ec, res) + fmt::format(" (attempt {})", req.attempts()));
            co_return;
        }
        stats_.bytes += res.wire_bytes ? res.wire_bytes : res.body.size();
        ++stats_.by_status[res.status];
        auto dr = co_await chain_.on_response(req, res, *this);
        switch (dr.what())
        {
        case decision::kind::retry:
            co_return retry(e, dr.delay());
        case decision::kind::follow:
        {
            ++stats_.redirects;
            auto next = std::move(*dr.next());
            next.depth(req.depth());
            scheduler_->schedule(std::move(next));
            finish(e, {});
            co_return;
        }
        case decision::kind::fail:
            co_await fail(e, dr.error(), dr.why());
            co_return;
        default:
            break;
        }
        ++stats_.responses;
        response r(std::move(res), req);
        if (parse_pool_ && r.is_html())
            co_await asio::co_spawn(parse_pool_->get_executor(),
                                    prepare_response(r, spider_.needs_document(), spider_.needs_links()),
                                    asio::deferred);
        if (auto di = co_await spider_chain_.on_input(r, *this); di.what() == decision::kind::fail)
        {
            co_await fail(e, di.error(), di.why());
            co_return;
        }
        auto const& cb = req.callback();
        std::vector<item> items; // what the callback yielded before an error is kept
        std::exception_ptr thrown;
        try
        {
            // named first: GCC 12 evaluates both arms of a ?: inside co_await (STYLE.md trap 2)
            auto gen = cb ? cb(spider_, r) : spider_.parse(r);
            co_await consume(std::move(gen), e, &r, items);
        }
        catch (...)
        {
            if (is_abort(std::current_exception()))
                throw;
            thrown = std::current_exception();
        }
        if (thrown) // a spider middleware may recover: its outputs replace the rest of the callback
        {
            auto replacement = co_await spider_chain_.on_exception(r, thrown, *this);
            if (replacement)
                co_await consume_all(std::move(*replacement), e, &r, items);
            else
            {
                ++stats_.callback_errors;
                log(fmt::format("{} {}: {}", req.method(), req.url(), describe(thrown)));
            }
        }
        finish(e, std::move(items));
        co_await drain_wait();
    }

    void retry(frontier_entry& e, std::chrono::milliseconds delay)
    {
        ++stats_.retries;
        e.req.priority(e.req.priority() - 1);
        frontier_->push_at(std::move(e), clock::now() + delay);
        notify();
    }

    task<void> fail(frontier_entry& e, error_code ec, std::string why)
    {
        ++stats_.errors;
        ++stats_.errors_by_kind[error_kind(ec)];
        log(why.empty() ? fmt::format("{} {}: {}", e.req.method(), e.req.url(), ec.message()) : why);
        auto f = failure(std::make_shared<weft::request const>(e.req), ec, why);
        auto const& eb = e.req.errback();
        std::vector<item> items;
        try
        {
            // named first: GCC 12 evaluates both arms of a ?: inside co_await (STYLE.md trap 2)
            auto gen = eb ? eb(spider_, f) : spider_.on_error(f);
            co_await consume(std::move(gen), e, nullptr, items);
        }
        catch (...)
        {
            if (is_abort(std::current_exception()))
                throw;
            ++stats_.callback_errors;
            log(fmt::format("errback for {} failed: {}", e.req.url(), describe(std::current_exception())));
        }
        finish(e, std::move(items));
    }

    // Steps 6-7: runs a callback's generator; requests go to the scheduler, items through the
    // pipelines. The items are handed to the sinks together with the request's outcome (finish),
    // so one group commit covers both: a resumed job never repeats a request whose items are durable.
    task<void> consume(generator<output> gen, frontier_entry const& parent, response const* from,
                       std::vector<item>& items)
    {
        while (auto next = co_await gen.async_next())
            co_await route(std::move(*next), parent, from, items);
    }

    task<void> consume_all(std::vector<output> outs, frontier_entry const& parent, response const* from,
                           std::vector<item>& items)
    {
        for (auto& o : outs)
            co_await route(std::move(o), parent, from, items);
    }

    // One output: through the spider middlewares, then to the scheduler or the item pipelines.
    task<void> route(output yielded, frontier_entry const& parent, response const* from, std::vector<item>& items)
    {
        // Not a ?: around the co_await: GCC 12 evaluates both arms (STYLE.md trap 2).
        std::optional<output> out;
        if (spider_chain_.empty())
            out.emplace(std::move(yielded));
        else
            out = co_await spider_chain_.on_output(std::move(yielded), from, *this);
        if (!out)
            co_return;
        {
            if (out->is_request())
            {
                auto r = std::move(out->request());
                r.depth(parent.req.depth() + 1);
                if (r.referer().empty())
                    r.referer(parent.req.url());
                scheduler_->schedule(std::move(r));
                notify();
            }
            else if (auto it = co_await pipe(std::move(out->item())))
                items.push_back(std::move(*it));
        }
    }

    task<std::optional<item>> pipe(item it)
    {
        std::optional<item> cur(std::move(it));
        for (auto const& p : pipelines_)
        {
            cur = co_await p->process(std::move(*cur), spider_);
            if (!cur)
            {
                ++stats_.items_dropped;
                co_return std::nullopt;
            }
        }
        co_return cur;
    }

    // The request's outcome is final: its items go to the sinks, and with a job directory its row
    // is deleted in the commit that follows their flush.
    void finish(frontier_entry const& e, std::vector<item> items)
    {
        stats_.items += items.size();
        for (auto& it : items)
            pending_items_.push_back(std::move(it));
        if (pending_items_.size() >= 1000)
            writer_wake_.cancel();
        if (!persistent_ || e.id <= 0)
            return;
        if (!items.empty())
            awaiting_flush_.push_back(e.id);
        else
            store_->remove(e.id);
    }

    // Backpressure: callbacks that outrun the sinks wait here.
    task<void> drain_wait()
    {
        while (pending_items_.size() >= 20000 && !writer_failed_)
            co_await sleep(std::chrono::milliseconds(5));
    }

    // --- step 8: group commit of items and outcomes ---
    task<void> writer_loop()
    {
        while (true)
        {
            if (!closing_ && pending_items_.size() < 1000)
            {
                writer_wake_.expires_after(settings_.sink_flush_interval);
                co_await writer_wake_.async_wait(asio::as_tuple(asio::deferred));
            }
            bool const last = closing_;
            co_await commit_cycle();
            if (last || writer_failed_)
                break;
        }
    }

    // Line-oriented file sinks can be cut back to a size; only they take part in the batch protocol.
    static bool truncatable(sink const& s) { return s.path() != "-" && (s.format() == "jsonl" || s.format() == "csv"); }

    // With a job directory a cycle is a small two-phase commit. The sizes of the output files are
    // recorded (committed) before the batch is written; then the batch is written and synced;
    // then the outcomes of its requests are committed. If the process dies in between, the next
    // run cuts the files back to the recorded sizes and fetches those requests again: each item
    // is in the output exactly once. (An SQLite sink is not cut back: there, at least once.)
    task<void> commit_cycle()
    {
        auto batch = std::move(pending_items_);
        pending_items_.clear();
        auto ids = std::move(awaiting_flush_);
        awaiting_flush_.clear();
        try
        {
            if (persistent_ && !batch.empty())
            {
                nlohmann::json sizes = nlohmann::json::object();
                for (auto const& s : sinks_)
                    if (truncatable(*s))
                    {
                        std::error_code ec;
                        auto size = std::filesystem::file_size(s->path(), ec);
                        if (!ec)
                            sizes[s->path()] = size;
                    }
                store_->set_meta("open_batch", sizes);
                store_->commit();
            }
            for (auto& s : sinks_)
            {
                if (batch.empty() && !closing_)
                    break;
                auto copy = batch;
                auto [ec] = co_await s->async_write(std::move(copy), asio::as_tuple(asio::deferred));
                if (!ec)
                    std::tie(ec) = co_await s->async_flush(asio::as_tuple(asio::deferred));
                if (ec)
                    throw std::runtime_error(s->diagnostics().empty() ? "sink " + s->path() + ": " + ec.message()
                                                                      : s->diagnostics());
            }
            if (persistent_)
            {
                for (auto id : ids)
                    store_->remove(id);
                store_->set_meta("open_batch", nullptr);
                store_->save_stats(stats_.to_json());
                store_->commit();
            }
        }
        catch (...)
        {
            writer_failed_ = true;
            fatal_ = describe(std::current_exception());
            notify();
        }
    }

    // A batch the last run did not finish: cut its outputs back (see commit_cycle).
    void recover_open_batch()
    {
        auto sizes = store_->get_meta("open_batch");
        if (!sizes.is_object())
            return;
        for (auto const& s : sinks_)
        {
            auto it = sizes.find(s->path());
            if (it == sizes.end() || !truncatable(*s))
                continue;
            std::error_code ec;
            auto now = std::filesystem::file_size(s->path(), ec);
            if (!ec && now > it->get<std::uintmax_t>())
                std::filesystem::resize_file(s->path(), it->get<std::uintmax_t>(), ec);
        }
        store_->set_meta("open_batch", nullptr);
        store_->commit();
    }

    task<void> progress_loop()
    {
        progress p(stderr);
        auto interval = settings_.progress_interval.count() > 0 ? settings_.progress_interval
                        : p.is_tty()                            ? std::chrono::milliseconds(1000)
                                                                : std::chrono::milliseconds(10000);
        asio::steady_timer t(ex);
        progress_timer_ = &t;
        while (!closing_)
        {
            t.expires_after(interval);
            co_await t.async_wait(asio::as_tuple(asio::deferred));
            if (closing_)
                break;
            p.print(stats_, progress_snapshot{frontier_->size(), fetching_});
        }
        progress_timer_ = nullptr;
        p.finish();
    }

    // --- the dispatcher: step 3 ---
    task<void> run_impl()
    {
        setup();
        for (auto& s : sinks_)
        {
            auto [ec] = co_await s->async_open(asio::as_tuple(asio::deferred));
            if (ec)
                throw std::runtime_error(s->diagnostics().empty() ? "cannot open " + s->path() + ": " + ec.message()
                                                                  : s->diagnostics());
        }
        for (auto& p : pipelines_)
            co_await p->opened(spider_);
        co_await spider_.opened();
        group_.spawn(feed_start());
        aux_.spawn(writer_loop());
        if (settings_.progress)
            aux_.spawn(progress_loop());

        std::string reason = "finished";
        while (true)
        {
            if (!fatal_.empty())
            {
                reason = "failed";
                break;
            }
            if (stopping_)
            {
                reason = "stopped";
                break;
            }
            bool limit = settings_.max_pages > 0 && stats_.pages >= settings_.max_pages;
            auto now = clock::now();
            auto next = clock::time_point::max();
            while (!limit && fetching_ < settings_.concurrency && active_ < settings_.concurrency * 4)
            {
                auto e = frontier_->pop(now, next);
                if (!e)
                    break;
                if (e->req.attempts() == 0)
                    ++stats_.pages;
                group_.spawn(process(std::move(*e)));
                limit = settings_.max_pages > 0 && stats_.pages >= settings_.max_pages;
            }
            if (active_ == 0 && start_done_ && (limit || frontier_->empty()))
            {
                reason = limit ? "max_pages" : "finished";
                break;
            }
            if (next == clock::time_point::max())
                wake_.expires_at(clock::time_point::max());
            else
                wake_.expires_at(next);
            co_await wake_.async_wait(asio::as_tuple(asio::deferred));
        }

        if (stopping_ || reason == "failed")
        {
            // Fetches were aborted by stop(); callbacks already running get a grace period.
            for (auto* s : fetch_signals_)
                s->emit(asio::cancellation_type::terminal);
            if (!co_await group_.wait_for(std::chrono::seconds(5)))
                co_await group_.shutdown(std::chrono::seconds(5));
        }
        else
            co_await group_.async_wait();

        closing_ = true;
        writer_wake_.cancel();
        if (progress_timer_)
            progress_timer_->cancel();
        co_await aux_.async_wait();

        stats_.end = clock::now();
        result_.reason = reason;
        if (!fatal_.empty())
        {
            result_.reason = "failed";
            result_.error = fatal_;
        }
        try
        {
            co_await spider_.closed(result_.reason);
            for (auto& p : pipelines_)
                co_await p->closed(spider_);
        }
        catch (...)
        {
            log(fmt::format("closing spider '{}': {}", spider_.name(), describe(std::current_exception())));
        }
        for (auto& s : sinks_)
        {
            auto [ec] = co_await s->async_close(asio::as_tuple(asio::deferred));
            if (ec && result_.error.empty())
            {
                result_.reason = "failed";
                result_.error = s->diagnostics().empty() ? ec.message() : s->diagnostics();
            }
        }
        if (persistent_)
        {
            store_->save_stats(stats_.to_json());
            store_->commit();
        }
        fetcher_->shutdown();
        if (renderer_)
            renderer_->shutdown();
        if (parse_pool_)
            parse_pool_->join();
        result_.stats = stats_;
    }

    executor ex;
    weft::spider& spider_;
    weft::engine::settings settings_;
    weft::engine::stats stats_;
    std::unique_ptr<http::fetcher> fetcher_;
    http::fetch_options fetch_options_; // the crawl's, for renderer_
    std::optional<proxy_rotation> proxies_; // with two proxies or more
    std::unique_ptr<http::fetcher> renderer_;
    std::vector<std::unique_ptr<sink>> sinks_;
    std::vector<std::unique_ptr<item_pipeline>> pipelines_;
    middleware_chain chain_;
    spider_middleware_chain spider_chain_;
    engine* owner_ = nullptr; // for spider::install
    std::function<void(std::string const&)> log_;

    bool persistent_ = false;
    bool resumed_ = false;
    std::unique_ptr<job_store> store_;
    memory_seen_set seen_;
    std::unique_ptr<frontier> frontier_;
    std::unique_ptr<scheduler> scheduler_;
    std::unique_ptr<asio::thread_pool> parse_pool_;

    task_group group_; // start feeder and request processes
    task_group aux_;   // writer and progress
    asio::steady_timer wake_;
    asio::steady_timer writer_wake_;
    asio::steady_timer stop_wait_;
    asio::steady_timer* progress_timer_ = nullptr;
    std::set<asio::cancellation_signal*> fetch_signals_;

    std::size_t fetching_ = 0;
    std::size_t active_ = 0;
    bool start_done_ = false;
    bool stopping_ = false;
    bool closing_ = false;
    bool writer_failed_ = false;
    std::string fatal_;
    std::vector<item> pending_items_;
    std::vector<std::int64_t> awaiting_flush_;
    crawl_result result_;
};

engine::engine(executor ex, weft::spider& spider, settings s)
    : impl_(std::make_unique<impl>(std::move(ex), spider, std::move(s)))
{
    impl_->log_ = [](std::string const& m) { std::fprintf(stderr, "weft: %s\n", m.c_str()); };
    impl_->owner_ = this;
}

engine::~engine() = default;

void engine::add_sink(std::unique_ptr<sink> s)
{
    impl_->sinks_.push_back(std::move(s));
}
void engine::add_pipeline(std::unique_ptr<item_pipeline> p)
{
    impl_->pipelines_.push_back(std::move(p));
}
void engine::add_middleware(std::unique_ptr<downloader_middleware> m)
{
    impl_->chain_.add(std::move(m));
}
void engine::add_spider_middleware(std::unique_ptr<spider_middleware> m)
{
    impl_->spider_chain_.add(std::move(m));
}
void engine::set_fetcher(std::unique_ptr<http::fetcher> f)
{
    impl_->fetcher_ = std::move(f);
}
void engine::on_log(std::function<void(std::string const&)> log)
{
    impl_->log_ = std::move(log);
}
settings const& engine::get_settings() const noexcept
{
    return impl_->settings_;
}
stats const& engine::current_stats() const noexcept
{
    return impl_->stats_;
}

void engine::stop()
{
    auto& i = *impl_;
    if (i.stopping_)
        return;
    i.stopping_ = true;
    for (auto* s : i.fetch_signals_)
        s->emit(asio::cancellation_type::terminal);
    i.notify();
}

namespace
{
struct run_state
{
    bool done = false;
    std::exception_ptr error;
};
} // namespace

task<crawl_result> engine::async_run()
{
    auto& i = *impl_;
    auto st = std::make_shared<run_state>();
    asio::steady_timer done_timer(i.ex, clock::time_point::max());
    // The crawl runs as its own coroutine: the caller's cancellation (weft::run on SIGINT) becomes
    // a graceful stop() instead of aborting the shutdown itself (sink flushes, the job commit).
    asio::co_spawn(i.ex, i.run_impl(),
                   [st, &done_timer](std::exception_ptr e)
                   {
                       st->error = e;
                       st->done = true;
                       done_timer.cancel();
                   });
    while (!st->done)
    {
        co_await done_timer.async_wait(asio::as_tuple(asio::deferred));
        if (!st->done)
        {
            stop();
            co_await asio::this_coro::reset_cancellation_state();
        }
    }
    if (st->error)
        std::rethrow_exception(st->error);
    co_return i.result_;
}

} // namespace weft::engine
