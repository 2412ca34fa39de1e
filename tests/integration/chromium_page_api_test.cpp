// The page API beyond navigation, against local pages: events (page::on), waiting for a request,
// a response or network idle, dialogs, cookies of the context, emulation. Each test launches its
// own browser (a few seconds); the checks are on order and presence, never on timings.
#include <weft/chromium/browser.hpp>

#include <support/run_sync.hpp>
#include <support/test_server.hpp>

#include <catch2/catch.hpp>

#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace chromium = weft::chromium;
using namespace std::chrono_literals;
using weft::task;
using weft::test::html_response;
using weft::test::received_request;
using weft::test::run_sync;
using weft::test::test_server;

namespace
{

using page_test = task<void> (*)(chromium::page&, test_server&);

// Runs `body` on a new page of a new browser, then closes the browser.
void with_page(test_server& server, page_test body)
{
    run_sync(
        [](test_server* server, page_test body) -> task<void>
        {
            auto ex = co_await asio::this_coro::executor;
            auto b = co_await chromium::browser::async_launch(ex);
            auto p = co_await b.async_new_page();
            std::exception_ptr failed;
            try
            {
                co_await body(p, *server);
            }
            catch (...)
            {
                failed = std::current_exception();
            }
            co_await b.async_close();
            if (failed)
                std::rethrow_exception(failed);
        }(&server, body),
        90s);
}

std::string at(test_server& s, char const* path)
{
    return s.url(path);
}

} // namespace

TEST_CASE("page::on delivers requests, responses, failures, console messages and uncaught errors in order",
          "[chromium][integration][events]")
{
    test_server server;
    auto const refused = "http://127.0.0.1:" + std::to_string(weft::test::unused_port()) + "/x";
    server.add_handler("/events",
                       [refused](received_request const&)
                       {
                           return html_response("<!doctype html><script>console.log('hello', 42);"
                                                "fetch('" + refused + "').catch(() => {});"
                                                "setTimeout(() => { throw new Error('boom'); }, 0);</script>");
                       });
    with_page(server,
              [](chromium::page& p, test_server& s) -> task<void>
              {
                  auto events = std::make_shared<std::vector<chromium::page_event>>();
                  auto sub = p.on([events](chromium::page_event const& e) { events->push_back(e); });
                  co_await p.async_goto(at(s, "/events"));
                  co_await p.async_wait_for_network_idle({.idle = 300ms, .timeout = 20s});
                  using k = chromium::page_event_kind;
                  auto find = [&](k kind, std::string const& needle)
                  {
                      return std::find_if(events->begin(), events->end(),
                                          [&](auto const& e)
                                          {
                                              return e.kind == kind && (e.url.find(needle) != std::string::npos ||
                                                                        e.text.find(needle) != std::string::npos);
                                          });
                  };
                  auto request = find(k::request, "/events");
                  auto response = find(k::response, "/events");
                  REQUIRE(request != events->end());
                  REQUIRE(response != events->end());
                  CHECK(request < response);
                  CHECK(request->method == "GET");
                  CHECK(request->resource_type == "Document");
                  CHECK(response->status == 200);
                  auto console = find(k::console, "hello");
                  REQUIRE(console != events->end());
                  CHECK(console->text == "hello 42");
                  CHECK(console->type == "log");
                  auto failure = find(k::request_failed, "/x");
                  REQUIRE(failure != events->end());
                  CHECK_THAT(failure->text, Catch::Contains("ERR_CONNECTION_REFUSED"));
                  // The error is thrown in a timer: it may come after network idle.
                  if (find(k::page_error, "boom") == events->end())
                      co_await p.async_wait_for_function("new Promise(r => setTimeout(() => r(true), 200))");
                  auto error = find(k::page_error, "boom");
                  REQUIRE(error != events->end());
                  CHECK_THAT(error->text, Catch::Contains("Error: boom"));

                  auto const seen = events->size();
                  sub.reset(); // unsubscribed: nothing more arrives
                  co_await p.async_evaluate("console.log('after')");
                  CHECK(events->size() == seen);
              });
}

TEST_CASE("page waits for a request and a response a script makes later, and for network idle",
          "[chromium][integration][events]")
{
    test_server server;
    server.add_handler("/app", [](received_request const&) { return html_response("<!doctype html><p>app</p>"); });
    server.add_handler("/api/data", [](received_request const&) { return html_response("{\"n\": 1}"); });
    with_page(server,
              [](chromium::page& p, test_server& s) -> task<void>
              {
                  co_await p.async_goto(at(s, "/app"));
                  co_await p.async_evaluate("setTimeout(() => fetch('/api/data?first'), 300); true");
                  chromium::event_predicate is_data = [](chromium::page_event const& e)
                  { return e.url.find("/api/data") != std::string::npos; };
                  auto request = co_await p.async_wait_for_request(is_data, 20s);
                  CHECK(request.method == "GET");
                  CHECK(request.resource_type == "Fetch");

                  co_await p.async_evaluate("setTimeout(() => fetch('/api/data?second'), 300); true");
                  chromium::event_predicate is_second = [](chromium::page_event const& e)
                  { return e.url.find("/api/data?second") != std::string::npos; };
                  auto response = co_await p.async_wait_for_response(is_second, 20s);
                  CHECK(response.status == 200);
                  CHECK_THAT(response.url, Catch::EndsWith("/api/data?second"));

                  // A response that never comes: the wait says what it waited for.
                  chromium::event_predicate never = [](chromium::page_event const& e)
                  { return e.url.find("/nothing") != std::string::npos; };
                  try
                  {
                      co_await p.async_wait_for_response(never, 300ms);
                      FAIL("no timeout");
                  }
                  catch (weft::system_error const& e)
                  {
                      CHECK(e.code() == weft::condition::timeout);
                      CHECK_THAT(std::string(e.what()), Catch::Contains("wait_for_response"));
                  }

                  // Network idle comes after the slow request ends (waited for once it started).
                  co_await p.async_evaluate("window.done = false; setTimeout(() => fetch('/slow-headers?ms=800')"
                                            ".then(() => { window.done = true; }), 300); true");
                  chromium::event_predicate is_slow = [](chromium::page_event const& e)
                  { return e.url.find("/slow-headers") != std::string::npos; };
                  co_await p.async_wait_for_request(is_slow, 20s);
                  co_await p.async_wait_for_network_idle({.idle = 200ms, .timeout = 20s});
                  auto done = co_await p.async_evaluate("window.done");
                  CHECK(done == true);
              });
}

TEST_CASE("page answers dialogs as told: dismissed, or accepted with a prompt's text", "[chromium][integration][dialog]")
{
    test_server server;
    server.add_handler("/d", [](received_request const&) { return html_response("<!doctype html><p>d</p>"); });
    with_page(server,
              [](chromium::page& p, test_server& s) -> task<void>
              {
                  auto dialogs = std::make_shared<std::vector<chromium::page_event>>();
                  auto sub = p.on(
                      [dialogs](chromium::page_event const& e)
                      {
                          if (e.kind == chromium::page_event_kind::dialog)
                              dialogs->push_back(e);
                      });
                  co_await p.async_goto(at(s, "/d"));
                  CHECK(co_await p.async_evaluate("confirm('sure?')") == true); // accepted by default
                  p.set_dialog_answer(false);
                  CHECK(co_await p.async_evaluate("confirm('really?')") == false);
                  CHECK(co_await p.async_evaluate("prompt('name?', 'x')") == nullptr);
                  p.set_dialog_answer(true, "weft");
                  CHECK(co_await p.async_evaluate("prompt('name?', 'x')") == "weft");
                  REQUIRE(dialogs->size() == 4);
                  CHECK((*dialogs)[0].type == "confirm");
                  CHECK((*dialogs)[0].text == "sure?");
                  CHECK((*dialogs)[3].type == "prompt");
              });
}

TEST_CASE("page sets, reads and clears its context's cookies", "[chromium][integration][cookies]")
{
    test_server server;
    server.add_handler("/c", [](received_request const&) { return html_response("<!doctype html><p>c</p>"); });
    with_page(server,
              [](chromium::page& p, test_server& s) -> task<void>
              {
                  co_await p.async_goto(at(s, "/c"));
                  chromium::cookie c;
                  c.name = "session";
                  c.value = "abc";
                  c.url = at(s, "/");
                  std::vector<chromium::cookie> jar{c};
                  co_await p.async_set_cookies(std::move(jar));
                  auto got = co_await p.async_cookies();
                  REQUIRE(got.size() == 1);
                  CHECK(got[0].name == "session");
                  CHECK(got[0].value == "abc");
                  CHECK(co_await p.async_evaluate("document.cookie") == "session=abc");
                  co_await p.async_clear_cookies();
                  CHECK((co_await p.async_cookies()).empty());
              });
}

TEST_CASE("page emulates a viewport, user agent, timezone, locale, geolocation, color scheme and offline",
          "[chromium][integration][emulation]")
{
    test_server server;
    server.add_handler("/e", [](received_request const&) { return html_response("<!doctype html><p>e</p>"); });
    with_page(server,
              [](chromium::page& p, test_server& s) -> task<void>
              {
                  chromium::emulation e;
                  e.viewport = chromium::emulation::viewport_size{.width = 412, .height = 300, .device_scale_factor = 2};
                  e.user_agent = "weft-test-agent";
                  e.timezone = "Asia/Tokyo";
                  e.locale = "de-DE";
                  e.geolocation = chromium::emulation::position{.latitude = 48.85, .longitude = 2.35};
                  e.color_scheme = "dark";
                  co_await p.async_emulate(std::move(e));
                  co_await p.async_goto(at(s, "/e"));
                  CHECK(co_await p.async_evaluate("window.innerWidth") == 412);
                  CHECK(co_await p.async_evaluate("window.devicePixelRatio") == 2);
                  CHECK(co_await p.async_evaluate("navigator.userAgent") == "weft-test-agent");
                  CHECK(co_await p.async_evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Asia/Tokyo");
                  CHECK(co_await p.async_evaluate("Intl.NumberFormat().resolvedOptions().locale") == "de-DE");
                  CHECK(co_await p.async_evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == true);
                  auto lat = co_await p.async_evaluate(
                      "new Promise(r => navigator.geolocation.getCurrentPosition(p => r(p.coords.latitude), "
                      "e => r(e.message)))");
                  CHECK(lat == 48.85);

                  chromium::emulation off;
                  off.offline = true;
                  co_await p.async_emulate(std::move(off));
                  CHECK(co_await p.async_evaluate("fetch('/e').then(() => 'online', () => 'offline')") == "offline");
              });
}

TEST_CASE("browser contexts keep their cookies apart: set, read and cleared per context",
          "[chromium][integration][cookies]")
{
    test_server server;
    run_sync(
        [](std::string origin) -> task<void>
        {
            auto ex = co_await asio::this_coro::executor;
            auto b = co_await chromium::browser::async_launch(ex);
            auto alice = co_await b.async_new_context();
            auto bob = co_await b.async_new_context();
            chromium::cookie c;
            c.name = "user";
            c.value = "alice";
            c.url = origin;
            std::vector<chromium::cookie> jar{c};
            co_await alice.async_set_cookies(std::move(jar));
            auto mine = co_await alice.async_cookies();
            REQUIRE(mine.size() == 1);
            CHECK(mine[0].value == "alice");
            CHECK((co_await bob.async_cookies()).empty());
            co_await alice.async_clear_cookies();
            CHECK((co_await alice.async_cookies()).empty());
            co_await b.async_close();
        }(server.url("/")),
        90s);
}
