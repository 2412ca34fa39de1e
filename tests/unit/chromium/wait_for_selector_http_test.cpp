// weft::async_wait_for_selector on plain HTTP (framework/include/weft/http/wait_for_selector.hpp):
// re-fetching a page until the server's HTML has the element. Tested here, beside the browser
// version it mirrors, with the Beast fetcher.
#include <weft/http/wait_for_selector.hpp>

#include <weft/http/fetcher_registry.hpp>

#include <support/failure_of.hpp>
#include <support/run_sync.hpp>
#include <support/test_server.hpp>

#include <boost/asio/this_coro.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace http = weft::http;
using namespace std::chrono_literals;
using weft::task;
using weft::test::canned_response;
using weft::test::received_request;
using weft::test::run_sync;
using weft::test::test_server;

namespace
{

// "/report" is "still generating" for the first `ready_after` requests, then has the table.
void add_report(test_server& s, int ready_after)
{
    auto count = std::make_shared<std::atomic<int>>(0);
    s.add_handler("/report",
                  [count, ready_after](received_request const&)
                  {
                      canned_response r;
                      r.headers.set("Content-Type", "text/html");
                      if (++*count <= ready_after)
                          r.body = "<html><body><p class='busy'>still generating</p></body></html>";
                      else
                          r.body = "<html><body><table id='report'><tr><td>42</td></tr></table></body></html>";
                      return r;
                  });
}

} // namespace

TEST_CASE("wait_for_selector over HTTP re-fetches until the element is there", "[chromium][http][wait_for_selector]")
{
    test_server server;
    add_report(server, 3);
    auto url = server.url("/report");
    run_sync(
        [](std::string url) -> task<void>
        {
            auto f = http::make_fetcher("beast", co_await boost::asio::this_coro::executor);
            auto req = http::request{url};
            auto m = co_await weft::async_wait_for_selector(*f, std::move(req), "#report td",
                                                            {.timeout = 5s, .polling = 20ms, .backoff = 1.0});
            CHECK(m.response.status == 200);
            REQUIRE(m.element);
            CHECK(m.element->text() == "42");
            CHECK(m.document.css("td").size() == 1);

            auto gone = http::request{url};
            auto d = co_await weft::async_wait_for_selector(*f, std::move(gone), ".busy",
                                                            {.state = weft::selector_state::detached, .timeout = 1s});
            CHECK_FALSE(d.element);
        }(url));
    CHECK(server.request_count("/report") == 5);
}

TEST_CASE("wait_for_selector over HTTP fails with selector_timeout naming the selector and the time",
          "[chromium][http][wait_for_selector]")
{
    test_server server;
    add_report(server, 1000);
    auto url = server.url("/report");
    run_sync(
        [](std::string url) -> task<void>
        {
            auto f = http::make_fetcher("beast", co_await boost::asio::this_coro::executor);
            auto const start = std::chrono::steady_clock::now();
            {
                auto const e = co_await weft::test::failure_of(
                    weft::async_wait_for_selector(*f, http::request{url}, "#report",
                                                  {.timeout = 400ms, .polling = 50ms, .backoff = 1.5}),
                    "wait_for_selector");
                CHECK(e.code() == weft::error::selector_timeout);
                CHECK(e.code() == weft::condition::timeout);
                CHECK_THAT(e.what(), Catch::Contains("#report"));
                CHECK_THAT(e.what(), Catch::Contains("ms"));
                CHECK_THAT(e.what(), Catch::Contains("fetches"));
            }
            auto const waited = std::chrono::steady_clock::now() - start;
            CHECK(waited >= 350ms);
            CHECK(waited < 2s);

            // A bad selector is refused where the task is awaited (as the browser's), before any fetch.
            auto never = url.substr(0, url.rfind('/')) + "/never-fetched";
            auto bad = weft::async_wait_for_selector(*f, http::request{never}, "##", {.timeout = 400ms});
            auto const e = co_await weft::test::failure_of(std::move(bad), "wait_for_selector(\"##\")");
            CHECK(e.code() == weft::error::bad_selector);
        }(url));
    CHECK(server.request_count("/never-fetched") == 0);
}

TEST_CASE("wait_for_document over HTTP waits for any predicate", "[chromium][http][wait_for_selector]")
{
    test_server server;
    add_report(server, 2);
    auto url = server.url("/report");
    run_sync(
        [](std::string url) -> task<void>
        {
            auto f = http::make_fetcher("beast", co_await boost::asio::this_coro::executor);
            auto req = http::request{url};
            auto m = co_await weft::async_wait_for_document(
                *f, std::move(req),
                [](http::response const& r, weft::html::document const& d) { return r.ok() && d.text("td") == "42"; },
                {.timeout = 5s, .polling = 10ms}, "the answer");
            CHECK(m.document.text("td") == "42");
        }(url));
}
