// The engine through the library, against a real local site (test_server), with the real fetchers.
#include <weft/engine/engine.hpp>

#include <weft/sink/registry.hpp>

#include "support/item_recorder.hpp"
#include "support/run_sync.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <mutex>
#include <set>

using namespace std::chrono_literals;

namespace
{

// n pages in a binary tree from index.html; each links to its children, the index, itself, a
// fragment of page 1, an offsite URL and a mailto: exactly n reachable pages.
void make_site(std::filesystem::path const& root, int n, std::string const& extra_index = {})
{
    for (int i = 0; i < n; ++i)
    {
        auto name = [](int k) { return k == 0 ? std::string("index.html") : "p" + std::to_string(k) + ".html"; };
        std::string body = "<html><head><title>Page " + std::to_string(i) + "</title></head><body>";
        for (int c : {2 * i + 1, 2 * i + 2})
            if (c < n)
                body += "<a href=\"" + name(c) + "\">child</a>";
        body += "<a href=\"/\">home</a><a href=\"" + (i == 0 ? std::string("/") : name(i)) + "\">self</a>";
        if (n > 1)
            body += "<a href=\"p1.html#top\">frag</a>";
        body += "<a href=\"http://offsite.invalid/x\">off</a><a href=\"mailto:x@y\">mail</a>";
        if (i == 0)
            body += extra_index;
        body += "</body></html>";
        std::ofstream(root / name(i)) << body;
    }
}

std::multiset<std::string> urls_of(std::vector<weft::item> const& items)
{
    std::multiset<std::string> out;
    for (auto const& it : items)
        out.insert(it.get<std::string>("url"));
    return out;
}

weft::task<weft::engine::crawl_result> crawl(std::vector<std::string> start, weft::engine::settings s,
                                             std::vector<weft::item>* items)
{
    auto ex = co_await boost::asio::this_coro::executor;
    auto sp = weft::make_spider("site");
    for (auto& u : start)
        sp->add_start_url(u);
    s.progress = false;
    weft::engine::engine eng(ex, *sp, s);
    eng.on_log([](std::string const&) {});
    eng.add_pipeline(std::make_unique<weft::test::item_recorder>(items));
    co_return co_await eng.async_run();
}

} // namespace

TEST_CASE("the engine crawls every reachable page of a site exactly once", "[engine][crawl]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 40);
    weft::test::test_server server({.tls = false, .root = dir.path()});
    auto fetcher = GENERATE(as<std::string>{}, "curl", "beast");
    weft::engine::settings s;
    s.fetcher = fetcher;
    std::vector<weft::item> items;
    auto result = weft::test::run_sync(crawl({server.url("/")}, s, &items));
    INFO(fetcher << ": " << result.stats.summary());
    CHECK(result.reason == "finished");
    CHECK(items.size() == 40);
    auto urls = urls_of(items);
    CHECK(std::set<std::string>(urls.begin(), urls.end()).size() == 40);
    CHECK(result.stats.pages == 40);
    CHECK(result.stats.errors == 0);
    CHECK(result.stats.filtered_offsite > 0);
    CHECK(result.stats.filtered_duplicate > 0);
    CHECK(server.request_count("/robots.txt") == 1);
    for (int i = 1; i < 40; ++i)
        CHECK(server.request_count("/p" + std::to_string(i) + ".html") == 1);
    CHECK(result.exit_code(0.5) == 0);
}

TEST_CASE("the engine obeys robots.txt and can be told not to", "[engine][crawl][robots]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 15);
    std::ofstream(dir / "robots.txt") << "User-agent: *\nDisallow: /p1.html\n";
    weft::test::test_server server({.tls = false, .root = dir.path()});
    std::vector<weft::item> items;
    auto result = weft::test::run_sync(crawl({server.url("/")}, {}, &items));
    // p1's subtree (p3, p4, p7..p10) is reachable only through p1.
    CHECK(server.request_count("/p1.html") == 0);
    CHECK(items.size() == 15 - 7);
    CHECK(result.stats.filtered_robots >= 1);
    CHECK(server.request_count("/robots.txt") == 1);

    server.reset_counters();
    weft::engine::settings s;
    s.obey_robots = false;
    std::vector<weft::item> all;
    weft::test::run_sync(crawl({server.url("/")}, s, &all));
    CHECK(all.size() == 15);
    CHECK(server.request_count("/robots.txt") == 0);
}

TEST_CASE("robots.txt answering 5xx fetches nothing of the host and gives its URLs up past the limit; 4xx allows it",
          "[engine][crawl][robots]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 3);
    weft::test::test_server server({.tls = false, .root = dir.path()});
    int status = 503;
    server.add_handler("/robots.txt",
                       [&](weft::test::received_request const&)
                       {
                           weft::test::canned_response r;
                           r.status = status;
                           return r;
                       });
    weft::engine::settings s;
    s.retries = 0;
    s.robots_unreachable_limit = std::chrono::milliseconds(0); // give up after the first failed fetch
    std::vector<weft::item> items;
    auto result = weft::test::run_sync(crawl({server.url("/")}, s, &items));
    REQUIRE(items.size() == 1); // the start URL ends in an item naming the cause
    CHECK(items[0].get<std::string>("error").starts_with("robots.txt unreachable: HTTP 503"));
    CHECK(server.request_count("/") == 0); // RFC 9309: nothing of the host while its robots.txt is unknown
    CHECK(result.stats.errors == 1);       // given up, with robots.txt unreachable as the error
    CHECK(result.given_up.size() == 1);
    CHECK(result.exit_code(1.0) == 1);

    status = 404;
    items.clear();
    weft::test::run_sync(crawl({server.url("/")}, s, &items));
    CHECK(items.size() == 3);
}

TEST_CASE("a 503 is retried with backoff until it succeeds; Retry-After is honoured", "[engine][crawl][retry]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 1, "<a href=\"/flaky\">flaky</a>");
    weft::test::test_server server({.tls = false, .root = dir.path()});
    std::atomic<int> calls{0};
    server.add_handler("/flaky",
                       [&](weft::test::received_request const&)
                       {
                           weft::test::canned_response r;
                           if (++calls <= 2)
                           {
                               r.status = 503;
                               r.headers.add("Retry-After", "0");
                               return r;
                           }
                           r.headers.add("Content-Type", "text/html");
                           r.body = "<title>finally</title>";
                           return r;
                       });
    weft::engine::settings s;
    s.retry_base_delay = 20ms;
    std::vector<weft::item> items;
    auto t0 = std::chrono::steady_clock::now();
    auto result = weft::test::run_sync(crawl({server.url("/")}, s, &items));
    CHECK(std::chrono::steady_clock::now() - t0 >= 30ms); // 20 ms x (0.5..1.5) + 40 ms x (0.5..1.5)
    CHECK(calls == 3);
    CHECK(result.stats.retries == 2);
    CHECK(result.stats.errors == 0);
    REQUIRE(items.size() == 2);
    auto flaky = std::find_if(items.begin(), items.end(),
                              [](auto const& i) { return i.template get<std::string>("url").ends_with("/flaky"); });
    REQUIRE(flaky != items.end());
    CHECK(flaky->get<int>("status") == 200);
    CHECK(flaky->get<std::string>("title") == "finally");
}

TEST_CASE("retries give up after settings::retries and the errback gets the failure", "[engine][crawl][retry]")
{
    weft::test::temp_dir dir;
    auto port = weft::test::unused_port();
    std::vector<weft::item> items;
    weft::engine::settings s;
    s.retries = 1;
    s.retry_base_delay = 10ms;
    s.obey_robots = false;
    auto result = weft::test::run_sync(crawl({"http://127.0.0.1:" + std::to_string(port) + "/"}, s, &items));
    CHECK(result.stats.errors == 1);
    CHECK(result.stats.retries == 1);
    REQUIRE(items.size() == 1);
    CHECK(items[0].get("status").is_null());
    CHECK_FALSE(items[0].get("error").is_null());
    CHECK(result.exit_code(0.5) == 1);
}

TEST_CASE("each redirect hop goes through the seen-set", "[engine][crawl][redirect]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 3, "<a href=\"/go\">go</a><a href=\"/go2\">go2</a>");
    weft::test::test_server server({.tls = false, .root = dir.path()});
    auto redirect_to = [](std::string where)
    {
        return [where](weft::test::received_request const&)
        {
            weft::test::canned_response r;
            r.status = 302;
            r.headers.add("Location", where);
            return r;
        };
    };
    server.add_handler("/go", redirect_to("/p1.html"));   // already linked from the index
    server.add_handler("/go2", redirect_to("/new.html")); // only reachable through the redirect
    std::ofstream(dir / "new.html") << "<title>new</title>";
    std::vector<weft::item> items;
    auto result = weft::test::run_sync(crawl({server.url("/")}, {}, &items));
    CHECK(server.request_count("/p1.html") == 1);
    CHECK(server.request_count("/new.html") == 1);
    CHECK(result.stats.redirects == 2);
    auto urls = urls_of(items);
    CHECK(urls.size() == 4); // index, p1, p2, new (via /go2)
    CHECK(urls.count(server.url("/go2")) == 1);
    auto it = std::find_if(items.begin(), items.end(),
                           [&](auto const& i) { return i.template get<std::string>("url") == server.url("/go2"); });
    REQUIRE(it != items.end());
    CHECK(it->get<std::string>("final_url") == server.url("/new.html"));
}

TEST_CASE("max_pages and max_depth bound the crawl", "[engine][crawl][limits]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 31); // depths: 1 + 2 + 4 + 8 + 16
    weft::test::test_server server({.tls = false, .root = dir.path()});
    weft::engine::settings s;
    s.max_pages = 10;
    s.concurrency = 4;
    std::vector<weft::item> items;
    auto r1 = weft::test::run_sync(crawl({server.url("/")}, s, &items));
    CHECK(r1.reason == "max_pages");
    CHECK(items.size() == 10);
    CHECK(r1.stats.pages == 10);

    weft::engine::settings d;
    d.max_depth = 2;
    items.clear();
    auto r2 = weft::test::run_sync(crawl({server.url("/")}, d, &items));
    CHECK(r2.reason == "finished");
    CHECK(items.size() == 7);
    for (auto const& it : items)
        CHECK(it.get<int>("depth") <= 2);
}

namespace
{

// A spider with its own callbacks, meta and an errback; items through a JSON lines sink.
class books_spider final : public weft::spider
{
public:
    books_spider(std::string start, std::string dead) : spider{"books", {std::move(start)}}, dead_(std::move(dead))
    {
        register_callback("parse_book", &books_spider::parse_book);
    }

    weft::generator<weft::output> parse(weft::response res) override
    {
        for (auto a : res.css("a.book"))
        {
            auto req = res.follow(a);
            req.callback(&books_spider::parse_book).meta("list_title", res.text("h1"));
            co_yield req;
        }
        weft::request missing{dead_};
        missing.errback(&books_spider::failed);
        co_yield missing;
    }

    weft::generator<weft::output> parse_book(weft::response res)
    {
        weft::item it;
        it.set("title", res.text("h2"));
        it.set("list", res.meta()["list_title"]);
        it.set("status", res.status());
        co_yield it;
    }

    weft::generator<weft::output> failed(weft::failure f)
    {
        weft::item it;
        it.set("failed", f.request().url());
        co_yield it;
    }

private:
    std::string dead_;
};

weft::task<weft::engine::crawl_result> crawl_books(std::string start, std::filesystem::path out)
{
    auto ex = co_await boost::asio::this_coro::executor;
    books_spider sp(start, "http://127.0.0.1:" + std::to_string(weft::test::unused_port()) + "/");
    weft::engine::settings s;
    s.progress = false;
    s.parse_workers = 2;
    s.retries = 0;
    s.obey_robots = false; // the dead port's robots.txt is unreachable: it would disallow
    weft::engine::engine eng(ex, sp, s);
    eng.on_log([](std::string const&) {});
    eng.add_sink(weft::make_sink_for_path(out.string(), ex));
    co_return co_await eng.async_run();
}

} // namespace

TEST_CASE("a spider's callbacks, meta and errback work through the engine to a sink", "[engine][crawl][spider]")
{
    weft::test::temp_dir dir;
    std::ofstream(dir / "index.html")
        << "<h1>Books</h1><a class=book href=b1.html>1</a><a class=book href=b2.html>2</a>"
           "<a href=other.html>no</a>";
    std::ofstream(dir / "b1.html") << "<h2>One</h2>";
    std::ofstream(dir / "b2.html") << "<h2>Two</h2>";
    weft::test::test_server server({.tls = false, .root = dir.path()});
    auto out = dir / "out.jsonl";
    auto result = weft::test::run_sync(crawl_books(server.url("/"), out));
    CHECK(result.stats.items == 3);
    std::ifstream in(out);
    std::set<std::string> titles;
    int failed = 0;
    for (std::string line; std::getline(in, line);)
    {
        auto j = nlohmann::json::parse(line);
        if (j.contains("failed"))
            ++failed;
        else
        {
            titles.insert(j["title"].get<std::string>());
            CHECK(j["list"] == "Books");
        }
    }
    CHECK(titles == std::set<std::string>{"One", "Two"});
    CHECK(failed == 1);
    CHECK(result.stats.errors == 1);
    CHECK(server.request_count("/other.html") == 0);
}

TEST_CASE("cookies set by a response are sent on the next request to the host", "[engine][crawl][cookies]")
{
    weft::test::temp_dir dir;
    weft::test::test_server server({.tls = false, .root = dir.path()});
    server.add_handler("/set",
                       [](weft::test::received_request const&)
                       {
                           weft::test::canned_response r;
                           r.headers.add("Content-Type", "text/html");
                           r.headers.add("Set-Cookie", "sid=abc; Path=/");
                           r.headers.add("Set-Cookie", "other=1; Path=/private");
                           r.body = "<a href=\"/check\">check</a>";
                           return r;
                       });
    server.add_handler("/check",
                       [](weft::test::received_request const&)
                       {
                           weft::test::canned_response r;
                           r.body = "ok";
                           return r;
                       });
    std::vector<weft::item> items;
    weft::test::run_sync(crawl({server.url("/set")}, {}, &items));
    auto h = server.last_request_headers("/check");
    REQUIRE(h);
    CHECK(h->get("Cookie") == "sid=abc");
}

TEST_CASE("the HTTP cache replays responses without touching the network", "[engine][crawl][cache]")
{
    weft::test::temp_dir dir;
    std::filesystem::create_directory(dir / "site");
    make_site(dir / "site", 10);
    weft::test::test_server server({.tls = false, .root = dir / "site"});
    weft::engine::settings s;
    s.http_cache_dir = dir / "cache";
    std::vector<weft::item> first, second;
    weft::test::run_sync(crawl({server.url("/")}, s, &first));
    CHECK(first.size() == 10);
    server.reset_counters();
    auto r = weft::test::run_sync(crawl({server.url("/")}, s, &second));
    CHECK(second.size() == 10);
    CHECK(r.stats.cache_hits == 10);
    CHECK(server.request_count("/") == 0);
    CHECK(server.request_count("/p1.html") == 0);
}
