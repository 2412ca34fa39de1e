// `weft parse [SPIDER] URL`: one page through one callback, what it yields printed by depth level,
// with the real weft executable, its plugins and fetchers against a local site.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

namespace
{

std::string const weft_cli = weft::test::weft_cli_path();
std::string const sitemap_plugin = std::string(WEFT_BINARY_DIR) + "/lib/weft/plugins/weft_spider_sitemap.so";

// index links to a.html and b.html; a.html links to c.html.
void make_site(std::filesystem::path const& root)
{
    std::ofstream(root / "index.html") << "<title>Home</title><a href=a.html>a</a><a href=b.html>b</a>";
    std::ofstream(root / "a.html") << "<title>A</title><a href=c.html>c</a>";
    std::ofstream(root / "b.html") << "<title>B</title>";
    std::ofstream(root / "c.html") << "<title>C</title>";
    std::ofstream(root / "sitemap.xml") << "<?xml version=\"1.0\"?><urlset "
                                           "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>"
                                           "/a.html</loc></url><url><loc>/b.html</loc></url></urlset>";
}

std::set<std::string> urls_of(nlohmann::json const& list)
{
    std::set<std::string> out;
    for (auto const& e : list)
        out.insert(e.at("url").get<std::string>());
    return out;
}

} // namespace

TEST_CASE("weft parse URL prints the page's items and requests without following them", "[cli][parse]")
{
    weft::test::temp_dir dir;
    make_site(dir.path());
    weft::test::test_server server({.tls = false, .root = dir.path()});
    auto r = weft::test::run_process({weft_cli, "parse", server.url("/index.html"), "--ignore-robots"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains(">>> DEPTH LEVEL 1 <<<") && Catch::Contains("# Scraped Items") &&
                          Catch::Contains("GET " + server.url("/a.html")) &&
                          Catch::Contains("GET " + server.url("/b.html")));
    CHECK(r.out.find(">>> DEPTH LEVEL 2 <<<") == std::string::npos);
    CHECK(server.request_count("/a.html") == 0); // shown, not fetched
}

TEST_CASE("weft parse --depth 2 follows the yielded requests; --json gives each level", "[cli][parse]")
{
    weft::test::temp_dir dir;
    make_site(dir.path());
    weft::test::test_server server({.tls = false, .root = dir.path()});
    auto r = weft::test::run_process(
        {weft_cli, "parse", server.url("/index.html"), "--ignore-robots", "--depth", "2", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["levels"].size() == 2);
    CHECK(j["levels"][0]["depth"] == 1);
    CHECK(urls_of(j["levels"][0]["items"]) == std::set<std::string>{server.url("/index.html")});
    CHECK(urls_of(j["levels"][1]["items"]) == std::set<std::string>{server.url("/a.html"), server.url("/b.html")});
    CHECK(urls_of(j["levels"][1]["requests"]).count(server.url("/c.html")) == 1);
    CHECK(server.request_count("/c.html") == 0);
    CHECK(j["stats"]["responses"] == 3);
}

TEST_CASE("weft parse SPIDER URL --callback runs that registered callback with -a arguments", "[cli][parse]")
{
    weft::test::temp_dir dir;
    make_site(dir.path());
    weft::test::test_server server({.tls = false, .root = dir.path()});
    auto site = server.url("/");
    auto page = weft::test::run_process({weft_cli, "parse", "sitemap", server.url("/b.html"), "--callback", "page",
                                         "-a", "url=" + site, "--plugin", sitemap_plugin, "--json",
                                         "--ignore-robots"});
    INFO(page.out << page.err);
    REQUIRE(page.exit_code == 0);
    auto j = nlohmann::json::parse(page.out);
    REQUIRE(j["levels"].size() == 1);
    REQUIRE(j["levels"][0]["items"].size() == 1);
    CHECK(j["levels"][0]["items"][0]["title"] == "B");

    // The default callback on the sitemap, with follow=1: requests for `page`, shown by that name.
    auto listing = weft::test::run_process({weft_cli, "parse", "sitemap", server.url("/sitemap.xml"), "-a",
                                            "url=" + site, "-a", "follow=1", "--plugin", sitemap_plugin,
                                            "--ignore-robots"});
    INFO(listing.out << listing.err);
    CHECK(listing.exit_code == 0);
    CHECK_THAT(listing.out, Catch::Contains("GET " + server.url("/a.html") + "  callback=page"));
}

TEST_CASE("weft parse refuses an unknown callback, bad JSON and a non-URL with exit 2", "[cli][parse]")
{
    auto unknown = weft::test::run_process({weft_cli, "parse", "sitemap", "http://127.0.0.1:9/", "--callback",
                                            "nope", "-a", "url=http://127.0.0.1:9/", "--plugin", sitemap_plugin});
    CHECK(unknown.exit_code == 2);
    CHECK_THAT(unknown.err, Catch::Contains("no callback 'nope'") && Catch::Contains("registered: parse") &&
                                Catch::Contains("page") && Catch::Contains("register_callback"));
    auto meta = weft::test::run_process({weft_cli, "parse", "http://127.0.0.1:9/", "--meta", "{not json"});
    CHECK(meta.exit_code == 2);
    CHECK_THAT(meta.err, Catch::Contains("--meta") && Catch::Contains("not a JSON object"));
    auto url = weft::test::run_process({weft_cli, "parse", "site", "ftp://x/"});
    CHECK(url.exit_code == 2);
    CHECK_THAT(url.err, Catch::Contains("not an http:// or https:// URL"));
}

TEST_CASE("weft parse of a page that cannot be fetched says why and exits 1", "[cli][parse]")
{
    auto port = std::to_string(weft::test::unused_port());
    auto r = weft::test::run_process(
        {weft_cli, "parse", "http://127.0.0.1:" + port + "/", "--ignore-robots", "-s", "retries=0"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("was not parsed"));
}

TEST_CASE("weft shell answers CSS, XPath, text and attribute queries, fetches another page and saves one to view",
          "[cli][shell]")
{
    weft::test::temp_dir dir;
    make_site(dir.path());
    weft::test::test_server server({.tls = false, .root = dir.path()});
    std::string const script = "count a\n"
                               "text title\n"
                               "attr a href\n"
                               "css a[href=\"b.html\"]\n"
                               "css a[\n"
                               "xpath //a/@href\n"
                               "xpath count(//a)\n"
                               "xpath //a[\n"
                               "css a::attr(href)\n"
                               "fetch a.html\n"
                               "url\n"
                               "text title\n"
                               "view\n"
                               "history\n"
                               "quit\n"
                               "text title\n"; // after quit: not run
    auto r = weft::test::run_process({weft_cli, "shell", server.url("/index.html")}, script);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("loaded " + server.url("/index.html")));
    CHECK_THAT(r.out, Catch::Contains("\n2\n"));            // count a
    CHECK_THAT(r.out, Catch::Contains("[1] Home"));          // text title
    CHECK_THAT(r.out, Catch::Contains("[2] " + server.url("/b.html"))); // attr, made absolute
    CHECK_THAT(r.out, Catch::Contains("[1] <a href=\"b.html\">b</a>"));
    CHECK_THAT(r.out, Catch::Contains("[1] 2\n"));          // xpath count(//a)
    CHECK_THAT(r.out, Catch::Contains("! invalid XPath '//a[': expected an expression at position 5"));
    CHECK_THAT(r.out, Catch::Contains("loaded " + server.url("/a.html")) && Catch::Contains("[1] A"));
    auto at = r.out.find("weft-shell-");
    REQUIRE(at != std::string::npos);
    auto start = r.out.rfind('\n', at) + 1;
    auto path = r.out.substr(start, r.out.find('\n', at) - start);
    std::ifstream saved(path);
    std::string body((std::istreambuf_iterator<char>(saved)), {});
    CHECK(body == "<title>A</title><a href=c.html>c</a>");
    std::filesystem::remove(path);
    CHECK_THAT(r.out, Catch::Contains("[2] b.html\n")); // css a::attr(href): the attribute as written
    CHECK_THAT(r.out, Catch::Contains("10  fetch a.html"));
    CHECK(r.out.find("[1] A\n", r.out.find("history")) == std::string::npos); // nothing after quit
}
