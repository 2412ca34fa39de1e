// Plugins end to end: `weft list`, `weft crawl NAME` finding a spider plugin, refused plugins,
// and `weft genspider` whose project is configured, built and crawled here.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <weft/plugin/abi.hpp>
#include <weft/version.hpp>

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cctype>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

using namespace std::chrono_literals;

namespace
{

namespace fs = std::filesystem;

std::string const weft_cli = weft::test::weft_cli_path();
std::string const docs_plugin = std::string(WEFT_BINARY_DIR) + "/lib/weft/plugins/weft_spider_docs.so";

std::vector<nlohmann::json> read_items(fs::path const& p)
{
    std::vector<nlohmann::json> out;
    std::ifstream in(p);
    for (std::string line; std::getline(in, line);)
        out.push_back(nlohmann::json::parse(line));
    return out;
}

std::set<std::string> urls(std::vector<nlohmann::json> const& items)
{
    std::set<std::string> out;
    for (auto const& j : items)
        out.insert(j["url"].get<std::string>());
    return out;
}

// True when a line of `out` reads `cells`, separated by any run of spaces (a table row).
bool has_row(std::string const& out, std::vector<std::string> const& cells)
{
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
    {
        std::istringstream words(line);
        std::vector<std::string> got{std::istream_iterator<std::string>(words), {}};
        if (got == cells)
            return true;
    }
    return false;
}

std::string const abi_reason = "plugin 'plugin_abi' was built for weft ABI " + std::to_string(WEFT_PLUGIN_ABI + 1) +
                               ", this weft has ABI " + std::to_string(WEFT_PLUGIN_ABI) +
                               ": rebuild it against this weft";

} // namespace

TEST_CASE("weft list shows spiders, fetchers and sinks with versions and origins, and refused plugins",
          "[cli][plugin][list]")
{
    auto r = weft::test::run_process({weft_cli, "list", "--plugin", WEFT_TEST_PLUGIN_GOOD, "--plugin",
                                      WEFT_TEST_PLUGIN_ABI, "--plugin", WEFT_TEST_NOT_PLUGIN});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("weft " WEFT_VERSION_STRING " (plugin ABI " + std::to_string(WEFT_PLUGIN_ABI) + ")") == 0);
    CHECK(has_row(r.out, {"docs", "1.0.0", docs_plugin}));
    CHECK(has_row(r.out, {"plugin_good", "2.3.4", WEFT_TEST_PLUGIN_GOOD}));
    CHECK(has_row(r.out, {"site", WEFT_VERSION_STRING, "built", "in"}));
    CHECK(has_row(r.out, {"plugin_good-fetcher", "2.3.4", WEFT_TEST_PLUGIN_GOOD}));
    CHECK(has_row(r.out, {"curl", WEFT_VERSION_STRING, "built", "in"}));
    CHECK(has_row(r.out, {".plugin_good", "2.3.4", WEFT_TEST_PLUGIN_GOOD}));
    CHECK(has_row(r.out, {".jsonl", WEFT_VERSION_STRING, "built", "in"}));
    CHECK(r.out.find("refused plugins\n") != std::string::npos);
    CHECK(r.out.find("  " WEFT_TEST_PLUGIN_ABI ": " + abi_reason) != std::string::npos);
    CHECK(r.out.find("  " WEFT_TEST_NOT_PLUGIN ": not a weft plugin") != std::string::npos);

    auto j = weft::test::run_process({weft_cli, "list", "--json", "--plugin", WEFT_TEST_PLUGIN_ABI});
    REQUIRE(j.exit_code == 0);
    auto doc = nlohmann::json::parse(j.out);
    CHECK(doc["weft"]["plugin_abi"] == WEFT_PLUGIN_ABI);
    CHECK(doc["spiders"].size() >= 2);
    bool docs = false;
    for (auto const& s : doc["spiders"])
        if (s["name"] == "docs")
            docs = s["version"] == "1.0.0" && s["origin"] == docs_plugin;
    CHECK(docs);
    REQUIRE(doc["refused"].size() == 1);
    CHECK(doc["refused"][0]["path"] == WEFT_TEST_PLUGIN_ABI);
    CHECK(doc["refused"][0]["message"] == std::string(WEFT_TEST_PLUGIN_ABI) + ": " + abi_reason);
}

TEST_CASE("a plugin's fetcher or sink of a name weft has built in is not used, and weft says so naming both",
          "[cli][plugin][list]")
{
    // The "duplicate" fixture sits beside the good one and registers "curl" and ".jsonl" too.
    auto const dup = (fs::path(WEFT_TEST_PLUGIN_GOOD).parent_path().parent_path() /
                      "duplicate/weft_spider_plugin_duplicate.so")
                         .string();
    REQUIRE(fs::exists(dup));
    auto r = weft::test::run_process({weft_cli, "list", "--plugin", dup});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_row(r.out, {"plugin_duplicate", "2.3.4", dup}));
    CHECK(has_row(r.out, {"curl", WEFT_VERSION_STRING, "built", "in"}));
    CHECK(has_row(r.out, {"curl", "2.3.4", dup, "(not", "used:", "'curl'", "comes", "from", "built", "in)"}));
    CHECK(has_row(r.out, {".jsonl", "2.3.4", dup, "(not", "used:", "'.jsonl'", "comes", "from", "built", "in)"}));

    auto j = weft::test::run_process({weft_cli, "list", "--json", "--plugin", dup});
    REQUIRE(j.exit_code == 0);
    auto doc = nlohmann::json::parse(j.out);
    std::vector<nlohmann::json> curls;
    for (auto const& f : doc["fetchers"])
        if (f["name"] == "curl")
            curls.push_back(f);
    REQUIRE(curls.size() == 2);
    CHECK(curls[0]["origin"] == "built in");
    CHECK_FALSE(curls[0].contains("note"));
    CHECK(curls[1]["origin"] == dup);
    CHECK(curls[1]["note"] == "(not used: 'curl' comes from built in)");

    // weft crawl --plugin says it, and crawls with its own curl and JSON lines sink.
    weft::test::temp_dir site;
    std::ofstream(site / "index.html") << "<html><head><title>Home</title></head><body>home</body></html>";
    weft::test::test_server server({.tls = false, .root = site.path()});
    weft::test::temp_dir out;
    auto crawl = weft::test::run_process(
        {weft_cli, "crawl", server.url("/"), "--plugin", dup, "-o", (out / "items.jsonl").string(), "-q"});
    INFO(crawl.err);
    CHECK(crawl.exit_code == 0);
    CHECK(crawl.err.find("weft crawl: warning: fetcher 'curl' from " + dup +
                         " (2.3.4) is not used: a fetcher of that name comes from built in") != std::string::npos);
    CHECK(crawl.err.find("warning: sink '.jsonl' from " + dup) != std::string::npos);
    CHECK(urls(read_items(out / "items.jsonl")) == std::set<std::string>{server.url("/")});
}

TEST_CASE("weft crawl NAME finds a spider plugin of spiders/ in weft's plugin directory", "[cli][plugin][crawl]")
{
    weft::test::temp_dir site;
    fs::create_directories(site / "guide");
    std::ofstream(site / "guide/index.html")
        << "<html><head><title>Guide</title></head><body><h1 id='top'>Guide</h1><h2>Install</h2>"
           "<pre><code class='language-sh'>make install</code></pre>"
           "<a href='usage.html'>usage</a><a href='/blog/'>blog</a></body></html>";
    std::ofstream(site / "guide/usage.html")
        << "<html><head><title>Usage</title></head><body><h2 id='run'>Run</h2><a href='./'>back</a></body></html>";
    fs::create_directories(site / "blog");
    std::ofstream(site / "blog/index.html") << "<html><title>Blog</title></html>";
    weft::test::test_server server({.tls = false, .root = site.path()});

    weft::test::temp_dir out;
    auto items_path = out / "docs.jsonl";
    auto r = weft::test::run_process(
        {weft_cli, "crawl", "docs", "-a", "url=" + server.url("/guide/"), "-o", items_path.string(), "-q"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto items = read_items(items_path);
    CHECK(urls(items) == std::set<std::string>{server.url("/guide/"), server.url("/guide/usage.html")});
    for (auto const& it : items)
        if (it["url"] == server.url("/guide/"))
        {
            CHECK(it["title"] == "Guide");
            CHECK(it["headings"] == nlohmann::json::parse(R"([{"id":"top","level":1,"text":"Guide"},
                                                             {"id":"","level":2,"text":"Install"}])"));
            CHECK(it["code"] == nlohmann::json::parse(R"([{"language":"sh","text":"make install"}])"));
        }
    CHECK(server.request_count("/blog/") == 0);

    // Without its argument the spider refuses to start: a usage error.
    auto bad = weft::test::run_process({weft_cli, "crawl", "docs", "-q", "-o", (out / "x.jsonl").string()});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("-a url=URL") != std::string::npos);
}

TEST_CASE("weft crawl refuses a bad plugin with exit 2 and the reason", "[cli][plugin][crawl]")
{
    // Named with --plugin: the message names both ABI versions.
    auto abi = weft::test::run_process({weft_cli, "crawl", "docs", "--plugin", WEFT_TEST_PLUGIN_ABI});
    CHECK(abi.exit_code == 2);
    CHECK(abi.err.find(std::string(WEFT_TEST_PLUGIN_ABI) + ": " + abi_reason) != std::string::npos);

    auto not_plugin = weft::test::run_process({weft_cli, "crawl", "docs", "--plugin", WEFT_TEST_NOT_PLUGIN});
    CHECK(not_plugin.exit_code == 2);
    CHECK(not_plugin.err.find("not a weft plugin") != std::string::npos);

    auto missing = weft::test::run_process({weft_cli, "crawl", "docs", "--plugin", "/nonexistent/weft_spider_x.so"});
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("/nonexistent/weft_spider_x.so: no such file") != std::string::npos);

    // Found by its file name on $WEFT_PLUGIN_PATH: the same refusal.
    auto dir = fs::path(WEFT_TEST_PLUGIN_ABI).parent_path().string();
    auto conv = weft::test::run_process({"/usr/bin/env", "WEFT_PLUGIN_PATH=" + dir, weft_cli, "crawl", "plugin_abi"});
    CHECK(conv.exit_code == 2);
    CHECK(conv.err.find(abi_reason) != std::string::npos);

    // An unknown spider: the known ones, where weft looked, and what it refused there.
    auto unknown =
        weft::test::run_process({"/usr/bin/env", "WEFT_PLUGIN_PATH=" + dir, weft_cli, "crawl", "no_such_spider"});
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.err.find("unknown spider 'no_such_spider' (known: ") != std::string::npos);
    CHECK(unknown.err.find("docs") != std::string::npos);
    CHECK(unknown.err.find("plugins searched in " + dir) != std::string::npos);
    CHECK(unknown.err.find("refused " WEFT_TEST_PLUGIN_ABI ": " + abi_reason) != std::string::npos);
}

TEST_CASE("weft crawl takes a sink or fetcher it does not have from a plugin on the search path",
          "[cli][plugin][crawl]")
{
    weft::test::temp_dir site;
    std::ofstream(site / "index.html") << "<html><head><title>Home</title></head><body>home</body></html>";
    weft::test::test_server server({.tls = false, .root = site.path()});
    auto dir = "WEFT_PLUGIN_PATH=" + fs::path(WEFT_TEST_PLUGIN_GOOD).parent_path().string();
    weft::test::temp_dir out;

    // The fixture's sink (".plugin_good") accepts and drops items.
    auto sink = weft::test::run_process(
        {"/usr/bin/env", dir, weft_cli, "crawl", server.url("/"), "-o", (out / "items.plugin_good").string(), "-q"});
    INFO(sink.err);
    CHECK(sink.exit_code == 0);
    CHECK(server.request_count("/") == 1);

    // Its fetcher fails every request: the crawl runs with it, and fails.
    auto fetcher = weft::test::run_process({"/usr/bin/env", dir, weft_cli, "crawl", server.url("/"), "--fetcher",
                                            "plugin_good-fetcher", "--retries", "0", "--ignore-robots"});
    INFO(fetcher.err);
    CHECK(fetcher.exit_code == 1);
    CHECK(server.request_count("/") == 1);

    // Without the plugin on the path: the usual usage errors.
    auto none = weft::test::run_process({weft_cli, "crawl", server.url("/"), "-o", (out / "x.plugin_good").string()});
    CHECK(none.exit_code == 2);
    CHECK(none.err.find("no sink for output") != std::string::npos);
}

TEST_CASE("weft genspider writes a spider project that builds against this build tree and crawls",
          "[cli][plugin][genspider]")
{
    weft::test::temp_dir site;
    std::ofstream(site / "index.html")
        << "<html><head><title>Home</title></head><body>"
           "<a href='a.html'>a</a><a href='http://offsite.invalid/'>off</a></body></html>";
    std::ofstream(site / "a.html") << "<html><head><title>A</title></head><body><a href='b.html'>b</a></body></html>";
    std::ofstream(site / "b.html") << "<html><head><title>B</title></head><body><a href='/'>home</a></body></html>";
    weft::test::test_server server({.tls = false, .root = site.path()});

    weft::test::temp_dir work;
    auto gen = weft::test::run_process({weft_cli, "genspider", "tiny", server.url("/"), "--dir", work.path().string()});
    INFO(gen.out << gen.err);
    REQUIRE(gen.exit_code == 0);
    CHECK(fs::exists(work / "tiny/CMakeLists.txt"));
    CHECK(fs::exists(work / "tiny/tiny_spider.cpp"));
    CHECK(gen.out.find("weft crawl tiny --plugin ") != std::string::npos);
    // It says which compiler to build with, and the generated project picks that one by itself.
    CHECK(gen.out.find("-DCMAKE_CXX_COMPILER=" WEFT_CXX_COMPILER) != std::string::npos);

    // Refusals: an existing folder (never overwritten), a name that is no C++ identifier, a name
    // weft already has, a URL that is not http(s).
    std::ofstream(work / "tiny/tiny_spider.cpp", std::ios::app) << "// mine\n";
    auto again =
        weft::test::run_process({weft_cli, "genspider", "tiny", server.url("/"), "--dir", work.path().string()});
    CHECK(again.exit_code == 2);
    CHECK(again.err.find("already exists") != std::string::npos);
    std::ifstream kept(work / "tiny/tiny_spider.cpp");
    CHECK(std::string(std::istreambuf_iterator<char>(kept), {}).ends_with("// mine\n"));
    for (std::string bad : {"my-spider", "9lives", "a__b"})
    {
        auto r = weft::test::run_process({weft_cli, "genspider", bad, server.url("/"), "--dir", work.path().string()});
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("'" + bad + "' is not a valid spider name") != std::string::npos);
        CHECK_FALSE(fs::exists(work / bad));
    }
    auto site_name =
        weft::test::run_process({weft_cli, "genspider", "site", server.url("/"), "--dir", work.path().string()});
    CHECK(site_name.exit_code == 2);
    auto ftp =
        weft::test::run_process({weft_cli, "genspider", "other", "ftp://x.test/", "--dir", work.path().string()});
    CHECK(ftp.exit_code == 2);
    CHECK(ftp.err.find("not an http or https URL") != std::string::npos);

    // Configure and build it as a user would, against this build tree (one file, no PCH).
    auto build = work / "build";
    auto configure =
        weft::test::run_process({WEFT_CMAKE_COMMAND, "-S", (work / "tiny").string(), "-B", build.string(), "-G",
                                 WEFT_CMAKE_GENERATOR, "-DCMAKE_MAKE_PROGRAM=" WEFT_CMAKE_MAKE_PROGRAM,
                                 "-DCMAKE_CXX_COMPILER=" WEFT_CXX_COMPILER, "-DCMAKE_PREFIX_PATH=" WEFT_BINARY_DIR},
                                {}, 120s);
    INFO(configure.out << configure.err);
    REQUIRE(configure.exit_code == 0);
    auto compile = weft::test::run_process({WEFT_CMAKE_COMMAND, "--build", build.string()}, {}, 180s);
    INFO(compile.out << compile.err);
    REQUIRE(compile.exit_code == 0);
    auto plugin = build / "weft_spider_tiny.so";
    REQUIRE(fs::exists(plugin));

    // Run it from $WEFT_PLUGIN_PATH: every page of the host once, title included.
    auto items_path = work / "items.jsonl";
    auto crawl = weft::test::run_process({"/usr/bin/env", "WEFT_PLUGIN_PATH=" + build.string(), weft_cli, "crawl",
                                          "tiny", "-o", items_path.string(), "-q"});
    INFO(crawl.err);
    REQUIRE(crawl.exit_code == 0);
    auto items = read_items(items_path);
    CHECK(urls(items) == std::set<std::string>{server.url("/"), server.url("/a.html"), server.url("/b.html")});
    for (auto const& it : items)
        if (it["url"] == server.url("/a.html"))
            CHECK(it["title"] == "A");

    // And with --plugin, listed with its own version.
    auto list = weft::test::run_process({weft_cli, "list", "--plugin", plugin.string()});
    CHECK(list.exit_code == 0);
    CHECK(has_row(list.out, {"tiny", "0.1.0", plugin.string()}));
}

TEST_CASE("a plugin configured with another compiler than weft's is refused at configure time, naming both",
          "[cli][plugin][genspider]")
{
    // g++ and clang++ mangle some of Asio's templates differently: such a plugin would build, then
    // fail to load with an undefined mangled symbol. The package refuses it before anything builds.
    std::string const weft_cxx = WEFT_CXX_COMPILER;
    std::string const other = weft_cxx.find("clang") != std::string::npos ? "/usr/bin/g++" : "/usr/bin/clang++-16";
    REQUIRE(fs::exists(other));
    weft::test::temp_dir work;
    auto gen = weft::test::run_process({weft_cli, "genspider", "mixed", "http://127.0.0.1:1/", "--dir",
                                        work.path().string()});
    REQUIRE(gen.exit_code == 0);
    auto configure = weft::test::run_process(
        {WEFT_CMAKE_COMMAND, "-S", (work / "mixed").string(), "-B", (work / "build").string(), "-G",
         WEFT_CMAKE_GENERATOR, "-DCMAKE_MAKE_PROGRAM=" WEFT_CMAKE_MAKE_PROGRAM, "-DCMAKE_CXX_COMPILER=" + other,
         "-DCMAKE_PREFIX_PATH=" WEFT_BINARY_DIR},
        {}, 120s);
    INFO(configure.out << configure.err);
    CHECK(configure.exit_code != 0);
    // CMake wraps and indents long messages: compare with each run of white space as one space.
    std::string err;
    for (char c : configure.err)
        if (!std::isspace(static_cast<unsigned char>(c)))
            err += c;
        else if (!err.empty() && err.back() != ' ')
            err += ' ';
    CHECK(err.find("weft was built with") != std::string::npos);
    CHECK(err.find("(" + weft_cxx + ")") != std::string::npos);
    CHECK(err.find("(" + other + ")") != std::string::npos);
    CHECK(err.find("-DCMAKE_CXX_COMPILER=" + weft_cxx) != std::string::npos);
    CHECK_FALSE(fs::exists(work / "build/weft_spider_mixed.so"));
}
