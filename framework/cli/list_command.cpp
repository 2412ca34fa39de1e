// weft list: every spider, fetcher and sink weft can use, with its version and where it comes from
// (built in, or the plugin file), the plugins it refused and why, and the plugin search path.
#include "commands.hpp"

#include <weft/http/fetcher_registry.hpp>
#include <weft/plugin/abi.hpp>
#include <weft/plugin/loader.hpp>
#include <weft/sink/registry.hpp>
#include <weft/spider/spider.hpp>
#include <weft/version.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>

namespace weft::cli
{
namespace
{

struct list_args
{
    std::vector<std::string> plugins;
    bool json = false;
};

struct row
{
    std::string name;
    std::string version;
    std::string origin; // plugin::built_in or a path
    std::string note;
};

// The registry's own record of each: origin, version, and a note for a duplicate not used.
std::vector<row> rows_of(std::vector<plugin::registration> const& entries)
{
    std::vector<row> out;
    for (auto const& e : entries)
    {
        row r{e.name, e.version, e.origin, {}};
        if (!e.shadowed_by.empty())
            r.note = "(not used: '" + e.name + "' comes from " + e.shadowed_by + ")";
        out.push_back(std::move(r));
    }
    return out;
}

void print_table(char const* title, std::vector<row> const& rows)
{
    std::printf("%s\n", title);
    if (rows.empty())
        std::printf("  (none)\n");
    std::size_t name_w = 0, version_w = 0;
    for (auto const& r : rows)
    {
        name_w = std::max(name_w, r.name.size());
        version_w = std::max(version_w, r.version.size());
    }
    for (auto const& r : rows)
        std::printf("  %-*s  %-*s  %s%s%s\n", static_cast<int>(name_w), r.name.c_str(), static_cast<int>(version_w),
                    r.version.c_str(), r.origin.c_str(), r.note.empty() ? "" : "  ", r.note.c_str());
}

nlohmann::json to_json(std::vector<row> const& rows)
{
    auto out = nlohmann::json::array();
    for (auto const& r : rows)
    {
        nlohmann::json j{{"name", r.name}, {"version", r.version}, {"origin", r.origin}};
        if (!r.note.empty())
            j["note"] = r.note;
        out.push_back(std::move(j));
    }
    return out;
}

int list_main(list_args const& a)
{
    // Everything weft could use: the plugins named here (refusals are listed, not fatal), then
    // every plugin on the search path.
    for (auto const& p : a.plugins)
        (void)plugin::load(p);
    auto const dirs = plugin::search_path();
    plugin::load_all(dirs);

    auto const modules = plugin::loaded_modules();
    auto const spiders = rows_of(spider_entries());
    auto const fetchers = rows_of(http::fetcher_entries());
    auto sinks = rows_of(sink_entries());
    for (auto& s : sinks)
        if (s.name == "-" && s.note.empty())
            s.note = "(stdout)";
    auto const refused = plugin::refused_modules();

    if (a.json)
    {
        nlohmann::json j;
        j["weft"] = {{"version", WEFT_VERSION_STRING}, {"plugin_abi", plugin::abi_version}};
        j["spiders"] = to_json(spiders);
        j["fetchers"] = to_json(fetchers);
        j["sinks"] = to_json(sinks);
        j["plugins"] = nlohmann::json::array();
        for (auto const& m : modules)
            j["plugins"].push_back({{"path", m.path.string()},
                                    {"name", m.name},
                                    {"version", m.version},
                                    {"kinds", m.kinds},
                                    {"weft_version", m.weft_version},
                                    {"abi", m.abi}});
        j["refused"] = nlohmann::json::array();
        for (auto const& e : refused)
            j["refused"].push_back({{"path", e.path.string()}, {"error", e.ec.message()}, {"message", e.message}});
        j["search_path"] = nlohmann::json::array();
        for (auto const& d : dirs)
            j["search_path"].push_back(d.string());
        std::printf("%s\n", j.dump(2).c_str());
        return exit_ok;
    }

    std::printf("weft %s (plugin ABI %u)\n\n", WEFT_VERSION_STRING, static_cast<unsigned>(plugin::abi_version));
    print_table("spiders", spiders);
    print_table("\nfetchers", fetchers);
    print_table("\nsinks", sinks);
    if (!refused.empty())
    {
        std::printf("\nrefused plugins\n");
        for (auto const& e : refused)
            std::printf("  %s\n", e.message.c_str());
    }
    std::printf("\nplugin search path ($WEFT_PLUGIN_PATH, then weft's plugin directory)\n");
    if (dirs.empty())
        std::printf("  (none)\n");
    for (auto const& d : dirs)
        std::printf("  %s\n", d.c_str());
    return exit_ok;
}

} // namespace

void add_list_command(CLI::App& app, int& result)
{
    auto a = std::make_shared<list_args>();
    auto* cmd = app.add_subcommand("list", "List spiders, fetchers and sinks with their versions and origins");
    cmd->add_option("--plugin", a->plugins, "Also load this plugin (.so) (repeatable)");
    cmd->add_flag("--json", a->json, "Print JSON instead of tables");
    cmd->callback([a, &result] { result = list_main(*a); });
}

} // namespace weft::cli
