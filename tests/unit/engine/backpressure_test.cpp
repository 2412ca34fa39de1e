// Backpressure (docs/ARCHITECTURE.md, "Threading"): a spider's co_yield suspends while its
// requests go to the crawl state and while the item writer's buffer is full, so one page that
// yields a flood of requests or items runs in bounded memory.
#include <weft/engine/engine.hpp>

#include "support/run_sync.hpp"
#include "support/sanitizer.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <memory>

using namespace std::chrono_literals;

namespace
{

// ASan's quarantine keeps freed memory resident: no RSS check there
constexpr int flood_size = weft::test::under_sanitizer ? 50'000 : 200'000;

// The resident set of this process in bytes (Linux).
std::size_t resident_bytes()
{
    std::ifstream in("/proc/self/statm");
    std::size_t pages = 0, resident = 0;
    in >> pages >> resident;
    return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

// One page yields `n` requests to distinct URLs of its own host.
class flood_spider final : public weft::spider
{
public:
    flood_spider(std::string start, int n) : spider{"flood", {start}}, base_(std::move(start)), n_(n) {}

    weft::generator<weft::output> parse(weft::response res) override
    {
        if (res.url() != base_)
            co_return;
        for (int i = 0; i < n_; ++i)
        {
            auto req = res.follow("/flood/" + std::to_string(i) + "/with/a/path/long/enough/to/matter.html");
            co_yield req;
            if (i % 10'000 == 0)
                peak_ = std::max(peak_, resident_bytes());
        }
    }

    std::size_t peak_ = 0;

private:
    std::string base_;
    int n_;
};

// Counts what a spider yielded against what reached the sink, to find the most items in between.
struct item_gauge
{
    std::size_t yielded = 0;
    std::size_t written = 0;
    std::size_t most_in_between = 0;
};

class items_spider final : public weft::spider
{
public:
    items_spider(std::string start, int n, item_gauge& g) : spider{"items", {std::move(start)}}, n_(n), gauge_(g) {}

    weft::generator<weft::output> parse(weft::response) override
    {
        for (int i = 0; i < n_; ++i)
        {
            weft::item it;
            it.set("i", i);
            ++gauge_.yielded;
            gauge_.most_in_between = std::max(gauge_.most_in_between, gauge_.yielded - gauge_.written);
            co_yield it;
        }
    }

private:
    int n_;
    item_gauge& gauge_;
};

// A sink slower than the spider: each write takes a few milliseconds.
class slow_sink final : public weft::sink
{
public:
    slow_sink(weft::executor ex, item_gauge& g) : sink(ex, "slow", {}), gauge_(g) {}
    std::string_view format() const noexcept override { return "slow"; }

private:
    void async_open_impl(boost::asio::any_completion_handler<signature> h) override { done(std::move(h)); }
    void async_write_impl(std::vector<weft::item> items, boost::asio::any_completion_handler<signature> h) override
    {
        auto t = std::make_shared<boost::asio::steady_timer>(get_executor(), 5ms);
        t->async_wait(
            [this, t, n = items.size(), h = std::move(h)](weft::error_code) mutable
            {
                gauge_.written += n;
                std::move(h)(weft::error_code{});
            });
    }
    void async_flush_impl(boost::asio::any_completion_handler<signature> h) override { done(std::move(h)); }
    void async_close_impl(boost::asio::any_completion_handler<signature> h) override { done(std::move(h)); }
    void done(boost::asio::any_completion_handler<signature> h)
    {
        boost::asio::post(get_executor(), [h = std::move(h)]() mutable { std::move(h)(weft::error_code{}); });
    }

    item_gauge& gauge_;
};

weft::engine::settings quiet()
{
    weft::engine::settings s;
    s.progress = false;
    s.obey_robots = false;
    return s;
}

} // namespace

TEST_CASE("a page that yields a flood of requests is queued in bounded memory", "[engine][backpressure]")
{
    weft::test::temp_dir dir;
    std::ofstream(dir / "index.html") << "<title>flood</title>";
    weft::test::test_server server({.tls = false, .root = dir.path()});
    constexpr int n = flood_size;
    flood_spider sp(server.url("/"), n);
    auto s = quiet();
    s.max_pages = 1;                    // only the start page is fetched: the rest stays queued
    s.frontier_memory_limit = 10'000;   // past this, requests spill to disk
    [[maybe_unused]] auto const before = resident_bytes();
    auto result = weft::test::run_sync(
        [&]() -> weft::task<weft::engine::crawl_result>
        {
            weft::engine::engine eng(co_await boost::asio::this_coro::executor, sp, s);
            eng.on_log([](std::string const&) {});
            co_return co_await eng.async_run();
        }(),
        std::chrono::seconds(240));
    INFO(result.stats.summary());
    CHECK(result.reason == "max_pages");
    CHECK(result.stats.scheduled == n + 1);
    if (!weft::test::under_sanitizer)
    {
        // Held in memory, 200,000 requests take over 100 MB; queued through the crawl state, which
        // spills past its limit, the spider's page grows the process by a small fraction of that.
        auto const growth = sp.peak_ > before ? sp.peak_ - before : 0;
        INFO("resident before " << before / 1'000'000 << " MB, peak while yielding " << sp.peak_ / 1'000'000
                                << " MB");
        CHECK(growth < 60'000'000);
    }
}

TEST_CASE("a spider's co_yield waits while the item writer's buffer is full", "[engine][backpressure]")
{
    weft::test::temp_dir dir;
    std::ofstream(dir / "index.html") << "<title>items</title>";
    weft::test::test_server server({.tls = false, .root = dir.path()});
    constexpr int n = 20'000;
    item_gauge gauge;
    items_spider sp(server.url("/"), n, gauge);
    auto s = quiet();
    s.item_buffer = 1'000;
    s.sink_flush_interval = 10ms;
    auto result = weft::test::run_sync(
        [&]() -> weft::task<weft::engine::crawl_result>
        {
            auto ex = co_await boost::asio::this_coro::executor;
            weft::engine::engine eng(ex, sp, s);
            eng.on_log([](std::string const&) {});
            eng.add_sink(std::make_unique<slow_sink>(ex, gauge));
            co_return co_await eng.async_run();
        }(),
        std::chrono::seconds(120));
    CHECK(result.reason == "finished");
    CHECK(gauge.written == n);
    // Without backpressure all 20,000 would wait at once; with it, at most what the writer is
    // writing, what waits for room, and one chunk of the page's stream.
    INFO("most items between the spider and the sink: " << gauge.most_in_between);
    CHECK(gauge.most_in_between <= 2 * s.item_buffer + 512);
}
