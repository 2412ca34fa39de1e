// Rendering inside a crawl: requests marked render go through Chromium beside the crawl's own
// fetcher, with waits, declarative "actions" and live-page scripts (chromium::on_page).
#include <weft/chromium/render_fetcher.hpp>
#include <weft/engine/engine.hpp>
#include <weft/http/fetcher_registry.hpp>
#include <weft/spider/spider.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>

#include "support/run_sync.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <map>

namespace chromium = weft::chromium;
using namespace std::chrono_literals;
using weft::generator;
using weft::output;
using weft::task;
using weft::test::canned_response;
using weft::test::html_response;
using weft::test::received_request;
using weft::test::test_server;

namespace
{

void add_pages(test_server& s)
{
    // A plain page: its links are in the HTML.
    s.add_handler("/start", [](received_request const&)
                  { return html_response(R"(<html><body><a href="/late">late</a><a href="/more">more</a></body></html>)"); });
    // Its links exist only after a script ran.
    s.add_handler("/late",
                  [](received_request const&)
                  {
                      return html_response(R"(<!doctype html><html><body><script>
            setTimeout(() => { const a = document.createElement('a'); a.id = 'late'; a.href = '/leaf';
                               a.textContent = 'arrived'; document.body.appendChild(a); }, 200);
            </script></body></html>)");
                  });
    s.add_handler("/leaf", [](received_request const&) { return html_response("<html><title>leaf</title></html>"); });
    // Items appear after a click that fetches them.
    s.add_handler("/more",
                  [](received_request const&)
                  {
                      return html_response(R"(<!doctype html><html><body><ul id="list"><li class="item">1</li></ul>
            <button id="more" style="width:100px;height:30px">more</button><script>
            document.getElementById('more').addEventListener('click', async () => {
              for (const i of await (await fetch('/items')).json()) {
                const li = document.createElement('li'); li.className = 'item'; li.textContent = i;
                document.getElementById('list').appendChild(li); }
              document.body.dataset.loaded = 'yes';
            });</script></body></html>)");
                  });
    s.add_handler("/items",
                  [](received_request const&)
                  {
                      canned_response r;
                      r.headers.set("Content-Type", "application/json");
                      r.body = "[2, 3, 4]";
                      return r;
                  });
}

// Fetches /start plainly, then renders /late (waiting for its script's link, which it follows
// plainly) and /more twice: once clicked through meta "actions", once through a C++ script.
class render_spider final : public weft::spider
{
public:
    explicit render_spider(std::string start) : spider{"render_test", {std::move(start)}} {}

    generator<output> parse(weft::response res) override
    {
        auto const path = res.url().substr(res.url().find('/', 8));
        weft::item it;
        it.set("path", path);
        it.set("rendered", res.request().meta_if() && res.request().meta_if()->contains("render"));
        it.set("items", res.css(".item").size());
        if (auto tag = res.request().meta_if(); tag && tag->contains("tag"))
            it.set("tag", (*tag)["tag"]);
        co_yield it;
        if (path == "/start")
        {
            co_yield res.follow("/late").render("#late");

            auto with_actions = res.follow("/more").render();
            with_actions.meta()["actions"] = {{{"click", "#more"}}, {{"wait_for", "body[data-loaded=yes]"}}};
            with_actions.meta()["tag"] = "actions";
            co_yield with_actions;

            auto scripted = chromium::on_page(res.follow("/more?script"),
                                              [](chromium::page& p) -> task<void>
                                              {
                                                  co_await p.async_click("#more");
                                                  co_await p.async_wait_for_selector("body[data-loaded=yes]");
                                              });
            scripted.meta()["tag"] = "script";
            co_yield scripted;
        }
        else if (path == "/late")
            co_yield res.follow(res.css_first("#late")->attr("href").value_or(""));
    }
};

struct recorder final : weft::item_pipeline
{
    std::map<std::string, weft::item>* out;
    explicit recorder(std::map<std::string, weft::item>* o) : out(o) {}
    std::string_view name() const noexcept override { return "recorder"; }
    task<std::optional<weft::item>> process(weft::item it, weft::spider&) override
    {
        auto key = it.get<std::string>("path") + (it.value().contains("tag") ? "#" + it.get<std::string>("tag") : "");
        (*out)[key] = it;
        co_return it;
    }
};

task<weft::engine::crawl_result> crawl(std::string start, std::map<std::string, weft::item>* items)
{
    render_spider sp(std::move(start));
    weft::engine::settings s;
    s.progress = false;
    s.fetcher = "curl";
    weft::engine::engine eng(co_await boost::asio::this_coro::executor, sp, s);
    eng.on_log([](std::string const&) {});
    eng.add_pipeline(std::make_unique<recorder>(items));
    co_return co_await eng.async_run();
}

} // namespace

TEST_CASE("a crawl renders the requests marked render and fetches the rest plainly", "[chromium][engine]")
{
    test_server server;
    add_pages(server);
    std::map<std::string, weft::item> items;
    auto result = weft::test::run_sync(crawl(server.url("/start"), &items), 90s);
    INFO(result.stats.summary());
    CHECK(result.reason == "finished");
    CHECK(result.stats.errors == 0);
    REQUIRE(items.size() == 5);

    CHECK_FALSE(items["/start"].get<bool>("rendered"));
    CHECK(items["/late"].get<bool>("rendered"));
    CHECK_FALSE(items["/leaf"].get<bool>("rendered")); // found only in the rendered DOM
    CHECK(items["/more#actions"].get<int>("items") == 4);
    CHECK(items["/more?script#script"].get<int>("items") == 4);
    // Chromium fetched the scripts' data; curl fetched the plain pages once each.
    CHECK(server.request_count("/items") == 2);
    CHECK(server.request_count("/leaf") == 1);
    CHECK(server.request_count("/start") == 1);
}

TEST_CASE("a bad render step, block name or screenshot path fails its request with a message naming it", "[chromium][fetcher]")
{
    test_server server;
    add_pages(server);
    auto url = server.url("/more");
    weft::test::run_sync(
        [](std::string url) -> task<void>
        {
            auto f = weft::http::make_fetcher("chromium", co_await boost::asio::this_coro::executor);
            auto bad_step = weft::http::request(url);
            bad_step.meta()["actions"] = {{{"click", "#more"}}, {{"jump", "#more"}}};
            auto [ec, res] = co_await f->async_fetch(bad_step, nullptr, boost::asio::as_tuple(boost::asio::deferred));
            CHECK(ec == chromium::error::unsupported);
            CHECK(ec == weft::condition::client_error);
            CHECK_THAT(res.error_detail, Catch::Contains("actions[1]") && Catch::Contains("jump") &&
                                             Catch::Contains("known: click"));

            auto bad_block = weft::http::request(url);
            bad_block.meta()["block"] = {"images", "pictures"};
            std::tie(ec, res) = co_await f->async_fetch(bad_block, nullptr, boost::asio::as_tuple(boost::asio::deferred));
            CHECK(ec == weft::error::bad_request_option);
            CHECK(ec == weft::condition::client_error);
            CHECK_THAT(res.error_detail, Catch::Contains("meta \"block\": unknown resource type 'pictures' (known: images"));

            auto bad_shot = weft::http::request(url);
            bad_shot.meta()["screenshot"] = true;
            std::tie(ec, res) = co_await f->async_fetch(bad_shot, nullptr, boost::asio::as_tuple(boost::asio::deferred));
            CHECK(ec == weft::error::bad_request_option);
            CHECK_THAT(res.error_detail, Catch::Contains("meta \"screenshot\""));
        }(url));
}
