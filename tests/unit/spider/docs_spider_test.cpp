// The docs spider of spiders/docs, linked into this test directly (weft::spider_docs, the static
// path of a spider plugin): built in, and crawling a local documentation site.
#include <weft/spider/spider.hpp>
#include <weft/version.hpp>

#include <weft/engine/engine.hpp>
#include <weft/middleware/pipeline.hpp>

#include "support/item_recorder.hpp"
#include "support/run_sync.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <boost/asio/this_coro.hpp>

#include <catch2/catch.hpp>

#include <fstream>

namespace
{

weft::task<void> crawl_docs(std::string url, std::vector<weft::item>* items)
{
    auto ex = co_await boost::asio::this_coro::executor;
    auto sp = weft::make_spider("docs");
    sp->set_args({{"url", url}});
    weft::engine::settings s;
    s.progress = false;
    weft::engine::engine eng(ex, *sp, s);
    eng.on_log([](std::string const&) {});
    eng.add_pipeline(std::make_unique<weft::test::item_recorder>(items));
    co_await eng.async_run();
}

} // namespace

TEST_CASE("the docs spider, linked in, reads headings and code below its start directory", "[spider][docs]")
{
    auto entries = weft::spider_entries();
    auto docs = std::find_if(entries.begin(), entries.end(), [](auto const& e) { return e.name == "docs"; });
    REQUIRE(docs != entries.end());
    CHECK(docs->origin == weft::plugin::built_in); // linked in, not a plugin
    CHECK(docs->version == WEFT_VERSION_STRING);

    weft::test::temp_dir site;
    std::filesystem::create_directories(site / "v2");
    std::ofstream(site / "v2/index.html")
        << "<html><head><title>Manual</title></head><body><h1>Manual</h1><h2><a id='setup'></a>Set up</h2>"
           "<div class='highlight-python'><pre>x = 1\n  y = 2</pre></div>"
           "<pre class='lang-sh'>ls</pre><pre><code class='language-cpp'>int i;</code></pre><pre>plain</pre>"
           "<a href='api.html'>api</a><a href='../v1/'>old</a><a rel='nofollow' href='login.html'>in</a></body></html>";
    std::ofstream(site / "v2/api.html")
        << "<html><head><title>API</title></head><body><h3 id='f'>f()</h3></body></html>";
    weft::test::test_server server({.tls = false, .root = site.path()});

    std::vector<weft::item> items;
    weft::test::run_sync(crawl_docs(server.url("/v2/index.html"), &items));
    REQUIRE(items.size() == 2);
    auto const& manual = items[0].get<std::string>("url") == server.url("/v2/index.html") ? items[0] : items[1];
    auto const& api = &manual == &items[0] ? items[1] : items[0];
    CHECK(manual.get<std::string>("title") == "Manual");
    // Compared as plain JSON: key order is not the point.
    auto json = [](weft::item const& it, char const* key) { return nlohmann::json::parse(it.get(key).dump()); };
    CHECK(json(manual, "headings") == nlohmann::json::parse(R"([{"level":1,"text":"Manual","id":""},
                                                               {"level":2,"text":"Set up","id":"setup"}])"));
    CHECK(json(manual, "code") == nlohmann::json::parse(R"([{"language":"python","text":"x = 1\n  y = 2"},
                                                           {"language":"sh","text":"ls"},
                                                           {"language":"cpp","text":"int i;"},
                                                           {"language":"","text":"plain"}])"));
    CHECK(api.get<std::string>("url") == server.url("/v2/api.html"));
    CHECK(server.request_count("/v1/") == 0);
    CHECK(server.request_count("/v2/login.html") == 0);
}
