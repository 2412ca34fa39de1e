// weft genspider NAME URL [--dir DIR]: a new spider project, DIR/NAME/, from templates/spider/:
// a CMakeLists.txt (find_package(weft), weft_add_plugin) and NAME_spider.cpp, which build and
// crawl as they are.
#include "commands.hpp"
#include "templates.hpp"

#include <weft/plugin/loader.hpp>
#include <weft/spider/spider.hpp>
#include <weft/url/canonicalize.hpp>
#include <weft/version.hpp>

#include <boost/url/parse.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace weft::cli
{
namespace
{

namespace fs = std::filesystem;

struct genspider_args
{
    std::string name;
    std::string url;
    std::string dir = ".";
};

// A name that is a C++ identifier weft can build on (class NAME_spider, target weft_spider_NAME):
// a letter, then letters, digits and single underscores; at most 48 characters.
std::string name_problem(std::string const& name)
{
    auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (name.empty() || !letter(name.front()))
        return "must start with a letter";
    for (char c : name)
        if (!letter(c) && !digit(c) && c != '_')
            return "may hold only letters, digits and '_' (it names a C++ class)";
    if (name.find("__") != std::string::npos)
        return "may not contain '__' (reserved in C++ identifiers)";
    if (name.size() > 48)
        return "is longer than 48 characters";
    return {};
}

std::string replace_all(std::string s, std::string_view from, std::string_view to)
{
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

// For a C++ string literal (a canonical URL has neither, but the template must not break).
std::string cpp_escaped(std::string const& s)
{
    return replace_all(replace_all(s, "\\", "\\\\"), "\"", "\\\"");
}

int genspider_main(genspider_args const& a)
{
    auto usage = [](std::string const& msg)
    {
        std::fprintf(stderr, "weft genspider: %s\n", msg.c_str());
        return exit_usage;
    };
    if (auto why = name_problem(a.name); !why.empty())
        return usage("'" + a.name + "' is not a valid spider name: it " + why);

    // A bare host ("example.org") means its https root, as in Scrapy.
    auto given = a.url.find("://") == std::string::npos ? "https://" + a.url : a.url;
    auto url = weft::url::canonicalize(given);
    if (!url || !(url->starts_with("http://") || url->starts_with("https://")))
        return usage("'" + a.url + "' is not an http or https URL");
    auto parsed = boost::urls::parse_uri(*url);
    if (!parsed || parsed->encoded_host().empty())
        return usage("'" + a.url + "' has no host");
    std::string const host(parsed->encoded_host());

    if (make_spider(a.name))
        return usage("a spider named '" + a.name + "' is already built into weft: choose another name");
    if (auto file = plugin::find_spider_plugin(a.name, plugin::search_path()); !file.empty())
        return usage("a spider named '" + a.name + "' already exists: " + file.string() + ": choose another name");

    fs::path const dir = fs::path(a.dir) / a.name;
    std::error_code ec;
    if (fs::exists(fs::symlink_status(dir, ec)))
        return usage(dir.string() + " already exists: not overwriting it (remove it, or choose another --dir)");
    fs::create_directories(a.dir, ec);
    if (ec || !fs::create_directory(dir, ec))
    {
        std::fprintf(stderr, "weft genspider: cannot create %s: %s\n", dir.c_str(),
                     ec ? ec.message().c_str() : "it appeared meanwhile");
        return exit_failure;
    }

    auto fill = [&](std::string s)
    {
        s = replace_all(std::move(s), "{{name}}", a.name);
        s = replace_all(std::move(s), "{{url}}", cpp_escaped(*url));
        s = replace_all(std::move(s), "{{host}}", cpp_escaped(host));
        s = replace_all(std::move(s), "{{cxx_compiler}}", plugin::weft_compiler().path);
        return replace_all(std::move(s), "{{weft_version}}", WEFT_VERSION_STRING);
    };
    std::string written;
    for (auto const& t : spider_templates())
    {
        auto const file = replace_all(t.name, "NAME", a.name);
        std::ofstream out(dir / file, std::ios::binary);
        out << fill(t.content);
        if (!out.flush())
        {
            std::fprintf(stderr, "weft genspider: cannot write %s\n", (dir / file).c_str());
            return exit_failure;
        }
        written += (written.empty() ? "" : ", ") + file;
    }

    // weft's own prefix (an installation or this build tree): <prefix>/lib/weft/plugins.
    auto const prefix = plugin::default_plugin_dir().parent_path().parent_path().parent_path();
    auto const build = dir / "build";
    auto const cxx = plugin::weft_compiler();
    std::printf("Created spider '%s' in %s (%s).\n\n"
                "Build it (with weft's compiler, %s: a plugin of another compiler does not load):\n"
                "  cmake -S %s -B %s -DCMAKE_PREFIX_PATH=%s -DCMAKE_CXX_COMPILER=%s\n"
                "  cmake --build %s\n"
                "Run it:\n"
                "  weft crawl %s --plugin %s -o items.jsonl\n",
                a.name.c_str(), dir.c_str(), written.c_str(), cxx.name.c_str(), dir.c_str(), build.c_str(),
                prefix.c_str(), cxx.path.c_str(), build.c_str(), a.name.c_str(),
                (build / ("weft_spider_" + a.name + ".so")).c_str());
    return exit_ok;
}

} // namespace

void add_genspider_command(CLI::App& app, int& result)
{
    auto a = std::make_shared<genspider_args>();
    auto* cmd = app.add_subcommand("genspider", "Create a spider project (a plugin) from a template");
    cmd->add_option("name", a->name, "The spider's name (a C++ identifier)")->required();
    cmd->add_option("url", a->url, "Its start URL (a bare host means https://HOST/)")->required();
    cmd->add_option("--dir", a->dir, "Create the project in DIR/NAME (default ./NAME)");
    cmd->callback([a, &result] { result = genspider_main(*a); });
}

} // namespace weft::cli
