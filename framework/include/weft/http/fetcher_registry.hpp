// Fetchers by name: plugins register a factory; the CLI and the client make one by name.
#pragma once

#include <weft/http/fetcher.hpp>
#include <weft/plugin/registry.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace weft::http {

using fetcher_factory = std::function<std::unique_ptr<fetcher>(executor, fetch_options const&)>;

/// Registers a factory under `name`, with its origin (built in, or the plugin being loaded):
/// it replaces an earlier one of the same origin; one of another origin stays in use and this
/// one is listed as not used (fetcher_entries(), <weft/plugin/registry.hpp>).
void register_fetcher(std::string name, fetcher_factory factory);

/// Makes the fetcher registered as `name`.
/// @throws std::invalid_argument naming the unknown fetcher and the registered ones.
std::unique_ptr<fetcher> make_fetcher(std::string_view name, executor ex, fetch_options const& opts = {});

/// Names of every registered fetcher, sorted.
std::vector<std::string> fetcher_names();

/// Every registered fetcher with its origin and version, sorted by name (refused duplicates
/// after the one in use).
std::vector<plugin::registration> fetcher_entries();

/// The fetcher used when none is named: "curl" when linked in, else the first registered.
std::string default_fetcher_name();

namespace detail {
struct fetcher_registrar
{
    fetcher_registrar(char const* name, fetcher_factory factory) { register_fetcher(name, std::move(factory)); }
};
} // namespace detail

} // namespace weft::http

/// Registers fetcher class `type` (constructible from (executor, fetch_options const&)) as `name`
/// when the plugin is linked in, or once it is accepted when it is a loaded module
/// (WEFT_PLUGIN_MODULE, <weft/plugin/module.hpp>).
#if defined(WEFT_PLUGIN_MODULE)
#include <weft/plugin/module.hpp>
#define WEFT_REGISTER_FETCHER(name, type)                                                            \
    WEFT_PLUGIN_DEFER_(fetcher_##type, "fetcher",                                                     \
        ::weft::http::register_fetcher(name, [](::weft::executor ex, ::weft::http::fetch_options const& o) \
            -> std::unique_ptr<::weft::http::fetcher> { return std::make_unique<type>(std::move(ex), o); }))
#else
#define WEFT_REGISTER_FETCHER(name, type)                                                            \
    static ::weft::http::detail::fetcher_registrar const weft_fetcher_registrar_##type{               \
        name, [](::weft::executor ex, ::weft::http::fetch_options const& o) -> std::unique_ptr<::weft::http::fetcher> { \
            return std::make_unique<type>(std::move(ex), o);                                          \
        }}
#endif
