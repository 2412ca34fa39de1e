// Sinks by URI scheme or file extension: plugins register a factory; `weft crawl -o PATH` makes
// one by path.
#pragma once

#include <weft/plugin/registry.hpp>
#include <weft/sink/sink.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace weft
{

using sink_factory = std::function<std::unique_ptr<sink>(executor, std::string path, sink_options const&)>;

/// Registers `factory` for paths ending in `extension` (".jsonl", case-insensitive), for paths
/// starting with a URI scheme when `extension` ends in "://" ("postgresql://"; a scheme wins over
/// an extension), or for the exact path "-" (stdout), with its origin (built in, or the plugin
/// being loaded): it replaces an earlier one of the same origin; one of another origin stays in
/// use and this one is listed as not used (sink_entries(), <weft/plugin/registry.hpp>).
void register_sink(std::string extension, sink_factory factory);

/// Makes the sink for `path` by its URI scheme (`postgresql://`), else by its longest registered
/// extension: `.jsonl` JSON lines, `.json` one JSON array, `.csv`, `.jsonl.gz`/`.csv.gz` gzip,
/// `.db`/`.sqlite` SQLite, `-` JSON lines on stdout (with the plugins linked in). The sink is not
/// opened yet.
/// @throws std::invalid_argument naming the path and the supported extensions when none fits.
std::unique_ptr<sink> make_sink_for_path(std::string path, executor ex, sink_options const& options = {});

/// The registered extensions and URI schemes, sorted ("-" and "postgresql://" included).
std::vector<std::string> sink_extensions();

/// Every registered sink with its origin and version, by extension (refused duplicates after the
/// one in use).
std::vector<plugin::registration> sink_entries();

namespace detail
{
struct sink_registrar
{
    sink_registrar(char const* extension, sink_factory factory) { register_sink(extension, std::move(factory)); }
};
} // namespace detail

} // namespace weft

/// Registers sink class `type` (constructible from (executor, std::string, sink_options const&))
/// for `extension`. `id` makes the registrar's name unique within the file. In a loaded plugin
/// module (WEFT_PLUGIN_MODULE) the registration waits until weft accepts the plugin.
#if defined(WEFT_PLUGIN_MODULE)
#include <weft/plugin/module.hpp>
#define WEFT_REGISTER_SINK(id, extension, type)                                                                        \
    WEFT_PLUGIN_DEFER_(sink_##id, "sink",                                                                              \
                       ::weft::register_sink(extension,                                                                \
                                             [](::weft::executor ex, std::string path, ::weft::sink_options const& o) \
                                                 -> std::unique_ptr<::weft::sink>                                      \
                                             { return std::make_unique<type>(std::move(ex), std::move(path), o); }))
#else
#define WEFT_REGISTER_SINK(id, extension, type)                                                                        \
    static ::weft::detail::sink_registrar const weft_sink_registrar_##id                                               \
    {                                                                                                                  \
        extension,                                                                                                     \
            [](::weft::executor ex, std::string path, ::weft::sink_options const& o) -> std::unique_ptr<::weft::sink>  \
        { return std::make_unique<type>(std::move(ex), std::move(path), o); }                                          \
    }
#endif
