// The engine with a crawl state that keeps its items (as a shared one does: Redis), opened from
// settings::frontier through the backend registry: the sinks stay unopened, the items are
// committed with the completions, and async_export_items writes them once.
#include <weft/engine/engine.hpp>
#include <weft/engine/export_items.hpp>
#include <weft/sink/registry.hpp>
#include <weft/state/backend_registry.hpp>
#include <weft/state/memory_state.hpp>

#include "support/run_sync.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <set>

using namespace weft;
using namespace std::chrono_literals;

namespace
{

// The memory state, keeping the items of accepted completions in a log instead of handing them
// to the item writer: the backend the test opens by address (its input, not under test).
class keeping_state final : public state::crawl_state
{
public:
    explicit keeping_state(std::unique_ptr<state::crawl_state> inner) : inner_(std::move(inner)) {}

    std::string_view name() const noexcept override { return "keeping"; }
    bool attach_item_consumer(state::item_consumer*) override { return false; }
    task<state::commit_result> async_complete(state::lease_token t, state::completion c) override
    {
        auto items = c.items;
        auto r = co_await inner_->async_complete(t, std::move(c));
        if (r == state::commit_result::accepted)
            for (auto& it : items)
                log_.push_back(state::kept_item{std::to_string(log_.size() + 1) + "-0", std::move(it)});
        co_return r;
    }
    task<std::vector<state::kept_item>> async_read_items(std::string after, std::size_t n) override
    {
        std::size_t from = 0;
        while (!after.empty() && from < log_.size() && log_[from++].id != after)
        {
        }
        std::vector<state::kept_item> out;
        for (auto i = from; i < log_.size() && out.size() < n; ++i)
            out.push_back(log_[i]);
        co_return out;
    }
    task<state::counters> async_counters() override
    {
        auto c = co_await inner_->async_counters();
        c.items = log_.size();
        co_return c;
    }

    task<std::vector<bool>> async_add(std::vector<state::new_request> r) override { return inner_->async_add(std::move(r)); }
    task<state::lease_batch> async_lease(std::size_t n, state::milliseconds d) override { return inner_->async_lease(n, d); }
    task<void> async_fetched(state::lease_token t, state::fetch_outcome o) override { return inner_->async_fetched(t, o); }
    task<state::commit_result> async_retry(state::lease_token t, weft::request r, state::milliseconds nb,
                                           state::fetch_outcome o) override
    {
        return inner_->async_retry(t, std::move(r), nb, o);
    }
    task<std::vector<bool>> async_extend(std::vector<state::lease_token> t, state::milliseconds d) override
    {
        return inner_->async_extend(std::move(t), d);
    }
    task<void> async_release(std::vector<state::lease_token> t) override { return inner_->async_release(std::move(t)); }
    task<bool> async_finished() override { return inner_->async_finished(); }
    task<void> async_set_min_delay(std::string h, state::milliseconds d) override
    {
        return inner_->async_set_min_delay(std::move(h), d);
    }
    task<void> async_back_off(std::string h, state::milliseconds d) override { return inner_->async_back_off(std::move(h), d); }
    task<std::vector<state::host_stats>> async_busiest_hosts(std::size_t n) override { return inner_->async_busiest_hosts(n); }
    task<void> async_flush() override { return inner_->async_flush(); }
    task<state::robots_answer> async_robots(std::string o, state::milliseconds c) override
    {
        return inner_->async_robots(std::move(o), c);
    }
    task<void> async_store_robots(std::string o, std::string h, state::robots_file f, state::milliseconds ttl) override
    {
        return inner_->async_store_robots(std::move(o), std::move(h), std::move(f), ttl);
    }
    task<void> async_release_robots(std::string o) override { return inner_->async_release_robots(std::move(o)); }

private:
    std::unique_ptr<state::crawl_state> inner_;
    std::vector<state::kept_item> log_;
};

task<std::unique_ptr<state::crawl_state>> open_keeping(executor, state::backend_address, engine::settings const& s,
                                                       state::request_codec codec)
{
    std::unique_ptr<state::crawl_state> st = std::make_unique<keeping_state>(state::make_memory_state(s, std::move(codec)));
    co_return st;
}

struct outcome
{
    engine::crawl_result result;
    engine::export_stats exported;
    bool sink_opened = false;
};

task<outcome> crawl_and_export(std::string start, engine::settings s, std::string out, std::string exported)
{
    auto ex = co_await asio::this_coro::executor;
    auto sp = make_spider("site");
    sp->add_start_url(start);
    s.progress = false;
    engine::engine eng(ex, *sp, s);
    eng.on_log([](std::string const&) {});
    eng.add_sink(make_sink_for_path(out, ex));
    outcome o;
    o.result = co_await eng.async_run();
    o.sink_opened = std::filesystem::exists(out);
    engine::export_options opts;
    opts.address = s.frontier;
    opts.crawl_id = s.crawl_id;
    o.exported = co_await engine::async_export_items(*eng.current_state(), {exported}, opts);
    co_return o;
}

} // namespace

TEST_CASE("a crawl whose state keeps the items leaves the sinks alone; the export writes every item once",
          "[engine][export][frontier]")
{
    state::register_backend("weft-test-keeping", open_keeping);
    weft::test::temp_dir dir;
    auto const site = dir / "site";
    std::filesystem::create_directories(site);
    std::string index = "<html><body>";
    for (int i = 1; i < 30; ++i)
    {
        index += "<a href=\"p" + std::to_string(i) + ".html\">p</a>";
        std::ofstream(site / ("p" + std::to_string(i) + ".html")) << "<html><body>page</body></html>";
    }
    std::ofstream(site / "index.html") << index << "</body></html>";
    weft::test::test_server server({.tls = false, .root = site});

    engine::settings s;
    s.frontier = "weft-test-keeping://:secret@127.0.0.1:1/0";
    s.crawl_id = "site";
    auto const out = (dir / "unused.jsonl").string();
    auto const exported = (dir / "items.jsonl").string();
    auto o = test::run_sync(crawl_and_export(server.url("/"), s, out, exported));
    INFO(o.result.stats.summary());
    CHECK(o.result.reason == "finished");
    CHECK(o.result.items_kept);
    CHECK(!o.sink_opened); // not even created
    CHECK(o.result.stats.items == 30); // committed with the completions, counted by the engine
    CHECK(o.exported.items == 30);
    std::set<std::string> urls;
    std::ifstream in(exported);
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line); ++lines)
        urls.insert(nlohmann::json::parse(line).at("url").get<std::string>());
    CHECK(lines == 30);
    CHECK(urls.size() == 30);
}
