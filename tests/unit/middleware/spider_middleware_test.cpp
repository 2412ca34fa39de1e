// Spider middlewares around the callbacks, and spiders that install their own pipelines and
// middlewares, through the engine against a real local site.
#include <weft/engine/engine.hpp>
#include <weft/spider/spider.hpp>

#include "support/item_recorder.hpp"
#include "support/run_sync.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <stdexcept>

using weft::generator;
using weft::output;
using weft::task;
using weft::test::canned_response;
using weft::test::received_request;
using weft::test::test_server;

namespace
{

canned_response page(std::string body)
{
    return weft::test::html_response("<html><body>" + std::move(body) + "</body></html>");
}

// /index links to /a, /b, /boom (whose callback throws) and a 3,000-octet URL.
void add_site(test_server& s)
{
    s.add_handler("/index",
                  [](received_request const&)
                  {
                      return page(R"(<a href="/a">a</a><a href="/b">b</a><a href="/boom">boom</a><a href="/long?q=)" +
                                  std::string(3000, 'x') + R"(">long</a>)");
                  });
    for (auto p : {"/a", "/b", "/boom", "/long"})
        s.add_handler(p, [](received_request const&) { return page("leaf"); });
}

class site_spider final : public weft::spider
{
public:
    explicit site_spider(std::string start) : spider{"mw_test", {std::move(start)}} {}

    generator<output> parse(weft::response res) override
    {
        auto const path = res.url().substr(res.url().find('/', 8));
        weft::item it;
        it.set("path", path);
        co_yield it;
        if (path == "/boom") // after an item: that item is kept
            throw std::runtime_error("the page has no table");
        for (auto& r : res.follow_all("a"))
            co_yield r;
    }

    generator<output> on_error(weft::failure f) override
    {
        weft::item it;
        it.set("failed", f.request().url());
        it.set("why", f.message);
        co_yield it;
    }

    void install(weft::crawl_extensions& e) override
    {
        if (install_)
            install_(e);
    }
    std::function<void(weft::crawl_extensions&)> install_;
};

// Drops requests for /b, stamps items, refuses /a's response, and turns /boom's exception into an item.
struct test_middleware final : weft::spider_middleware
{
    std::string_view name() const noexcept override { return "test"; }
    int priority() const noexcept override { return 100; }

    task<weft::decision> on_input(weft::response const& res, weft::crawl_context&) override
    {
        if (res.url().ends_with("/a"))
            co_return weft::decision::fail(make_error_code(weft::error::filtered), "refused /a");
        co_return weft::decision::proceed();
    }
    task<std::optional<output>> on_output(output out, weft::response const* from, weft::crawl_context&) override
    {
        if (out.is_request() && out.request().url().ends_with("/b"))
            co_return std::nullopt;
        if (out.is_item())
            out.item().set("stamped_from", from ? from->url() : "");
        co_return out;
    }
    task<std::optional<std::vector<output>>> on_exception(weft::response const& res, std::exception_ptr e,
                                                          weft::crawl_context&) override
    {
        try
        {
            std::rethrow_exception(e);
        }
        catch (std::exception const& ex)
        {
            weft::item it;
            it.set("recovered", res.url());
            it.set("error", ex.what());
            co_return std::vector<output>{output(it)};
        }
    }
};

struct run_outcome
{
    weft::engine::crawl_result result;
    std::vector<weft::item> items;
};

run_outcome crawl(test_server& server, std::function<void(weft::crawl_extensions&)> install,
                  weft::engine::settings s = {})
{
    run_outcome out;
    site_spider sp(server.url("/index"));
    sp.install_ = std::move(install);
    s.progress = false;
    out.result = weft::test::run_sync(
        [](site_spider& sp, weft::engine::settings s) -> task<weft::engine::crawl_result>
        {
            weft::engine::engine eng(co_await boost::asio::this_coro::executor, sp, s);
            eng.on_log([](std::string const&) {});
            co_return co_await eng.async_run();
        }(sp, s));
    return out;
}

std::map<std::string, weft::item> by_key(std::vector<weft::item> const& items)
{
    std::map<std::string, weft::item> m;
    for (auto const& it : items)
        for (char const* k : {"path", "failed", "recovered"})
            if (it.value().contains(k))
                m[std::string(k) + " " + it.get<std::string>(k)] = it;
    return m;
}

} // namespace

TEST_CASE("spider middlewares drop and change outputs, refuse responses, and recover from callback errors",
          "[engine][spider_middleware]")
{
    test_server server;
    add_site(server);
    std::vector<weft::item> items;
    auto out = crawl(server,
                     [&](weft::crawl_extensions& e)
                     {
                         e.add_pipeline(std::make_unique<weft::test::item_recorder>(&items));
                         e.add_spider_middleware(std::make_unique<test_middleware>());
                     });
    INFO(out.result.stats.summary());
    auto m = by_key(items);
    auto index = server.url("/index");

    CHECK(m.contains("path /index"));
    CHECK(m["path /index"].get<std::string>("stamped_from") == index);
    CHECK(server.request_count("/b") == 0); // dropped on its way to the scheduler

    // /a was fetched, but on_input refused it: its errback ran instead of parse.
    CHECK(server.request_count("/a") == 1);
    CHECK_FALSE(m.contains("path /a"));
    REQUIRE(m.contains("failed " + server.url("/a")));
    CHECK_THAT(m["failed " + server.url("/a")].get<std::string>("why"), Catch::Contains("refused /a"));

    // /boom's exception became an item, and is not counted as a callback error.
    REQUIRE(m.contains("recovered " + server.url("/boom")));
    CHECK(m["recovered " + server.url("/boom")].get<std::string>("error") == "the page has no table");
    CHECK(m.contains("path /boom"));
    CHECK(out.result.stats.callback_errors == 0);

    // settings::url_length_limit (2083) dropped the 3,000-octet link.
    CHECK(server.request_count("/long") == 0);
    CHECK(out.result.stats.filtered_rule == 1);
}

TEST_CASE("without a middleware that recovers, a callback error is counted and the crawl goes on",
          "[engine][spider_middleware]")
{
    test_server server;
    add_site(server);
    std::vector<weft::item> items;
    weft::engine::settings s;
    s.url_length_limit = 0; // off: the long link is followed
    auto out = crawl(
        server, [&](weft::crawl_extensions& e) { e.add_pipeline(std::make_unique<weft::test::item_recorder>(&items)); }, s);
    auto m = by_key(items);
    CHECK(out.result.stats.callback_errors == 1);
    CHECK(m.contains("path /boom")); // yielded before the callback threw: not lost
    CHECK(m.contains("path /a"));
    CHECK(m.contains("path /b"));
    CHECK(m.contains("path /long?q=" + std::string(3000, 'x')));
    CHECK(server.request_count("/long") == 1);
    CHECK(out.result.reason == "finished");
}
