// `weft crawl` outputs as a Scrapy user expects them (-o appends, -O overwrites, several at once,
// .json arrays, gzip), the check of -s keys, -k against a self-signed certificate, and paths that
// are directories.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <zlib.h>

#include <fstream>
#include <set>

using weft::test::run_process;
using weft::test::weft_cli_path;

namespace
{

// index.html linking to p1..p(n-1): n items.
void make_site(std::filesystem::path const& root, int n)
{
    std::string index = "<html><head><title>home</title></head><body>";
    for (int i = 1; i < n; ++i)
    {
        index += "<a href=\"p" + std::to_string(i) + ".html\">p</a>";
        std::ofstream(root / ("p" + std::to_string(i) + ".html")) << "<title>page " << i << "</title>";
    }
    std::ofstream(root / "index.html") << index << "</body></html>";
}

std::string slurp(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// The "url" of each element of a JSON array file; fails when the file is not one array.
std::multiset<std::string> array_urls(std::filesystem::path const& p)
{
    auto const j = nlohmann::json::parse(slurp(p), nullptr, false);
    INFO(p.filename() << ": " << slurp(p));
    REQUIRE(j.is_array());
    std::multiset<std::string> out;
    for (auto const& e : j)
        out.insert(e.at("url").get<std::string>());
    return out;
}

std::string gunzip(std::filesystem::path const& p)
{
    gzFile in = gzopen(p.c_str(), "rb");
    REQUIRE(in);
    std::string out;
    char buf[65536];
    int n;
    while ((n = gzread(in, buf, sizeof buf)) > 0)
        out.append(buf, static_cast<std::size_t>(n));
    int err = 0;
    gzerror(in, &err);
    gzclose(in);
    CHECK(n == 0);
    CHECK(err == Z_OK);
    return out;
}

std::size_t count(std::string const& text, std::string const& what)
{
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size()))
        ++n;
    return n;
}

} // namespace

TEST_CASE("weft crawl -o appends (inside a .json array, under one CSV header) and -O overwrites",
          "[cli][crawl][outputs][json]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 4);
    weft::test::test_server server({.tls = false, .root = dir.path()});
    auto const json = dir / "items.json", csv = dir / "items.csv";
    auto crawl = [&](char const* flag)
    {
        auto r =
            run_process({weft_cli_path(), "crawl", server.url("/"), "-q", flag, json.string(), flag, csv.string()});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
    };
    crawl("-o");
    CHECK(array_urls(json).size() == 4);
    crawl("-o"); // appended: every page twice, still one array, one header
    auto const twice = array_urls(json);
    CHECK(twice.size() == 8);
    CHECK(twice.count(server.url("/p1.html")) == 2);
    auto const text = slurp(csv);
    CHECK(count(text, "\r\n") == 9);
    CHECK(count(text, "url,final_url") == 1); // one header
    crawl("-O"); // overwritten
    CHECK(array_urls(json).size() == 4);
    CHECK(count(slurp(csv), "\r\n") == 5);
}

TEST_CASE("weft crawl writes every item once to each of several outputs, gzip ones included",
          "[cli][crawl][outputs][gzip]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 30);
    weft::test::test_server server({.tls = false, .root = dir.path()});
    auto const jl = dir / "a.jsonl", js = dir / "a.json", jlgz = dir / "a.jsonl.gz", csvgz = dir / "a.csv.gz";
    auto r = run_process({weft_cli_path(), "crawl", server.url("/"), "-q", "-o", jl.string(), "-O", js.string(), "-o",
                          jlgz.string(), "-o", csvgz.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(slurp(jlgz).substr(0, 2) == "\x1f\x8b");
    auto const lines = gunzip(jlgz);
    CHECK(lines == slurp(jl));
    CHECK(count(lines, "\n") == 30);
    CHECK(array_urls(js).size() == 30);
    auto const csv = gunzip(csvgz);
    CHECK(count(csv, "\r\n") == 31);

    auto twice = run_process({weft_cli_path(), "crawl", server.url("/"), "-o", jl.string(), "-o", jl.string()});
    CHECK(twice.exit_code == 2);
    CHECK_THAT(twice.err, Catch::Contains("given twice"));
}

TEST_CASE("weft crawl -o DIR is refused with a sentence, before anything is fetched", "[cli][crawl][outputs]")
{
    weft::test::temp_dir dir;
    auto r = run_process({weft_cli_path(), "crawl", "http://127.0.0.1:1/", "-o", dir.path().string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("is a directory; give a file"));
}

TEST_CASE("weft crawl refuses an unknown -s key, suggesting the closest known one", "[cli][crawl][settings]")
{
    auto r = run_process({weft_cli_path(), "crawl", "http://127.0.0.1:1/", "-s", "max_pagess=1"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("unknown setting 'max_pagess' (did you mean 'max_pages'?)"));
    auto far = run_process({weft_cli_path(), "crawl", "http://127.0.0.1:1/", "-s", "zzqqxx=1"});
    CHECK(far.exit_code == 2);
    CHECK_THAT(far.err, Catch::Contains("unknown setting 'zzqqxx'") && !Catch::Contains("did you mean"));
    // Scrapy's names and any case are settings; spider arguments (-a) are free-form.
    weft::test::temp_dir dir;
    make_site(dir.path(), 2);
    weft::test::test_server server({.tls = false, .root = dir.path()});
    auto ok = run_process({weft_cli_path(), "crawl", server.url("/"), "-q", "-o", (dir / "o.jsonl").string(), "-s",
                           "CLOSESPIDER_PAGECOUNT=5", "-s", "Max_Pages=5", "-a", "anything_goes=1"});
    INFO(ok.err);
    CHECK(ok.exit_code == 0);
}

TEST_CASE("weft crawl -k accepts a self-signed certificate, with one warning; without it the page fails",
          "[cli][crawl][tls]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 3);
    weft::test::test_server server({.tls = true, .root = dir.path()});
    REQUIRE(server.url("/").starts_with("https://"));
    auto const out = dir / "tls.jsonl";
    // Without robots.txt: its fetch would fail the same check, and an unreachable robots.txt
    // holds the host's URLs for robots_unreachable_limit (600 s).
    auto refused =
        run_process({weft_cli_path(), "crawl", server.url("/"), "-q", "-O", out.string(), "--ignore-robots"});
    INFO(refused.err);
    CHECK(slurp(out).find("p1.html") == std::string::npos); // the start page failed its certificate check

    for (auto const& flag : {std::vector<std::string>{"-k"}, std::vector<std::string>{"-s", "verify_tls=false"}})
    {
        std::vector<std::string> argv{weft_cli_path(), "crawl", server.url("/"), "-q", "-O", out.string()};
        argv.insert(argv.end(), flag.begin(), flag.end());
        auto r = run_process(argv);
        INFO(flag.front() << ": " << r.err);
        CHECK(r.exit_code == 0);
        CHECK(count(slurp(out), "\n") == 3);
        CHECK(count(r.err, "TLS certificates are not verified") == 1);
    }
}
