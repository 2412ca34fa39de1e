// 02_browser_login: drive a real browser the way a Puppeteer script does: open a page, log in
// through its form, wait for what the login reveals, and collect a table from it.
//
//   weft_example_02_browser_login [URL]
//
// Without a URL it uses a built-in single-page app (a data: URL: no server needed) whose form
// "logs in" after a short delay and then draws an orders table. A URL of your own needs the same
// ids: #user, #password, #login and a table#orders. Needs Chromium (/usr/bin/chromium, or set
// WEFT_CHROMIUM).
#include <weft/async.hpp>
#include <weft/chromium/chromium.hpp>

#include <iostream>
#include <string>

using namespace std::chrono_literals;
namespace chromium = weft::chromium;

// The demo app: the table only exists after a successful login, like most dashboards.
constexpr char const* demo_app = R"(data:text/html,<!doctype html><title>shop</title>
<form id="form"><input id="user"><input id="password" type="password"><button id="login">log in</button></form>
<script>
document.getElementById('form').addEventListener('submit', (e) => {
  e.preventDefault();
  const ok = document.getElementById('password').value === 'hunter2';
  setTimeout(() => {
    document.body.innerHTML = ok
      ? '<h1>Welcome ' + document.getElementById('user').value + '</h1><table id="orders">' +
        '<tr><td>1001</td><td>coffee</td><td>4.50</td></tr>' +
        '<tr><td>1002</td><td>bagel</td><td>2.25</td></tr></table>'
      : '<p id="error">wrong password</p>';
  }, 400);
});
</script>)";

weft::task<int> login_and_collect(std::string url)
{
    // 1. Launch headless Chromium and open a tab (puppeteer.launch(), browser.newPage()).
    auto browser = co_await chromium::browser::async_launch(co_await weft::asio::this_coro::executor);
    auto page = co_await browser.async_new_page();

    // 2. Go to the login page and wait until it has loaded (page.goto(url)).
    co_await page.async_goto(url, {.timeout = 15s});

    // 3. Fill in the form and submit it. async_type waits for the field to be visible first,
    //    then types key by key, as a user would.
    co_await page.async_type("#user", "ada");
    co_await page.async_type("#password", "hunter2");
    co_await page.async_click("#login");

    // 4. Wait for what only a logged-in user sees. Nothing waits forever: after 5 s this throws
    //    weft::error::selector_timeout, naming the selector.
    co_await page.async_wait_for_selector("table#orders", {.state = weft::selector_state::visible, .timeout = 5s});

    // 5. Collect the table. Either ask the page (one evaluate, JSON back)...
    auto rows = co_await page.async_evaluate(
        "[...document.querySelectorAll('#orders tr')].map(tr => [...tr.cells].map(td => td.textContent))");
    for (auto const& row : rows)
        std::cout << row[0].get<std::string>() << '\t' << row[1].get<std::string>() << '\t' << row[2].get<std::string>()
                  << '\n';

    // ...or take the rendered HTML and use weft's own parser on it.
    auto doc = co_await page.async_document();
    std::cout << doc.text("h1") << ": " << doc.css("#orders tr").size() << " orders\n";

    // 6. Close politely: the browser exits and its temporary profile is removed.
    co_await browser.async_close();
    co_return 0;
}

int main(int argc, char** argv)
{
    // weft::run prints "weft: <what>" and returns 1 if anything above throws.
    return weft::run(login_and_collect(argc > 1 ? argv[1] : demo_app));
}
