// weft export ADDRESS --crawl-id ID -o OUT [-o OUT2]: writes the items a shared crawl kept to
// files (any sink), exactly once and resumable (<weft/engine/export_items.hpp>).
#include "commands.hpp"
#include "shared_state.hpp"

#include <weft/engine/export_items.hpp>
#include <weft/http/proxy.hpp>
#include <weft/plugin/loader.hpp>
#include <weft/sink/registry.hpp>
#include <weft/text/ascii.hpp>

#include <algorithm>
#include <filesystem>

#include <cstdio>

namespace weft::cli
{

namespace
{

struct export_args
{
    std::string address;
    std::string crawl_id = "default";
    std::vector<std::string> outputs;   // -o: go on from OUT.export, else append
    std::vector<std::string> overwrite; // -O: rewrite from the first item
    bool from_start = false;
    bool follow = false;
    bool quiet = false;
};

// True when some output has no sink registered for its extension (a sink plugin may have one).
bool needs_sink_plugins(std::vector<std::string> const& outputs)
{
    auto const exts = sink_extensions();
    for (auto const& o : outputs)
    {
        auto const name = text::lower_copy(std::filesystem::path(o).filename().string());
        if (o != "-" && std::none_of(exts.begin(), exts.end(), [&](auto const& e)
                                     { return e != "-" && name.size() > e.size() && name.ends_with(e); }))
            return true;
    }
    return false;
}

task<int> run_export(export_args a)
{
    auto st = co_await async_open_shared_state(a.address, a.crawl_id);
    engine::export_options o;
    o.address = a.address;
    o.crawl_id = a.crawl_id;
    o.from_start = a.from_start;
    o.overwrite = a.overwrite;
    auto outputs = a.outputs;
    outputs.insert(outputs.end(), a.overwrite.begin(), a.overwrite.end());
    o.follow = a.follow;
    o.log = [](std::string const& m) { std::fprintf(stderr, "weft export: %s\n", m.c_str()); };
    auto const done = co_await engine::async_export_items(*st, outputs, o);
    if (!a.quiet)
    {
        auto const resumed = done.resumed > 0 ? " (going on from an earlier export)" : "";
        std::fprintf(stderr, "weft export: %llu items of crawl %s written%s\n",
                     static_cast<unsigned long long>(done.items), a.crawl_id.c_str(), resumed);
    }
    co_return exit_ok;
}

} // namespace

void add_export_command(CLI::App& app, int& result)
{
    auto a = std::make_shared<export_args>();
    auto* cmd = app.add_subcommand(
        "export", "Write the items a shared crawl kept to files, exactly once; run again to go on where it stopped");
    cmd->add_option("address", a->address, "The crawl-state store: redis://[USER:PASSWORD@]HOST:PORT[/DB]")
        ->required();
    cmd->add_option("--crawl-id", a->crawl_id, "The crawl in the store (default: default)");
    cmd->add_option("-o,--output", a->outputs,
                    "Write items to FILE (.jsonl .json .csv .jsonl.gz .csv.gz .db; '-': stdout) or postgresql://...; "
                    "repeatable; "
                    "progress is kept in FILE.export; without it, items are appended to FILE");
    cmd->add_option("-O,--overwrite-output", a->overwrite,
                    "Like -o, but rewrite FILE from the first item (repeatable)");
    cmd->add_flag("--from-start", a->from_start, "Rewrite the outputs from the first item (ignore FILE.export)");
    cmd->add_flag("--follow", a->follow, "Keep exporting, every second, until the crawl is finished");
    cmd->add_flag("-q,--quiet", a->quiet, "No summary");
    cmd->callback(
        [a, &result]
        {
            require_backend(a->address, "address");
            auto all = a->outputs;
            all.insert(all.end(), a->overwrite.begin(), a->overwrite.end());
            if (all.empty())
                throw CLI::ValidationError("-o", "give at least one output: -o FILE (appends) or -O FILE (overwrites)");
            check_outputs(all, "-o");
            if (needs_sink_plugins(all))
                plugin::load_all(plugin::search_path());
            result = run_command("export", run_export(*a));
        });
}

} // namespace weft::cli
