// Record and replay through `weft crawl` (docs/ARCHITECTURE.md, "Record and replay"): a local
// site with robots.txt, a redirect and a gzip-encoded page is crawled with --record; the server
// is stopped and the crawl replayed with --replay: the same items, no network. The archive is
// read by an independent WARC reader, webrecorder's warcio (node, tests/node/, installed by
// scripts/setup.sh): this test fails, never skips, when it is missing.
#include "support/compress.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <iterator>
#include <memory>
#include <thread>

using namespace std::chrono_literals;

namespace
{

std::string const warcio_script = std::string(WEFT_SOURCE_DIR) + "/tests/node/warcio_dump.mjs";

char const* const home_page = R"(<html><head><title>home</title></head><body>
<a href="/a.html">a</a> <a href="/old.html">moved</a> <a href="/private/x.html">private</a>
<a href="/packed.html">packed</a></body></html>)";

// robots.txt, / linking to a page, a 301, a disallowed page and a gzip-encoded page.
std::unique_ptr<weft::test::test_server> make_site()
{
    auto s = std::make_unique<weft::test::test_server>();
    s->add_handler("/robots.txt",
                   [](weft::test::received_request const&)
                   {
                       weft::test::canned_response r;
                       r.headers.add("Content-Type", "text/plain");
                       r.body = "User-agent: *\nDisallow: /private/\n";
                       return r;
                   });
    s->add_handler("/", [](weft::test::received_request const&) { return weft::test::html_response(home_page); });
    s->add_handler("/a.html", [](weft::test::received_request const&)
                   { return weft::test::html_response("<html><title>page a</title><a href=\"/\">home</a></html>"); });
    s->add_handler("/b.html", [](weft::test::received_request const&)
                   { return weft::test::html_response("<html><title>page b</title></html>"); });
    s->add_handler("/private/x.html", [](weft::test::received_request const&)
                   { return weft::test::html_response("<html><title>private</title></html>"); });
    s->add_handler("/old.html",
                   [](weft::test::received_request const&)
                   {
                       weft::test::canned_response r;
                       r.status = 301;
                       r.headers.add("Location", "/b.html");
                       return r;
                   });
    s->add_handler("/packed.html",
                   [](weft::test::received_request const&)
                   {
                       weft::test::canned_response r;
                       r.headers.add("Content-Type", "text/html; charset=utf-8");
                       r.headers.add("Content-Encoding", "gzip");
                       r.body =
                           weft::test::gzip("<html><title>packed page</title><p>decoded for the spider</p></html>");
                       return r;
                   });
    return s;
}

std::string slurp(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// The items with the site spider's fetched_at (the clock when the page was parsed) removed, in
// sorted order (pages are parsed beside the fetches, so their items' order may vary run to run).
std::vector<std::string> items_without_clock(std::string const& jsonl)
{
    std::vector<std::string> out;
    for (auto j : weft::test::json_lines(jsonl))
    {
        j.erase("fetched_at");
        out.push_back(j.dump());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<nlohmann::json> warcio_records(std::filesystem::path const& warc)
{
    auto r = weft::test::run_process({"/usr/bin/env", "node", warcio_script, warc.string()});
    INFO("node " << warcio_script << ": " << r.err
                 << "\n(warcio missing? run scripts/setup.sh, which installs it into tests/node/node_modules)");
    REQUIRE(r.exit_code == 0);
    return weft::test::json_lines(r.out);
}

std::size_t count_if_uri(std::vector<nlohmann::json> const& recs, std::string const& type, std::string const& tail)
{
    return static_cast<std::size_t>(std::count_if(
        recs.begin(), recs.end(),
        [&](nlohmann::json const& j) { return j["type"] == type && j["uri"].get<std::string>().ends_with(tail); }));
}

} // namespace

TEST_CASE("a crawl recorded with --record replays with --replay to the same items with the server gone",
          "[cli][crawl][warc]")
{
    weft::test::temp_dir dir;
    auto const warc = dir / "site.warc.gz";
    auto site = make_site();
    auto const start = site->url("/");
    auto const origin = start.substr(0, start.size() - 1);
    auto const recorded = weft::test::run_process({weft::test::weft_cli_path(), "crawl", start, "-O",
                                                   (dir / "recorded.jsonl").string(), "--record", warc.string()});
    INFO(recorded.err);
    REQUIRE(recorded.exit_code == 0);
    auto const requests_served = site->total_requests();
    site.reset(); // the server is gone: any fetch that reached the network would fail

    auto const replayed = weft::test::run_process({weft::test::weft_cli_path(), "crawl", start, "-O",
                                                   (dir / "replayed.jsonl").string(), "--replay", warc.string()});
    INFO(replayed.err);
    REQUIRE(replayed.exit_code == 0);
    auto const before = slurp(dir / "recorded.jsonl");
    auto const after = slurp(dir / "replayed.jsonl");
    CHECK(items_without_clock(after) == items_without_clock(before));
    CHECK(items_without_clock(before).size() == 4); // /, a, b (by the redirect), packed; not /private/
    CHECK_THAT(after, Catch::Contains("packed page"));
    CHECK_THAT(replayed.err, Catch::Contains("errors 0"));
    CHECK_THAT(replayed.err, !Catch::Contains("not in"));
    CHECK_THAT(replayed.err, Catch::Contains("301=1"));

    // The archive as warcio reads it: a warcinfo first, then a request and a response per fetch
    // (robots.txt and the redirect included), linked, every digest right.
    auto const recs = warcio_records(warc);
    REQUIRE(recs.size() >= 3);
    CHECK(recs.front()["type"] == "warcinfo");
    std::size_t responses = 0;
    for (std::size_t i = 1; i < recs.size(); ++i)
    {
        INFO(recs[i].dump());
        CHECK(recs[i]["block_digest_ok"] == true);
        if (recs[i]["type"] != "response")
            continue;
        ++responses;
        REQUIRE(recs[i - 1]["type"] == "request");
        CHECK(recs[i]["concurrent_to"] == recs[i - 1]["id"]);
        CHECK(recs[i]["uri"] == recs[i - 1]["uri"]);
        CHECK(recs[i]["payload_digest_ok"] == true);
        CHECK(recs[i]["content_encoding"].is_null()); // the decoded body, said consistently
        CHECK(recs[i]["http_content_length"] == recs[i]["payload_length"]);
    }
    CHECK(responses == requests_served); // every fetch, nothing else
    CHECK(count_if_uri(recs, "response", "/robots.txt") == 1);
    CHECK(count_if_uri(recs, "response", "/old.html") == 1);
    CHECK(count_if_uri(recs, "response", "/private/x.html") == 0);
    auto const packed =
        std::find_if(recs.begin(), recs.end(),
                     [](nlohmann::json const& j)
                     { return j["type"] == "response" && j["uri"].get<std::string>().ends_with("/packed.html"); });
    REQUIRE(packed != recs.end());
    CHECK((*packed)["status"] == 200);
    CHECK((*packed)["payload_length"] ==
          std::string("<html><title>packed page</title><p>decoded for the spider</p></html>").size());
    CHECK(origin.starts_with("http://127.0.0.1:"));
}

TEST_CASE("a replay says how many requests were not in the archive, and which", "[cli][crawl][warc]")
{
    weft::test::temp_dir dir;
    auto const warc = dir / "site.warc.gz";
    auto site = make_site();
    auto const a = site->url("/a.html");
    auto const rec = weft::test::run_process({weft::test::weft_cli_path(), "crawl", a, "--max-depth", "0", "-O",
                                              (dir / "r.jsonl").string(), "--record", warc.string()});
    INFO(rec.err);
    REQUIRE(rec.exit_code == 0);
    auto const other = site->url("/b.html"); // never recorded
    site.reset();
    auto const r = weft::test::run_process({weft::test::weft_cli_path(), "crawl", a, other, "--max-depth", "0", "-O",
                                            (dir / "p.jsonl").string(), "--replay", warc.string()});
    INFO(r.err);
    CHECK_THAT(r.err, Catch::Contains("not_in_archive=1"));
    CHECK_THAT(r.err, Catch::Contains("1 request was not in " + warc.string()));
    CHECK_THAT(r.err, Catch::Contains("GET " + other));
    CHECK_THAT(r.err, Catch::Contains("record the crawl again"));
    auto const items = weft::test::json_lines(slurp(dir / "p.jsonl"));
    REQUIRE(items.size() == 2); // the site spider's item per URL attempted, the failed one too
    CHECK(items[0]["error"].is_null() != items[1]["error"].is_null());
}

TEST_CASE("weft crawl refuses an unwritable --record path and a corrupt --replay file before fetching",
          "[cli][crawl][warc]")
{
    weft::test::temp_dir dir;
    auto const cli = weft::test::weft_cli_path();
    auto r = weft::test::run_process(
        {cli, "crawl", "http://127.0.0.1:1/", "--record", (dir / "no/such/x.warc.gz").string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--record") && Catch::Contains("no/such/x.warc.gz"));

    auto const bad = dir / "bad.warc.gz";
    {
        std::ofstream f(bad, std::ios::binary);
        f << std::string("WARC/1.1\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n") << "this is no record";
    }
    r = weft::test::run_process({cli, "crawl", "http://127.0.0.1:1/", "--replay", bad.string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("corrupt record at byte 56"));

    r = weft::test::run_process({cli, "crawl", "http://127.0.0.1:1/", "--replay", (dir / "none.warc.gz").string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("cannot read WARC file"));

    r = weft::test::run_process({cli, "crawl", "http://127.0.0.1:1/", "-s",
                                 "record_warc=" + (dir / "x.warc.gz").string(), "--replay", bad.string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("exclude each other"));
}

TEST_CASE("a recording killed with SIGKILL leaves an archive readers read to its last whole record",
          "[cli][crawl][warc]")
{
    weft::test::temp_dir dir;
    auto const warc = dir / "site.warc.gz";
    weft::test::test_server server;
    // A slow site (200 ms a page, 4 at a time: 20 s for all): the crawl is killed in the middle of it.
    auto const pid =
        weft::test::spawn_process({weft::test::weft_cli_path(), "crawl", server.url("/site/0?n=400&ms=200"), "-q", "-c",
                                   "4", "-O", (dir / "items.jsonl").string(), "--record", warc.string()},
                                  dir / "err.txt");
    for (int i = 0; i < 400 && server.total_requests() < 20; ++i)
        std::this_thread::sleep_for(25ms); // polled: the order, not the timing, is what is checked
    REQUIRE(server.total_requests() >= 20);
    ::kill(pid, SIGKILL);
    CHECK(weft::test::poll_exit(pid, true) == 128 + SIGKILL);

    auto const recs = warcio_records(warc); // warcio reads it without an error
    CHECK(recs.size() >= 3);
    CHECK(recs.front()["type"] == "warcinfo");
    // And weft replays it: the pages it holds, the rest counted as not in the archive.
    auto const r =
        weft::test::run_process({weft::test::weft_cli_path(), "crawl", server.url("/site/0?n=400&ms=200"), "-O",
                                 (dir / "replayed.jsonl").string(), "--replay", warc.string(), "--max-pages", "5"});
    INFO(r.err);
    CHECK(r.exit_code != 2);
    CHECK_THAT(r.err, !Catch::Contains("corrupt"));
    CHECK(weft::test::json_lines(slurp(dir / "replayed.jsonl")).size() >= 1);
}

TEST_CASE("a crawl recorded with --ignore-robots replays without it as it was recorded", "[cli][crawl][warc]")
{
    weft::test::temp_dir dir;
    auto const warc = dir / "site.warc.gz";
    auto site = make_site();
    auto const start = site->url("/");
    auto const rec = weft::test::run_process({weft::test::weft_cli_path(), "crawl", start, "--ignore-robots", "-O",
                                              (dir / "recorded.jsonl").string(), "--record", warc.string()});
    INFO(rec.err);
    REQUIRE(rec.exit_code == 0);
    site.reset();
    // robots.txt is not in the archive: taken as none (the recorded crawl obeyed none), said once.
    auto const r = weft::test::run_process({weft::test::weft_cli_path(), "crawl", start, "-O",
                                            (dir / "replayed.jsonl").string(), "--replay", warc.string()});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(items_without_clock(slurp(dir / "replayed.jsonl")) == items_without_clock(slurp(dir / "recorded.jsonl")));
    CHECK(items_without_clock(slurp(dir / "recorded.jsonl")).size() == 5); // /private/ too
    CHECK_THAT(r.err, Catch::Contains("1 request was not in") && Catch::Contains("/robots.txt"));
    CHECK_THAT(r.err, Catch::Contains("errors 0"));
}
