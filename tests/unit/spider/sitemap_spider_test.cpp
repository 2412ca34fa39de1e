// The sitemap spider of spiders/sitemap, linked into this test directly (weft::spider_sitemap):
// robots.txt Sitemap: lines, an index, a gzip sitemap and a text one, on a local site.
#include <weft/spider/spider.hpp>

#include <weft/engine/engine.hpp>
#include <weft/middleware/pipeline.hpp>

#include "support/compress.hpp"
#include "support/item_recorder.hpp"
#include "support/run_sync.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <boost/asio/this_coro.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <map>

namespace
{

std::map<std::string, weft::item> crawl(std::map<std::string, std::string> args)
{
    std::vector<weft::item> items;
    weft::test::run_sync(
        [](std::map<std::string, std::string> args, std::vector<weft::item>* items) -> weft::task<void>
        {
            auto sp = weft::make_spider("sitemap");
            REQUIRE(sp);
            sp->set_args(std::move(args));
            weft::engine::settings s;
            s.progress = false;
            weft::engine::engine eng(co_await boost::asio::this_coro::executor, *sp, s);
            eng.on_log([](std::string const&) {});
            eng.add_pipeline(std::make_unique<weft::test::item_recorder>(items));
            co_await eng.async_run();
        }(std::move(args), &items));
    std::map<std::string, weft::item> by_url;
    for (auto& it : items)
        by_url[it.get<std::string>("url")] = it;
    REQUIRE(by_url.size() == items.size()); // each URL once
    std::string urls;
    for (auto const& [u, it] : by_url)
        urls += u + " ";
    UNSCOPED_INFO("items: " << urls);
    return by_url;
}

// robots.txt -> index.xml -> a.xml (2 URLs) and b.xml.gz (1); robots.txt -> urls.txt (1).
void make_site(weft::test::temp_dir const& site, weft::test::test_server const& server)
{
    std::filesystem::create_directories(site / "maps");
    std::ofstream(site / "robots.txt") << "User-agent: *\nAllow: /\nSitemap: /maps/index.xml\nSitemap: /maps/urls.txt\n";
    std::ofstream(site / "maps/index.xml")
        << R"(<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
           <sitemap><loc>/maps/a.xml</loc></sitemap><sitemap><loc>/maps/b.xml.gz</loc></sitemap></sitemapindex>)";
    std::ofstream(site / "maps/a.xml")
        << R"(<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
           <url><loc>/old.html</loc><lastmod>2024-01-01</lastmod><changefreq>Daily</changefreq><priority>0.8</priority></url>
           <url><loc>/new.html</loc><lastmod>2025-06-01T10:00:00+00:00</lastmod></url></urlset>)";
    std::ofstream(site / "maps/b.xml.gz", std::ios::binary) << weft::test::gzip(
        R"(<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/zipped.html</loc></url></urlset>)");
    std::ofstream(site / "maps/urls.txt") << server.url("/text.html") << "\n"; // text sitemaps: absolute URLs
    for (auto page : {"old", "new", "zipped", "text"})
        std::ofstream(site / (std::string(page) + ".html")) << "<html><title>" << page << "</title></html>";
}

} // namespace

TEST_CASE("the sitemap spider lists every URL of robots.txt's sitemaps, through indexes, gzip and text",
          "[spider][sitemap]")
{
    weft::test::temp_dir site;
    weft::test::test_server server({.tls = false, .root = site.path()});
    make_site(site, server);
    auto items = crawl({{"url", server.url("/")}});

    REQUIRE(items.size() == 4);
    auto const& old = items.at(server.url("/old.html"));
    CHECK(old.get<std::string>("lastmod") == "2024-01-01");
    CHECK(old.get<std::string>("changefreq") == "daily");
    CHECK(old.get<double>("priority") == Approx(0.8));
    CHECK(old.get<std::string>("sitemap") == server.url("/maps/a.xml"));
    CHECK(items.at(server.url("/new.html")).get("priority").is_null());
    CHECK(items.at(server.url("/zipped.html")).get<std::string>("sitemap") == server.url("/maps/b.xml.gz"));
    CHECK(items.contains(server.url("/text.html")));
    for (auto path : {"/maps/index.xml", "/maps/a.xml", "/maps/b.xml.gz", "/maps/urls.txt"})
        CHECK(server.request_count(path) == 1);
    CHECK(server.request_count("/old.html") == 0); // listed, not fetched
}

TEST_CASE("the sitemap spider keeps entries since a date, and with follow=1 fetches them", "[spider][sitemap]")
{
    weft::test::temp_dir site;
    weft::test::test_server server({.tls = false, .root = site.path()});
    make_site(site, server);

    auto since = crawl({{"url", server.url("/maps/index.xml")}, {"since", "2025-01-01"}});
    CHECK(since.size() == 2); // new.html, and zipped.html (no lastmod); not old.html; urls.txt not reached
    CHECK(since.contains(server.url("/new.html")));
    CHECK(since.contains(server.url("/zipped.html")));

    auto pages = crawl({{"url", server.url("/")}, {"follow", "1"}});
    REQUIRE(pages.size() == 4);
    CHECK(pages.at(server.url("/zipped.html")).get<std::string>("title") == "zipped");
    CHECK(pages.at(server.url("/old.html")).get<int>("status") == 200);
}

TEST_CASE("the sitemap spider falls back to /sitemap.xml and shrugs off what is not a sitemap", "[spider][sitemap]")
{
    weft::test::temp_dir site;
    std::ofstream(site / "sitemap.xml") << R"(<urlset><url><loc>/only.html</loc></url></urlset>)";
    std::ofstream(site / "broken.xml") << "<html><body>not a sitemap</body></html>";
    weft::test::test_server server({.tls = false, .root = site.path()}); // no robots.txt: 404

    auto items = crawl({{"url", server.url("/")}});
    REQUIRE(items.size() == 1);
    CHECK(items.contains(server.url("/only.html")));

    CHECK(crawl({{"sitemap", server.url("/broken.xml")}}).empty());
    CHECK(crawl({{"sitemap", server.url("/missing.xml")}}).empty());
    CHECK_THROWS_WITH(crawl({{"url", "ftp://example.org/"}}), Catch::Contains("-a url=URL"));
}
