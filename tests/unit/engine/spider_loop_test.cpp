// A spider's work is never lost quietly (issue 14): callbacks stored by name (registered or by
// their symbol) across a job directory and a spilled frontier, a refusal instead of a silent
// fall-back to parse, a pipeline's exception dropping one item only; and the spider's own
// logger, counters and callback arguments. Through the real engine against a local site.
#include <weft/engine/engine.hpp>
#include <weft/middleware/pipeline.hpp>

#include "support/item_recorder.hpp"
#include "support/run_sync.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <set>

// Outside an anonymous namespace: its member callbacks need symbols of their own (external
// linkage) to be stored without registration.
namespace weft_loop_test
{

// index.html links to d1..d5; each detail page is parsed by parse_detail, which nobody registers,
// and reads its callback argument "n".
class detail_spider final : public weft::spider
{
public:
    explicit detail_spider(std::string start, bool lambda_callbacks = false)
        : spider{"details", {std::move(start)}}, lambdas_(lambda_callbacks)
    {
    }

    weft::generator<weft::output> parse(weft::response res) override
    {
        int n = 0;
        for (auto a : res.css("a.detail"))
        {
            auto req = res.follow(a);
            req.kwarg("n", ++n);
            if (lambdas_)
                req.callback([](weft::spider& s, weft::response r)
                             { return static_cast<detail_spider&>(s).parse_detail(std::move(r)); });
            else
                req.callback(&detail_spider::parse_detail);
            co_yield req;
        }
        stats().inc("index_pages");
        log().warning("index parsed");
    }

    weft::generator<weft::output> parse_detail(weft::response res)
    {
        weft::item it;
        it.set("url", res.url());
        it.set("n", res.kwarg("n"));
        it.set("via", "parse_detail");
        stats().inc("details");
        co_yield it;
    }

private:
    bool lambdas_;
};

} // namespace weft_loop_test

namespace
{

using weft_loop_test::detail_spider;

void make_site(std::filesystem::path const& root, int details)
{
    std::ofstream index(root / "index.html");
    for (int i = 1; i <= details; ++i)
    {
        index << "<a class=detail href=d" << i << ".html>" << i << "</a>";
        std::ofstream(root / ("d" + std::to_string(i) + ".html")) << "<h1>Detail " << i << "</h1>";
    }
}

struct outcome
{
    weft::engine::crawl_result result;
    std::vector<weft::item> items;
};

weft::task<outcome> crawl(weft::spider& sp, weft::engine::settings s,
                          std::unique_ptr<weft::item_pipeline> stage = nullptr)
{
    auto ex = co_await boost::asio::this_coro::executor;
    s.progress = false;
    s.obey_robots = false;
    outcome out;
    weft::engine::engine eng(ex, sp, s);
    eng.on_log([](std::string const&) {});
    if (stage)
        eng.add_pipeline(std::move(stage));
    eng.add_pipeline(std::make_unique<weft::test::item_recorder>(&out.items));
    out.result = co_await eng.async_run();
    co_return out;
}

void check_details(std::vector<weft::item> const& items, int expected)
{
    std::set<int> seen;
    for (auto const& it : items)
    {
        CHECK(it.get<std::string>("via") == "parse_detail");
        seen.insert(it.get<int>("n"));
    }
    CHECK(seen.size() == static_cast<std::size_t>(expected));
    CHECK(items.size() == static_cast<std::size_t>(expected));
}

} // namespace

TEST_CASE("an unregistered member callback and its arguments survive a job directory's resume",
          "[engine][spider][callbacks]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 5);
    weft::test::test_server server({.tls = false, .root = dir.path()});
    weft::engine::settings s;
    s.job_dir = dir / "job";
    s.max_pages = 1; // the index only: its five requests wait in the job directory
    detail_spider first(server.url("/index.html"));
    auto run1 = weft::test::run_sync(crawl(first, s));
    INFO(run1.result.error);
    REQUIRE(run1.result.reason != "failed");
    CHECK(run1.items.empty());

    s.max_pages = 0;
    detail_spider second(server.url("/index.html")); // a new spider, as in a new process
    auto run2 = weft::test::run_sync(crawl(second, s));
    INFO(run2.result.error);
    CHECK(run2.result.reason == "finished");
    check_details(run2.items, 5); // never parse(): before, they resumed into parse and yielded nothing
}

TEST_CASE("a callback the job directory cannot store stops the crawl with what to do; the resume loses nothing",
          "[engine][spider][callbacks]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 3);
    weft::test::test_server server({.tls = false, .root = dir.path()});
    weft::engine::settings s;
    s.job_dir = dir / "job";
    detail_spider lambdas(server.url("/index.html"), true);
    auto run1 = weft::test::run_sync(crawl(lambdas, s));
    CHECK(run1.result.reason == "failed");
    CHECK_THAT(run1.result.error, Catch::Contains("register_callback") && Catch::Contains("d1.html"));
    CHECK(run1.items.empty());

    detail_spider members(server.url("/index.html")); // fixed: the index is fetched again
    auto run2 = weft::test::run_sync(crawl(members, s));
    INFO(run2.result.error);
    CHECK(run2.result.reason == "finished");
    check_details(run2.items, 3);
}

namespace weft_loop_test
{

// Registers parse_detail under a name; a later build without it must not resume into parse.
class renamed_spider final : public weft::spider
{
public:
    explicit renamed_spider(std::string start, bool registers) : spider{"details", {std::move(start)}}
    {
        if (registers)
            register_callback("detail", &renamed_spider::parse_detail);
    }
    weft::generator<weft::output> parse(weft::response res) override
    {
        for (auto a : res.css("a.detail"))
        {
            auto req = res.follow(a);
            req.callback(&renamed_spider::parse_detail);
            co_yield req;
        }
    }
    weft::generator<weft::output> parse_detail(weft::response res)
    {
        weft::item it;
        it.set("via", "parse_detail");
        co_yield it;
    }
};

} // namespace weft_loop_test

TEST_CASE("a stored callback name the spider no longer has stops the resume, naming it", "[engine][spider][callbacks]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 2);
    weft::test::test_server server({.tls = false, .root = dir.path()});
    weft::engine::settings s;
    s.job_dir = dir / "job";
    s.max_pages = 1;
    weft_loop_test::renamed_spider before(server.url("/index.html"), true);
    auto run1 = weft::test::run_sync(crawl(before, s));
    REQUIRE(run1.result.reason != "failed");

    s.max_pages = 0;
    weft_loop_test::renamed_spider after(server.url("/index.html"), false);
    // Refused while the job directory is opened, before any page is fetched (the CLI exits 2).
    try
    {
        (void)weft::test::run_sync(crawl(after, s));
        FAIL("the resume went on without the callback");
    }
    catch (weft::system_error const& e)
    {
        CHECK(e.code() == weft::error::unresumable_callback);
        CHECK_THAT(e.what(), Catch::Contains("'detail'") && Catch::Contains("register_callback"));
    }
    CHECK(server.request_count("/d1.html") == 0);
}

TEST_CASE("lambda callbacks survive an in-memory frontier that spills to disk", "[engine][spider][callbacks]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 40);
    weft::test::test_server server({.tls = false, .root = dir.path()});
    weft::engine::settings s;
    s.frontier_memory_limit = 2; // most of the 40 requests wait in the spill file
    s.concurrency = 2;
    detail_spider sp(server.url("/index.html"), true);
    auto run = weft::test::run_sync(crawl(sp, s));
    INFO(run.result.error);
    CHECK(run.result.reason == "finished");
    check_details(run.items, 40);
}

namespace
{

// Throws on the item with n == 2, drops the one with n == 3 with a reason, passes the others.
struct picky_stage final : weft::item_pipeline
{
    std::string_view name() const noexcept override { return "picky"; }
    weft::task<std::optional<weft::item>> process(weft::item it, weft::spider&) override
    {
        auto const n = it.get<int>("n");
        if (n == 2)
            throw std::runtime_error("price is not a number");
        if (n == 3)
            throw weft::drop_item("duplicate product");
        co_return it;
    }
};

} // namespace

TEST_CASE("a pipeline's exception or drop_item drops that item only, counted and in the summary",
          "[engine][spider][pipeline]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 5);
    weft::test::test_server server({.tls = false, .root = dir.path()});
    detail_spider sp(server.url("/index.html"));
    auto run = weft::test::run_sync(crawl(sp, {}, std::make_unique<picky_stage>()));
    CHECK(run.result.reason == "finished");
    std::set<int> kept;
    for (auto const& it : run.items)
        kept.insert(it.get<int>("n"));
    CHECK(kept == std::set<int>{1, 4, 5});
    CHECK(run.result.stats.items_dropped == 2);
    CHECK(run.result.stats.item_errors == 1);
    CHECK(run.result.stats.callback_errors == 0);
    CHECK_THAT(run.result.stats.summary(), Catch::Contains("items 3 (dropped 2)") && Catch::Contains("item errors 1"));
}

namespace
{

// A pipeline on the index page's items: one item throws, the page's later items and its
// pagination still go on (before, the exception ended the page's callback).
class paged_spider final : public weft::spider
{
public:
    explicit paged_spider(std::string start) : spider{"paged", {std::move(start)}} {}
    weft::generator<weft::output> parse(weft::response res) override
    {
        for (int n = 1; n <= 3; ++n)
        {
            weft::item it;
            it.set("n", n);
            co_yield it;
        }
        if (auto next = res.css_first("a.next"))
            co_yield res.follow(*next);
    }
};

} // namespace

TEST_CASE("a pipeline's exception on one item keeps the page's other items and its pagination",
          "[engine][spider][pipeline]")
{
    weft::test::temp_dir dir;
    std::ofstream(dir / "p1.html") << "<a class=next href=p2.html>next</a>";
    std::ofstream(dir / "p2.html") << "<p>last</p>";
    weft::test::test_server server({.tls = false, .root = dir.path()});
    paged_spider sp(server.url("/p1.html"));
    auto run = weft::test::run_sync(crawl(sp, {}, std::make_unique<picky_stage>()));
    CHECK(run.result.stats.responses == 2); // the next page was followed
    CHECK(run.items.size() == 2 * 1);       // n == 1 of each page (2 throws, 3 is dropped)
    CHECK(run.result.stats.items_dropped == 4);
}

TEST_CASE("a spider's counters and log lines reach the crawl's stats", "[engine][spider][stats]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 4);
    weft::test::test_server server({.tls = false, .root = dir.path()});
    detail_spider sp(server.url("/index.html"));
    auto run = weft::test::run_sync(crawl(sp, {}));
    auto const& custom = run.result.stats.custom;
    CHECK(custom.at("details") == 4);
    CHECK(custom.at("index_pages") == 1);
    CHECK(custom.at("log_warning") == 1);
    auto j = run.result.stats.to_json();
    CHECK(j["custom"]["details"] == 4);
    CHECK_THAT(run.result.stats.summary(), Catch::Contains("details=4"));
    // After the crawl the spider counts on its own again (no pointer into the finished crawl).
    sp.stats().inc("details");
    CHECK(sp.stats().get("details") == 1);
}

TEST_CASE("a missing callback argument names the key and the URL; log_level is checked", "[spider][kwargs]")
{
    weft::http::response res;
    res.status = 200;
    res.url = res.final_url = "http://a.test/p";
    weft::request req{"http://a.test/p"};
    req.kwarg("page", 3);
    weft::response r(std::move(res), std::move(req));
    CHECK(r.kwarg("page") == 3);
    CHECK(r.kwargs().size() == 1);
    CHECK_THROWS_WITH(r.kwarg("sku"), Catch::Contains("'sku'") && Catch::Contains("http://a.test/p") &&
                                          Catch::Contains(".kwarg(\"sku\""));
    auto j = r.request().to_json();
    CHECK(weft::request::from_json(j).kwargs()["page"] == 3);

    weft::engine::settings s;
    s.set("log_level", "WARNING");
    CHECK(s.log_level == "WARNING");
    CHECK_THROWS_WITH(s.set("log_level", "loud"), Catch::Contains("debug, info, warning or error"));
}
