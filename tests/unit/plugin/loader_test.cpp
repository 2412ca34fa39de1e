#include <weft/plugin/loader.hpp>

#include <weft/http/fetcher_registry.hpp>
#include <weft/plugin/abi.hpp>
#include <weft/sink/registry.hpp>
#include <weft/spider/spider.hpp>
#include <weft/version.hpp>

#include "support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

// The fixtures (tests/plugins/CMakeLists.txt) are built into this directory tree, and this test
// executable exports the framework as the weft executable does (weft_enable_plugin_host).
namespace
{

namespace fs = std::filesystem;

std::string const good = WEFT_TEST_PLUGIN_GOOD;
std::string const abi = WEFT_TEST_PLUGIN_ABI;
std::string const hidden_abi = WEFT_TEST_PLUGIN_HIDDEN_ABI;
std::string const unresolved = WEFT_TEST_PLUGIN_UNRESOLVED;
std::string const not_plugin = WEFT_TEST_NOT_PLUGIN;

bool contains(std::vector<std::string> const& v, std::string const& s)
{
    return std::find(v.begin(), v.end(), s) != v.end();
}

// True when the dynamic linker has `path` mapped into this process.
bool mapped(std::string const& path)
{
    std::ifstream maps("/proc/self/maps");
    std::string all{std::istreambuf_iterator<char>(maps), {}};
    return all.find(path) != std::string::npos;
}

// Nothing of plugin `name` (the fixtures' naming) reached a registry.
void check_nothing_registered(std::string const& name)
{
    CHECK_FALSE(weft::make_spider(name));
    CHECK_FALSE(contains(weft::spider_names(), name));
    CHECK_FALSE(contains(weft::http::fetcher_names(), name + "-fetcher"));
    CHECK_FALSE(contains(weft::sink_extensions(), "." + name));
}

std::string const abi_message = ": plugin 'plugin_abi' was built for weft ABI " + std::to_string(WEFT_PLUGIN_ABI + 1) +
                                ", this weft has ABI " + std::to_string(WEFT_PLUGIN_ABI) +
                                ": rebuild it against this weft";

} // namespace

TEST_CASE("load accepts a plugin of this ABI and registers its spider, fetcher and sink as its own", "[plugin][loader]")
{
    auto r = weft::plugin::load(good);
    REQUIRE(r.has_value());
    CHECK(r->path == fs::path(good));
    CHECK(r->name == "plugin_good");
    CHECK(r->version == "2.3.4");
    CHECK(r->kinds == "spider,fetcher,sink");
    CHECK(r->weft_version == WEFT_VERSION_STRING);
    CHECK(r->abi == WEFT_PLUGIN_ABI);
    CHECK(r->spiders == std::vector<std::string>{"plugin_good"});
    CHECK(r->fetchers == std::vector<std::string>{"plugin_good-fetcher"});
    CHECK(r->sinks == std::vector<std::string>{".plugin_good"});

    auto sp = weft::make_spider("plugin_good");
    REQUIRE(sp);
    CHECK(sp->name() == "plugin_good");
    auto entries = weft::spider_entries();
    auto e = std::find_if(entries.begin(), entries.end(), [](auto const& x) { return x.name == "plugin_good"; });
    REQUIRE(e != entries.end());
    CHECK(e->origin == good);
    CHECK(e->version == "2.3.4");
    CHECK(e->shadowed_by.empty());

    boost::asio::io_context io;
    auto f = weft::http::make_fetcher("plugin_good-fetcher", io.get_executor());
    CHECK(f->name() == "plugin_good-fetcher");
    auto s = weft::make_sink_for_path("out.plugin_good", io.get_executor());
    CHECK(s->format() == "plugin_good");

    // Once: a second load returns the first outcome and registers nothing again.
    auto again = weft::plugin::load(good);
    REQUIRE(again.has_value());
    CHECK(again->spiders == r->spiders);
    auto loaded = weft::plugin::loaded_modules();
    CHECK(std::count_if(loaded.begin(), loaded.end(), [](auto const& m) { return m.path == fs::path(good); }) == 1);
}

TEST_CASE("load refuses a plugin built for another ABI, naming both versions, without loading it",
          "[plugin][loader][abi]")
{
    auto r = weft::plugin::load(abi);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().ec == weft::error::plugin_abi_mismatch);
    CHECK(r.error().ec == weft::condition::policy);
    CHECK(r.error().message == abi + abi_message);
    CHECK(r.error().path == fs::path(abi));
    CHECK_FALSE(mapped(abi)); // read from the file's descriptor section, never dlopen()ed
    check_nothing_registered("plugin_abi");

    auto refused = weft::plugin::refused_modules();
    CHECK(std::any_of(refused.begin(), refused.end(), [](auto const& e) { return e.path == fs::path(abi); }));
    auto again = weft::plugin::load(abi);
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().message == r.error().message);
    // value() throws the refusal as a system_error.
    CHECK_THROWS_WITH(r.value(), Catch::Contains("this weft has ABI"));
}

TEST_CASE("a mismatched plugin that must be loaded to be read is refused, its static initialisers "
          "registering nothing",
          "[plugin][loader][abi]")
{
    // The descriptor section is renamed: the loader dlopen()s the module (running its static
    // initialisers, which only queue their registrations), asks weft_plugin_info, refuses it.
    auto r = weft::plugin::load(hidden_abi);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().ec == weft::error::plugin_abi_mismatch);
    CHECK(r.error().message == hidden_abi + abi_message);
    check_nothing_registered("plugin_abi");
}

TEST_CASE("load refuses a shared library that is not a weft plugin", "[plugin][loader]")
{
    auto r = weft::plugin::load(not_plugin);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().ec == weft::error::not_a_plugin);
    CHECK(r.error().message == not_plugin + ": not a weft plugin (it has no weft_plugin_info entry point)");
}

TEST_CASE("load reports the dynamic linker's words for a plugin it cannot load, and registers nothing",
          "[plugin][loader]")
{
    // The ABI is right, but the plugin calls a function no weft has: refused now, not a crash later.
    auto r = weft::plugin::load(unresolved);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().ec == weft::error::plugin_load_failed);
    CHECK_THAT(r.error().message, Catch::StartsWith(unresolved + ": cannot be loaded: ") &&
                                      Catch::Contains("undefined symbol") &&
                                      Catch::Contains("weft_test_function_no_weft_has"));
    // Demangled, with the likely cause and the compiler to use.
    CHECK_THAT(r.error().message, Catch::Contains("undefined symbol: weft_test_function_no_weft_has()") &&
                                      Catch::Contains("built by the compiler weft was built with") &&
                                      Catch::Contains("-DCMAKE_CXX_COMPILER=" + weft::plugin::weft_compiler().path));
    CHECK_FALSE(weft::plugin::weft_compiler().name.empty());
    check_nothing_registered("plugin_unresolved");

    weft::test::temp_dir dir;
    auto text = dir / "weft_spider_text.so";
    std::ofstream(text) << "not a shared library\n";
    auto t = weft::plugin::load(text);
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().ec == weft::error::plugin_load_failed);
    CHECK_THAT(t.error().message, Catch::StartsWith(text.string() + ": cannot be loaded: "));
}

TEST_CASE("load refuses a missing file", "[plugin][loader]")
{
    weft::test::temp_dir dir;
    auto missing = dir / "weft_spider_missing.so";
    auto r = weft::plugin::load(missing);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().ec == boost::system::errc::no_such_file_or_directory);
    CHECK(r.error().message == missing.string() + ": no such file");
}

TEST_CASE("a plugin of a name already loaded from another file is refused", "[plugin][loader]")
{
    REQUIRE(weft::plugin::load(good).has_value());
    weft::test::temp_dir dir;
    auto copy = dir / "weft_spider_plugin_good.so";
    fs::copy_file(good, copy);
    auto r = weft::plugin::load(copy);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().ec == weft::error::plugin_already_loaded);
    CHECK(r.error().message ==
          copy.string() + ": plugin 'plugin_good' is already loaded from " + good + "; this one is ignored");
    CHECK_FALSE(mapped(copy.string()));
}

TEST_CASE("find_plugins lists the weft plugins of directories, find_spider_plugin goes by file name",
          "[plugin][search]")
{
    weft::test::temp_dir a, b;
    fs::copy_file(good, a / "weft_spider_plugin_good.so");
    fs::copy_file(not_plugin, a / "libother.so"); // a shared library, but not a plugin
    std::ofstream(a / "README") << "not even ELF";
    fs::copy_file(abi, b / "weft_spider_plugin_abi.so");
    fs::copy_file(good, b / "weft_spider_plugin_good.so");

    auto found = weft::plugin::find_plugins({a.path(), b.path()});
    CHECK(found == std::vector<fs::path>{a / "weft_spider_plugin_good.so", b / "weft_spider_plugin_abi.so",
                                         b / "weft_spider_plugin_good.so"});
    CHECK(weft::plugin::find_spider_plugin("plugin_good", {b.path(), a.path()}) == b / "weft_spider_plugin_good.so");
    CHECK(weft::plugin::find_spider_plugin("plugin_abi", {a.path(), b.path()}) == b / "weft_spider_plugin_abi.so");
    CHECK(weft::plugin::find_spider_plugin("nothing", {a.path(), b.path()}).empty());
    CHECK(weft::plugin::find_spider_plugin("../x", {a.path()}).empty());
    CHECK(!mapped((a / "weft_spider_plugin_good.so").string())); // listing reads files, loads none
}

TEST_CASE("the search path is $WEFT_PLUGIN_PATH's directories, then weft's own plugin directory", "[plugin][search]")
{
    // A test executable of the build tree uses the build tree's plugin directory, like weft.
    CHECK(weft::plugin::default_plugin_dir() == fs::path(WEFT_BINARY_DIR) / "lib/weft/plugins");

    weft::test::temp_dir a, b;
    auto env = a.path().string() + "::" + (b / "missing").string() + ":" + b.path().string() + ":" + a.path().string();
    ::setenv("WEFT_PLUGIN_PATH", env.c_str(), 1);
    auto dirs = weft::plugin::search_path();
    ::unsetenv("WEFT_PLUGIN_PATH");
    REQUIRE(dirs.size() >= 2);
    CHECK(dirs[0] == a.path());
    CHECK(dirs[1] == b.path());
    if (fs::is_directory(weft::plugin::default_plugin_dir()))
        CHECK(dirs == std::vector<fs::path>{a.path(), b.path(), weft::plugin::default_plugin_dir()});
    else
        CHECK(dirs.size() == 2);
}
