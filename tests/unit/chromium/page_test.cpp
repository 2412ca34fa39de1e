#include <weft/chromium/page.hpp>

#include <weft/chromium/browser.hpp>

#include "shared_browser.hpp"

#include <support/failure_of.hpp>
#include <support/test_server.hpp>

#include <boost/asio/this_coro.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

namespace chromium = weft::chromium;
namespace http = weft::http;
using namespace std::chrono_literals;
using weft::task;
using weft::test::canned_response;
using weft::test::html_response;
using weft::test::received_request;
using weft::test::run_shared;
using weft::test::shared_page;
using weft::test::test_server;

namespace
{

// The pages the tests drive, served by a loopback server.
void add_pages(test_server& s)
{
    s.add_handler("/late",
                  [](received_request const&)
                  {
                      return html_response(R"(<!doctype html><html><body><p>waiting</p><script>
            setTimeout(() => { const d = document.createElement('div'); d.id = 'late';
                               d.textContent = 'arrived'; document.body.appendChild(d); }, 300);
            </script></body></html>)");
                  });
    s.add_handler(
        "/reveal",
        [](received_request const&)
        {
            return html_response(
                R"(<!doctype html><html><body><div id="box" style="display:none">now you see me</div></body></html>)");
        });
    s.add_handler(
        "/more",
        [](received_request const&)
        {
            return html_response(
                R"(<!doctype html><html><body><ul id="list"><li class="item">1</li><li class="item">2</li></ul>
            <button id="more" style="width:100px;height:30px">more</button><script>
            document.getElementById('more').addEventListener('click', async () => {
              const items = await (await fetch('/items')).json();
              for (const i of items) { const li = document.createElement('li'); li.className = 'item';
                                       li.textContent = i; document.getElementById('list').appendChild(li); }
              document.body.dataset.loaded = 'yes';
            });</script></body></html>)");
        });
    s.add_handler("/items",
                  [](received_request const&)
                  {
                      canned_response r;
                      r.headers.set("Content-Type", "application/json");
                      r.body = "[3, 4, 5]";
                      return r;
                  });
    s.add_handler("/form",
                  [](received_request const&)
                  {
                      return html_response(R"(<!doctype html><html><body><form action="/submitted" method="get">
            <input id="q" name="q" style="width:200px"><button id="go" type="submit">go</button></form></body></html>)");
                  });
    s.add_handler("/submitted",
                  [](received_request const& req)
                  {
                      return html_response("<!doctype html><html><body><h1 id='result'>you asked for " +
                                           req.param("q") + "</h1></body></html>");
                  });
    s.add_handler("/images",
                  [](received_request const&)
                  {
                      return html_response(R"(<!doctype html><html><body><h1>pictures</h1>
            <img src="/img/a.png"><img src="/img/b.png"><link rel="stylesheet" href="/style.css"></body></html>)");
                  });
    s.add_handler("/img/a.png", [](received_request const&) { return canned_response{200, {}, "not really a png"}; });
    s.add_handler("/img/b.png", [](received_request const&) { return canned_response{200, {}, "not really a png"}; });
    s.add_handler("/style.css",
                  [](received_request const&)
                  {
                      canned_response r;
                      r.headers.set("Content-Type", "text/css");
                      r.body = "body { color: black }";
                      return r;
                  });
    s.add_handler("/cookie",
                  [](received_request const& req)
                  {
                      auto r =
                          html_response("<!doctype html><title>cookies</title><p id='c'>" +
                                        std::string(req.headers.get("Cookie").value_or("none")) + "</p><p id='x'>" +
                                        std::string(req.headers.get("X-Weft").value_or("none")) + "</p><p id='ua'>" +
                                        std::string(req.headers.get("User-Agent").value_or("none")) + "</p>");
                      r.headers.add("Set-Cookie", "session=abc; Path=/");
                      return r;
                  });
}

} // namespace

TEST_CASE("goto returns the main response and content the rendered HTML", "[chromium][page][websocket]")
{
    test_server server;
    add_pages(server);
    auto url = server.url("/late");
    auto transport = GENERATE(chromium::devtools_transport::pipe, chromium::devtools_transport::websocket);
    run_shared(
        [](std::string url, chromium::devtools_transport transport) -> task<void>
        {
            auto page = co_await shared_page(transport);
            auto res = co_await page.async_goto(url);
            CHECK(res.status == 200);
            CHECK(res.url == url);
            CHECK(res.final_url == url);
            CHECK(res.headers.get("Content-Type") == std::optional<std::string_view>("text/html; charset=utf-8"));

            auto el = co_await page.async_wait_for_selector("#late", {.timeout = 5s});
            REQUIRE(el);
            CHECK(co_await el.async_text() == "arrived");

            auto html = co_await page.async_content();
            CHECK(html.starts_with("<!DOCTYPE html>"));
            CHECK(html.find("<div id=\"late\">arrived</div>") != std::string::npos);
            auto doc = co_await page.async_document();
            CHECK(doc.text("#late") == "arrived");
            co_await page.async_close();
        }(url, transport));
}

TEST_CASE("goto follows redirects and reports 404 as a response", "[chromium][page]")
{
    test_server server;
    auto redirect = server.url("/redirect/2");
    auto missing = server.url("/status/404");
    run_shared(
        [](std::string redirect, std::string missing) -> task<void>
        {
            auto page = co_await shared_page();
            auto res = co_await page.async_goto(redirect, {.wait_until = chromium::wait_until::domcontentloaded});
            CHECK(res.status == 200);
            CHECK(res.redirects == 2);
            CHECK(res.final_url.ends_with("/redirect/0"));
            auto res404 = co_await page.async_goto(missing);
            CHECK(res404.status == 404);
            co_await page.async_close();
        }(redirect, missing));
}

TEST_CASE("a page reused for many navigations still reports each main response", "[chromium][page]")
{
    test_server server;
    auto base = server.url("/html?title=");
    run_shared(
        [](std::string base) -> task<void>
        {
            auto page = co_await shared_page();
            for (int i = 0; i < 12; ++i)
            {
                auto res = co_await page.async_goto(base + std::to_string(i));
                CHECK(res.status == 200);
                CHECK(co_await page.async_title() == std::to_string(i));
            }
            co_await page.async_close();
        }(base));
}

TEST_CASE("goto to a closed port fails with navigation_failed naming the net error", "[chromium][page]")
{
    auto url = "http://127.0.0.1:" + std::to_string(weft::test::unused_port()) + "/";
    run_shared(
        [](std::string url) -> task<void>
        {
            auto page = co_await shared_page();
            {
                auto const e = co_await weft::test::failure_of(page.async_goto(url), "goto");
                CHECK(e.code() == chromium::error::navigation_failed);
                CHECK(e.code() == weft::condition::network);
                CHECK_THAT(e.what(), Catch::Contains("ERR_CONNECTION_REFUSED"));
            }
            co_await page.async_close();
        }(url));
}

TEST_CASE("wait_for_selector waits for an element to become visible and to be hidden again", "[chromium][page]")
{
    test_server server;
    add_pages(server);
    auto url = server.url("/reveal");
    run_shared(
        [](std::string url) -> task<void>
        {
            auto page = co_await shared_page();
            co_await page.async_goto(url);
            // Attached at once, visible only once the page is told to show it.
            auto attached = co_await page.async_wait_for_selector("#box", {.timeout = 1s});
            CHECK(attached);
            auto hidden_first =
                co_await page.async_wait_for_selector("#box", {.state = weft::selector_state::hidden, .timeout = 1s});
            CHECK_FALSE(hidden_first);
            co_await page.async_evaluate(
                "setTimeout(() => { document.getElementById('box').style.display = 'block'; }, 200)");
            auto visible =
                co_await page.async_wait_for_selector("#box", {.state = weft::selector_state::visible, .timeout = 5s});
            CHECK(co_await visible.async_text() == "now you see me");
            CHECK(co_await page.async_evaluate("document.getElementById('box').style.display") == "block");

            co_await page.async_evaluate("setTimeout(() => document.getElementById('box').remove(), 100)");
            auto gone =
                co_await page.async_wait_for_selector("#box", {.state = weft::selector_state::detached, .timeout = 5s});
            CHECK_FALSE(gone);
            auto hidden =
                co_await page.async_wait_for_selector("#box", {.state = weft::selector_state::hidden, .timeout = 1s});
            CHECK_FALSE(hidden);
            co_await page.async_close();
        }(url));
}

TEST_CASE("wait_for_selector for an element that never appears fails with selector_timeout", "[chromium][page]")
{
    test_server server;
    add_pages(server);
    auto url = server.url("/late");
    run_shared(
        [](std::string url) -> task<void>
        {
            auto page = co_await shared_page();
            co_await page.async_goto(url);
            auto const start = std::chrono::steady_clock::now();
            {
                auto const e = co_await weft::test::failure_of(
                    page.async_wait_for_selector("#never", {.timeout = 500ms}), "wait_for_selector");
                auto const waited = std::chrono::steady_clock::now() - start;
                CHECK(e.code() == weft::error::selector_timeout);
                CHECK(e.code() == weft::condition::timeout);
                CHECK_THAT(e.what(), Catch::Contains("#never"));
                CHECK_THAT(e.what(), Catch::Contains("ms"));
                CHECK(waited >= 450ms);
                CHECK(waited < 3s);
            }
            {
                auto const e = co_await weft::test::failure_of(
                    page.async_wait_for_selector("##bad", {.timeout = 500ms}), "a bad selector");
                CHECK(e.code() == weft::error::bad_selector);
            }
            co_await page.async_close();
        }(url));
}

TEST_CASE("a click loads more items", "[chromium][page][websocket]")
{
    test_server server;
    add_pages(server);
    auto url = server.url("/more");
    auto transport = GENERATE(chromium::devtools_transport::pipe, chromium::devtools_transport::websocket);
    run_shared(
        [](std::string url, chromium::devtools_transport transport) -> task<void>
        {
            auto page = co_await shared_page(transport);
            co_await page.async_goto(url);
            CHECK((co_await page.async_query_all("li.item")).size() == 2);
            co_await page.async_click("#more", {.timeout = 5s});
            co_await page.async_wait_for_selector("li.item:nth-child(5)", {.timeout = 5s});
            auto items = co_await page.async_query_all("li.item");
            REQUIRE(items.size() == 5);
            CHECK(co_await items[4].async_text() == "5");
            auto loaded = co_await page.async_wait_for_function("document.body.dataset.loaded", {.timeout = 2s});
            CHECK(loaded == "yes");
            co_await page.async_close();
        }(url, transport));
    CHECK(server.request_count("/items") == 1);
}

TEST_CASE("typing into a form and submitting it navigates", "[chromium][page]")
{
    test_server server;
    add_pages(server);
    auto url = server.url("/form");
    run_shared(
        [](std::string url) -> task<void>
        {
            auto page = co_await shared_page();
            co_await page.async_goto(url);
            co_await page.async_type("#q", "weft rocks");
            CHECK(co_await page.async_evaluate("document.getElementById('q').value") == "weft rocks");
            co_await page.async_click("#go");
            auto res = co_await page.async_wait_for_navigation({.timeout = 5s});
            CHECK(res.status == 200);
            CHECK(res.final_url.find("/submitted?q=weft+rocks") != std::string::npos);
            auto h1 = co_await page.async_wait_for_selector("#result", {.timeout = 5s});
            CHECK(co_await h1.async_text() == "you asked for weft rocks");
            CHECK((co_await page.async_url()).find("/submitted") != std::string::npos);
            co_await page.async_close();
        }(url));
}

TEST_CASE("a request filter blocks images and stylesheets before they reach the network", "[chromium][page]")
{
    test_server server;
    add_pages(server);
    auto url = server.url("/images");
    auto size = run_shared(
        [](std::string url) -> task<std::size_t>
        {
            auto page = co_await shared_page();
            auto filter = chromium::request_filter{}.block(chromium::resource::image).abort_url("*.css");
            co_await page.async_set_request_filter(std::move(filter));
            auto res = co_await page.async_goto(url);
            CHECK(res.status == 200);
            auto blocked = page.blocked_requests();
            co_await page.async_close();
            co_return blocked;
        }(url));
    CHECK(size == 3);
    CHECK(server.request_count("/images") == 1);
    CHECK(server.request_count("/img/a.png") == 0);
    CHECK(server.request_count("/img/b.png") == 0);
    CHECK(server.request_count("/style.css") == 0);
}

TEST_CASE("evaluate returns JSON and turns a JS exception into javascript_error", "[chromium][page][websocket]")
{
    auto transport = GENERATE(chromium::devtools_transport::pipe, chromium::devtools_transport::websocket);
    run_shared(
        [](chromium::devtools_transport transport) -> task<void>
        {
            auto page = co_await shared_page(transport);
            auto v = co_await page.async_evaluate("({a: 1, b: [true, 'x'], c: null})");
            CHECK(v == nlohmann::json::parse(R"({"a": 1, "b": [true, "x"], "c": null})"));
            CHECK(co_await page.async_evaluate("new Promise(r => setTimeout(() => r(42), 10))") == 42);
            CHECK((co_await page.async_evaluate("undefined")).is_null());
            {
                auto const e =
                    co_await weft::test::failure_of(page.async_evaluate("throw new Error('boom')"), "evaluate");
                CHECK(e.code() == chromium::error::javascript_error);
                CHECK_THAT(e.what(), Catch::Contains("Error: boom"));
            }
            {
                auto const e = co_await weft::test::failure_of(
                    page.async_evaluate("Promise.reject(new TypeError('nope'))"), "evaluate");
                CHECK(e.code() == chromium::error::javascript_error);
                CHECK_THAT(e.what(), Catch::Contains("TypeError: nope"));
            }
            {
                auto const e = co_await weft::test::failure_of(
                    page.async_wait_for_function("window.never_set", {.timeout = 300ms}), "wait_for_function");
                CHECK(e.code() == weft::condition::timeout);
            }
            co_await page.async_close();
        }(transport));
}

TEST_CASE("wait_for_function polls by animation frame, mutation and interval", "[chromium][page]")
{
    run_shared(
        []() -> task<void>
        {
            auto page = co_await shared_page();
            co_await page.async_evaluate("setTimeout(() => { window.ready = 7; }, 100)");
            CHECK(co_await page.async_wait_for_function("window.ready", {.timeout = 5s}) == 7);
            co_await page.async_evaluate("setTimeout(() => document.body.setAttribute('data-x', 'y'), 100)");
            CHECK(co_await page.async_wait_for_function(
                      "() => document.body.dataset.x", {.timeout = 5s, .polling = chromium::polling::mutation}) == "y");
            co_await page.async_evaluate("setTimeout(() => { window.later = 'z'; }, 100)");
            CHECK(co_await page.async_wait_for_function(
                      "window.later", {.timeout = 5s, .polling = chromium::polling::interval, .interval = 20ms}) ==
                  "z");
            co_await page.async_close();
        }());
}

TEST_CASE("a screenshot is a PNG", "[chromium][page][websocket]")
{
    test_server server;
    add_pages(server);
    auto url = server.url("/more");
    auto transport = GENERATE(chromium::devtools_transport::pipe, chromium::devtools_transport::websocket);
    run_shared(
        [](std::string url, chromium::devtools_transport transport) -> task<void>
        {
            auto page = co_await shared_page(transport);
            co_await page.async_goto(url);
            auto png = co_await page.async_screenshot();
            REQUIRE(png.size() > 100);
            CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
            auto full = co_await page.async_screenshot({.full_page = true});
            CHECK(full.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
            co_await page.async_close();
        }(url, transport));
}

TEST_CASE("extra headers, the user agent and cookies reach the server", "[chromium][page]")
{
    test_server server;
    add_pages(server);
    auto url = server.url("/cookie");
    run_shared(
        [](std::string url) -> task<void>
        {
            auto page = co_await shared_page();
            http::headers h;
            h.set("X-Weft", "yes");
            co_await page.async_set_extra_headers(std::move(h));
            co_await page.async_set_user_agent("weft-test/1.0");
            chromium::cookie c;
            c.name = "flavour";
            c.value = "oat";
            c.url = url;
            std::vector<chromium::cookie> cookies{c};
            co_await page.async_set_cookies(std::move(cookies));
            co_await page.async_goto(url);
            CHECK(co_await (co_await page.async_wait_for_selector("#c")).async_text() == "flavour=oat");
            CHECK(co_await (co_await page.async_wait_for_selector("#x")).async_text() == "yes");
            CHECK(co_await (co_await page.async_wait_for_selector("#ua")).async_text() == "weft-test/1.0");
            auto jar = co_await page.async_cookies();
            bool has_session = false;
            for (auto const& k : jar)
                has_session = has_session || (k.name == "session" && k.value == "abc");
            CHECK(has_session);
            CHECK(co_await page.async_title() == "cookies");
            co_await page.async_close();
        }(url));
}
