// A page whose parsing and callback outlast settings::timeout ends as an error naming the
// budget; the crawl goes on.
#include <weft/engine/engine.hpp>
#include <weft/spider/spider.hpp>

#include "support/item_recorder.hpp"
#include "support/run_sync.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using namespace std::chrono_literals;
using weft::generator;
using weft::output;
using weft::task;
using weft::test::received_request;
using weft::test::test_server;

namespace
{

// /endless yields items forever, each after a little work; /index links to it and to /leaf.
class endless_spider final : public weft::spider
{
public:
    explicit endless_spider(std::string start) : spider{"budget_test", {std::move(start)}} {}

    generator<output> parse(weft::response res) override
    {
        if (!res.url().ends_with("/endless"))
        {
            weft::item it;
            it.set("page", res.url());
            co_yield it;
            for (auto& r : res.follow_all("a"))
                co_yield r;
            co_return;
        }
        for (long i = 0;; ++i)
        {
            std::this_thread::sleep_for(5ms); // a slow page: 200 outputs a second
            weft::item it;
            it.set("n", i);
            co_yield it;
        }
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
        e.add_pipeline(std::make_unique<weft::test::item_recorder>(items));
    }

    std::vector<weft::item>* items = nullptr;
};

} // namespace

TEST_CASE("a page over the per-page budget ends as an error naming it and the crawl finishes",
          "[engine][hostile][budget]")
{
    test_server server;
    server.add_handler("/index", [](received_request const&)
                       { return weft::test::html_response(R"(<a href="/endless">e</a><a href="/leaf">l</a>)"); });
    server.add_handler("/endless", [](received_request const&) { return weft::test::html_response("<p>x</p>"); });
    server.add_handler("/leaf", [](received_request const&) { return weft::test::html_response("<p>leaf</p>"); });
    std::vector<weft::item> items;
    endless_spider sp(server.url("/index"));
    sp.items = &items;
    weft::engine::settings s;
    s.progress = false;
    s.timeout = 1s;
    auto const result = weft::test::run_sync(
        [](endless_spider& sp, weft::engine::settings s) -> task<weft::engine::crawl_result>
        {
            weft::engine::engine eng(co_await boost::asio::this_coro::executor, sp, s);
            eng.on_log([](std::string const&) {});
            co_return co_await eng.async_run();
        }(sp, s),
        120s);
    INFO(result.stats.summary());
    CHECK(result.reason == "finished");
    std::size_t numbered = 0;
    std::string why;
    bool leaf = false;
    for (auto const& it : items)
    {
        if (it.value().contains("n"))
            ++numbered;
        if (it.value().contains("failed") && it.get<std::string>("failed") == server.url("/endless"))
            why = it.get<std::string>("why");
        if (it.value().contains("page") && it.get<std::string>("page") == server.url("/leaf"))
            leaf = true;
    }
    CHECK(leaf);
    // What the page yielded within its budget is kept; then it was cut off, not run forever.
    CHECK(numbered > 0);
    CHECK_THAT(why, Catch::Contains("per-page budget") && Catch::Contains("timeout"));
}
