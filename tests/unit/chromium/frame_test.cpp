// Frames: a page with a same-origin iframe and a cross-origin one (another port under another
// host name: another site, so Chromium renders it in another process), listed, found and
// scripted, clicked and queried inside.
#include <weft/chromium/frame.hpp>

#include <weft/chromium/browser.hpp>

#include "shared_browser.hpp"

#include <support/failure_of.hpp>
#include <support/test_server.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
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

// A frame's document: its origin's name, and a button that says it was clicked.
std::string frame_page(std::string const& who)
{
    return "<!doctype html><p id='who'>" + who + "</p><button id='b' style='width:120px;height:40px' "
           "onclick=\"const d = document.createElement('p'); d.id = 'done'; d.textContent = 'clicked " + who +
           "'; document.body.appendChild(d)\">press</button>";
}

void add_frames(test_server& top, test_server& other)
{
    other.add_handler("/oop", [](received_request const&) { return html_response(frame_page("other origin")); });
    top.add_handler("/child", [](received_request const&) { return html_response(frame_page("same origin")); });
    auto const other_url = "http://localhost:" + std::to_string(other.port()) + "/oop";
    top.add_handler("/top",
                    [other_url](received_request const&)
                    {
                        return html_response("<!doctype html><body style='margin:0'><p>top</p>"
                                             "<iframe name='same' id='s' src='/child' width='300' height='120'></iframe>"
                                             "<iframe name='other' id='o' src='" + other_url +
                                             "' width='300' height='120' style='margin-left:40px'></iframe></body>");
                    });
}

} // namespace

TEST_CASE("frames are listed and found by name, URL and selector, cross-origin ones included", "[chromium][frames]")
{
    test_server top, other;
    add_frames(top, other);
    run_shared(
        [](std::string url, unsigned short other_port) -> task<void>
        {
            auto page = co_await shared_page();
            co_await page.async_goto(url);
            auto same = co_await page.async_frame(chromium::frame_query::name("same"), 10s);
            auto oop = co_await page.async_frame(chromium::frame_query::url("http://localhost:*/oop"), 10s);
            auto by_element = co_await page.async_frame(chromium::frame_query::selector("iframe#o"), 10s);
            CHECK(by_element.id() == oop.id());
            CHECK(same.id() != oop.id());

            auto frames = co_await page.async_frames();
            REQUIRE(frames.size() == 3);
            CHECK(frames[0].id == page.target_id());
            CHECK(frames[0].parent_id.empty());
            auto find = [&](std::string const& id)
            { return *std::find_if(frames.begin(), frames.end(), [&](auto const& f) { return f.id == id; }); };
            CHECK(find(same.id()).name == "same");
            CHECK(find(same.id()).parent_id == page.target_id());
            CHECK_FALSE(find(same.id()).out_of_process);
            CHECK(find(oop.id()).name == "other");
            CHECK(find(oop.id()).url == "http://localhost:" + std::to_string(other_port) + "/oop");
            CHECK(find(oop.id()).parent_id == page.target_id());
            // Another site: rendered by another process, reached through its own session.
            CHECK(find(oop.id()).out_of_process);
            co_await page.async_close();
        }(top.url("/top"), other.port()),
        60s);
}

TEST_CASE("evaluate, query, click and content run inside a same-origin and a cross-origin frame",
          "[chromium][frames]")
{
    test_server top, other;
    add_frames(top, other);
    run_shared(
        [](std::string url) -> task<void>
        {
            auto page = co_await shared_page();
            co_await page.async_goto(url);
            auto same = co_await page.async_frame(chromium::frame_query::name("same"), 10s);
            auto oop = co_await page.async_frame(chromium::frame_query::name("other"), 10s);

            CHECK(co_await same.async_evaluate("document.getElementById('who').textContent") == "same origin");
            CHECK(co_await oop.async_evaluate("document.getElementById('who').textContent") == "other origin");
            CHECK(co_await page.async_evaluate("document.querySelectorAll('#who').length") == 0);
            CHECK((co_await oop.async_url()).ends_with("/oop"));

            auto paragraphs = co_await oop.async_query_all("p");
            REQUIRE(paragraphs.size() == 1);
            CHECK(co_await paragraphs[0].async_text() == "other origin");
            CHECK((co_await oop.async_content()).find("<p id=\"who\">other origin</p>") != std::string::npos);

            // Real mouse events at the button's place in the page: each frame's own button.
            co_await oop.async_click("#b", {.timeout = 10s});
            auto done = co_await oop.async_wait_for_selector("#done", {.timeout = 10s});
            REQUIRE(done);
            CHECK(co_await done.async_text() == "clicked other origin");
            co_await same.async_click("#b", {.timeout = 10s});
            auto same_done = co_await same.async_wait_for_selector("#done", {.timeout = 10s});
            REQUIRE(same_done);
            CHECK(co_await same_done.async_text() == "clicked same origin");
            // Neither click landed in the other frame.
            CHECK(co_await oop.async_evaluate("document.querySelectorAll('#done').length") == 1);
            co_await page.async_close();
        }(top.url("/top")),
        60s);
}

TEST_CASE("a frame no query matches fails naming the query once its deadline passes", "[chromium][frames]")
{
    test_server top, other;
    add_frames(top, other);
    run_shared(
        [](std::string url) -> task<void>
        {
            auto page = co_await shared_page();
            co_await page.async_goto(url);
            auto e = co_await weft::test::failure_of(page.async_frame(chromium::frame_query::name("absent"), 300ms),
                                                     "frame(name absent)");
            CHECK(e.code() == weft::condition::timeout);
            CHECK_THAT(e.what(), Catch::Contains("name \"absent\""));
            auto not_frame =
                co_await weft::test::failure_of(page.async_frame(chromium::frame_query::selector("p"), 300ms),
                                                "frame(selector p)");
            CHECK_THAT(not_frame.what(), Catch::Contains("not an <iframe>"));
            co_await page.async_close();
        }(top.url("/top")),
        60s);
}
