// Files and credentials through a page: upload to a form, PDF printing, downloads to a
// directory, HTTP basic authentication by a server and by a proxy.
#include <weft/chromium/page.hpp>

#include <weft/chromium/browser.hpp>

#include "shared_browser.hpp"

#include <support/failure_of.hpp>
#include <support/temp_dir.hpp>
#include <support/test_server.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>

namespace chromium = weft::chromium;
using namespace std::chrono_literals;
using weft::task;
using weft::test::canned_response;
using weft::test::failure_of;
using weft::test::html_response;
using weft::test::received_request;
using weft::test::run_shared;
using weft::test::shared_page;
using weft::test::temp_dir;
using weft::test::test_server;

namespace
{

std::string slurp(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Pages of a PDF: its /Type /Page objects (not /Pages).
std::size_t pdf_pages(std::string const& pdf)
{
    std::regex const page(R"(/Type\s*/Page[^s])");
    return static_cast<std::size_t>(std::distance(std::sregex_iterator(pdf.begin(), pdf.end(), page), {}));
}

// "Basic " + base64("user:secret").
constexpr char const* good_basic = "Basic dXNlcjpzZWNyZXQ=";

} // namespace

TEST_CASE("upload sets a file input's files and the form posts their bytes", "[chromium][upload]")
{
    test_server server;
    server.add_handler("/form",
                       [](received_request const&)
                       {
                           return html_response("<!doctype html><form action='/upload' method='post' "
                                                "enctype='multipart/form-data'><input type='file' id='file' "
                                                "name='file'><button id='send' type='submit' "
                                                "style='width:80px;height:30px'>send</button></form>");
                       });
    server.add_handler("/upload",
                       [](received_request const& req)
                       { return html_response("<p id='got'>" + std::to_string(req.body.size()) + "</p>"); });
    temp_dir dir;
    std::string const bytes = "weft upload \x01\x02\x03 " + test_server::pattern_body(3000);
    std::ofstream(dir / "data.bin", std::ios::binary) << bytes;
    run_shared(
        [](std::string url, std::string file, std::string missing) -> task<void>
        {
            auto page = co_await shared_page();
            co_await page.async_goto(url);
            auto e = co_await failure_of(page.async_upload("#file", {missing}), "upload of a missing file");
            CHECK_THAT(e.what(), Catch::Contains(missing));
            auto not_input = co_await failure_of(page.async_upload("#send", {file}), "upload to a button");
            CHECK_THAT(not_input.what(), Catch::Contains("not an <input type=file>"));

            co_await page.async_upload("#file", {file});
            CHECK(co_await page.async_evaluate("document.getElementById('file').files[0].name") == "data.bin");
            co_await page.async_click("#send");
            CHECK(co_await page.async_wait_for_selector("#got", {.timeout = 10s}));
            co_await page.async_close();
        }(server.url("/form"), (dir / "data.bin").string(), (dir / "no-such-file.bin").string()),
        60s);
    auto const posted = server.last_request("/upload");
    REQUIRE(posted);
    CHECK(posted->body.find(bytes) != std::string::npos);
    CHECK(posted->body.find("filename=\"data.bin\"") != std::string::npos);
}

TEST_CASE("pdf prints the page's pages, a range of them, and names a range it refuses", "[chromium][pdf]")
{
    test_server server;
    server.add_handler("/two-pages",
                       [](received_request const&)
                       {
                           return html_response("<!doctype html><div style='page-break-after: always'>first</div>"
                                                "<div>second</div>");
                       });
    run_shared(
        [](std::string url) -> task<void>
        {
            auto page = co_await shared_page();
            co_await page.async_goto(url);
            auto const all = co_await page.async_pdf();
            CHECK(all.starts_with("%PDF-"));
            CHECK(pdf_pages(all) == 2);

            chromium::pdf_options second;
            second.page_ranges = "2";
            second.landscape = true;
            auto const one = co_await page.async_pdf(second);
            CHECK(one.starts_with("%PDF-"));
            CHECK(pdf_pages(one) == 1);

            chromium::pdf_options bad;
            bad.page_ranges = "7-9";
            auto e = co_await failure_of(page.async_pdf(bad), "pdf of pages 7-9 of 2");
            CHECK(e.code() == chromium::error::protocol_error);
            CHECK_THAT(e.what(), Catch::Contains("\"7-9\""));
            co_await page.async_close();
        }(server.url("/two-pages")),
        60s);
}

TEST_CASE("a download lands in the directory given, under a name the page did not choose", "[chromium][download]")
{
    test_server server;
    std::string const body = test_server::pattern_body(20'000);
    server.add_handler("/file",
                       [body](received_request const&)
                       {
                           canned_response r;
                           r.headers.set("Content-Type", "application/octet-stream");
                           r.headers.set("Content-Disposition", "attachment; filename=\"../../escape.txt\"");
                           r.body = body;
                           return r;
                       });
    server.add_handler("/links",
                       [](received_request const&)
                       {
                           return html_response("<!doctype html><a id='dl' href='/file' style='display:block;"
                                                "width:100px;height:30px'>get it</a>");
                       });
    temp_dir dir;
    run_shared(
        [](std::string url, std::string dir, std::string body) -> task<void>
        {
            auto page = co_await shared_page();
            auto refused = co_await failure_of(page.async_set_download_dir(dir + "/absent"), "a missing directory");
            CHECK_THAT(refused.what(), Catch::Contains("absent"));
            co_await page.async_set_download_dir(dir);
            co_await page.async_goto(url);
            co_await page.async_click("#dl");
            auto d = co_await page.async_wait_for_download(20s);
            CHECK(d.url.ends_with("/file"));
            CHECK(d.suggested_filename.find("escape") != std::string::npos);
            CHECK(d.bytes == body.size());
            auto const path = std::filesystem::path(d.path);
            CHECK(path.parent_path() == std::filesystem::path(dir));
            CHECK(path.filename().string().find("escape") == std::string::npos);
            CHECK(slurp(path) == body);
            co_await page.async_close();
        }(server.url("/links"), std::filesystem::canonical(dir.path()).string(), body),
        60s);
    CHECK_FALSE(std::filesystem::exists(dir.path().parent_path() / "escape.txt"));
}

TEST_CASE("authenticate answers a server's basic auth; wrong credentials fail naming the user", "[chromium][auth]")
{
    test_server server;
    server.add_handler("/private",
                       [](received_request const& req)
                       {
                           if (req.headers.get("Authorization") == std::optional<std::string_view>(good_basic))
                               return html_response("<!doctype html><p id='secret'>welcome</p>");
                           canned_response r;
                           r.status = 401;
                           r.headers.set("WWW-Authenticate", "Basic realm=\"weft\"");
                           r.body = "who are you?";
                           return r;
                       });
    run_shared(
        [](std::string url) -> task<void>
        {
            // Chromium's auth cache is per context, so the order matters: nothing, wrong, right.
            auto page = co_await shared_page();
            // Headless, nobody can be asked for a password: the navigation fails, saying what to do.
            auto none = co_await failure_of(page.async_goto(url), "goto without credentials");
            CHECK(none.code() == chromium::error::navigation_failed);
            CHECK_THAT(none.what(), Catch::Contains("ERR_INVALID_AUTH_CREDENTIALS") &&
                                        Catch::Contains("async_authenticate"));

            chromium::credentials wrong{"user", "guess"};
            co_await page.async_authenticate(wrong);
            auto e = co_await failure_of(page.async_goto(url, {.timeout = 20s}), "goto with a wrong password");
            CHECK(e.code() == chromium::error::navigation_failed);
            CHECK_THAT(e.what(), Catch::Contains("rejected the credentials of user \"user\""));
            CHECK_THAT(e.what(), Catch::Contains("401"));

            chromium::credentials right{"user", "secret"};
            co_await page.async_authenticate(right);
            auto ok = co_await page.async_goto(url, {.timeout = 20s});
            CHECK(ok.status == 200);
            CHECK(co_await page.async_evaluate("document.getElementById('secret').textContent") == "welcome");
            co_await page.async_close();
        }(server.url("/private")),
        60s);
}

TEST_CASE("authenticate answers a proxy's 407 with the proxy credentials", "[chromium][auth][proxy]")
{
    test_server proxy; // serves absolute-form requests as a forward proxy
    proxy.add_handler("/through",
                      [](received_request const& req)
                      {
                          if (req.proxied_for.empty())
                              return canned_response{400, {}, "not proxied"};
                          if (req.headers.get("Proxy-Authorization") != std::optional<std::string_view>(good_basic))
                          {
                              canned_response r;
                              r.status = 407;
                              r.headers.set("Proxy-Authenticate", "Basic realm=\"proxy\"");
                              return r;
                          }
                          return html_response("<!doctype html><p id='via'>via proxy</p>");
                      });
    run_shared(
        [](std::string proxy) -> task<void>
        {
            chromium::launch_options opts;
            opts.args.push_back("--proxy-server=" + proxy);
            auto browser = co_await chromium::browser::async_launch(weft::test::shared_io().get_executor(), opts);
            auto page = co_await browser.async_new_page();
            chromium::credentials wrong{"user", "guess"};
            co_await page.async_authenticate(wrong);
            auto e = co_await failure_of(page.async_goto("http://weft-proxied.test/through", {.timeout = 20s}),
                                         "goto through a proxy with a wrong password");
            CHECK_THAT(e.what(), Catch::Contains("the proxy"));
            CHECK_THAT(e.what(), Catch::Contains("\"user\""));

            chromium::credentials right{"user", "secret"};
            co_await page.async_authenticate(right);
            auto ok = co_await page.async_goto("http://weft-proxied.test/through", {.timeout = 20s});
            CHECK(ok.status == 200);
            CHECK(co_await page.async_evaluate("document.getElementById('via').textContent") == "via proxy");
            co_await browser.async_close();
        }("http://127.0.0.1:" + std::to_string(proxy.port())),
        60s);
}

TEST_CASE("a browser context's download_dir takes its pages' downloads", "[chromium][download][context]")
{
    test_server server;
    server.add_handler("/report.csv",
                       [](received_request const&)
                       {
                           canned_response r;
                           r.headers.set("Content-Type", "text/csv");
                           r.headers.set("Content-Disposition", "attachment; filename=\"report.csv\"");
                           r.body = "a,b\n1,2\n";
                           return r;
                       });
    temp_dir dir;
    run_shared(
        [](std::string url, std::string dir) -> task<void>
        {
            auto browser = co_await chromium::browser::async_launch(weft::test::shared_io().get_executor());
            chromium::context_options opts;
            opts.download_dir = dir;
            auto context = co_await browser.async_new_context(opts);
            auto page = co_await context.async_new_page();
            // A navigation that turns into a download: it does not commit, so goto fails (as
            // Puppeteer's does), and the file arrives all the same.
            try
            {
                co_await page.async_goto(url, {.timeout = 20s});
            }
            catch (weft::system_error const&)
            {
            }
            auto d = co_await page.async_wait_for_download(20s);
            CHECK(d.suggested_filename == "report.csv");
            CHECK(std::filesystem::path(d.path).parent_path() == std::filesystem::path(dir));
            CHECK(slurp(d.path) == "a,b\n1,2\n");
            co_await browser.async_close();
        }(server.url("/report.csv"), std::filesystem::canonical(dir.path()).string()),
        60s);
}
