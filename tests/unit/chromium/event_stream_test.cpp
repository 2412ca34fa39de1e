// page::events: a page's events as an asynchronous stream, in order, with a bounded buffer that
// drops the oldest when its consumer falls behind.
#include <weft/chromium/page.hpp>

#include <weft/chromium/browser.hpp>

#include "shared_browser.hpp"

#include <support/failure_of.hpp>
#include <support/test_server.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

namespace chromium = weft::chromium;
using namespace std::chrono_literals;
using weft::task;
using weft::test::html_response;
using weft::test::received_request;
using weft::test::run_shared;
using weft::test::shared_page;
using weft::test::test_server;

namespace
{

void add_logging_page(test_server& s)
{
    s.add_handler("/log",
                  [](received_request const&)
                  {
                      return html_response("<!doctype html><script>for (let i = 1; i <= 5; ++i) console.log('line', i);"
                                           "</script><p id='end'>end</p>");
                  });
}

} // namespace

TEST_CASE("events() yields the page's events of a kind in order, and ends when the page closes",
          "[chromium][events][stream]")
{
    test_server server;
    add_logging_page(server);
    run_shared(
        [](std::string url) -> task<void>
        {
            auto page = co_await shared_page();
            auto console = page.events(chromium::events_of(chromium::page_event_kind::console));
            auto responses = page.events(chromium::events_of(chromium::page_event_kind::response));
            co_await page.async_goto(url);
            for (int i = 1; i <= 5; ++i)
            {
                auto e = co_await console.async_next(10s);
                REQUIRE(e);
                CHECK(e->kind == chromium::page_event_kind::console);
                CHECK(e->text == "line " + std::to_string(i));
            }
            auto r = co_await responses.async_next(10s);
            REQUIRE(r);
            CHECK(r->status == 200);
            CHECK(r->url == url);
            CHECK(console.dropped() == 0);

            auto quiet = co_await weft::test::failure_of(console.async_next(200ms), "a sixth console line");
            CHECK(quiet.code() == weft::condition::timeout);

            co_await page.async_close();
            CHECK_FALSE(co_await console.async_next(10s));
        }(server.url("/log")),
        60s);
}

TEST_CASE("a stream whose consumer falls behind keeps the newest events and counts the dropped",
          "[chromium][events][stream]")
{
    test_server server;
    add_logging_page(server);
    run_shared(
        [](std::string url) -> task<void>
        {
            auto page = co_await shared_page();
            auto console = page.events(chromium::events_of(chromium::page_event_kind::console), 2);
            co_await page.async_goto(url);
            co_await page.async_wait_for_function("document.getElementById('end')");
            // All five were logged before the load event; nobody took any.
            CHECK(console.pending() == 2);
            CHECK(console.dropped() == 3);
            auto fourth = co_await console.async_next(10s);
            auto fifth = co_await console.async_next(10s);
            REQUIRE(fourth);
            REQUIRE(fifth);
            CHECK(fourth->text == "line 4");
            CHECK(fifth->text == "line 5");
            co_await page.async_close();
        }(server.url("/log")),
        60s);
}
