// Which `-s KEY=VALUE` keys weft accepts: the built-in settings (settings.cpp's table) and those a
// plugin or spider declares with WEFT_SETTING; any other key is a mistake `weft crawl` reports
// (exit 2) with the closest known key: "unknown setting 'max_pagess' (did you mean 'max_pages'?)".
//
// A plugin declares the keys it reads from settings::extra (spider::setting) beside its other
// registrations; in a loaded plugin module the declaration waits until weft accepts the plugin,
// so a plugin's own setting is known only while that plugin is loaded:
//
//     WEFT_SETTING(chromium_path, "chromium_path", "the Chromium executable to start");
//
// Thread safety: as the plugin registries (<weft/plugin/registry.hpp>).
#pragma once

#include <weft/plugin/registry.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::engine
{

/// Declares `key` (case-insensitive) with a one-line `help`, from the current origin (built in,
/// or the plugin being loaded). A key declared again from another origin stays the first's.
void declare_setting(std::string key, std::string help);

/// Declared keys with their origin (built in, or the plugin's path), sorted.
std::vector<plugin::registration> declared_settings();

/// True when `key` is a built-in setting or a declared one.
bool is_known_setting(std::string_view key);

/// Nothing when `key` is known; else "unknown setting 'KEY'", with " (did you mean 'X'?)" when a
/// known key is within a few edits, and what to do.
std::optional<std::string> unknown_setting_message(std::string_view key);

/// Levenshtein distance (insertions, deletions, substitutions), for the suggestion.
std::size_t edit_distance(std::string_view a, std::string_view b);

namespace detail
{
struct setting_declarer
{
    setting_declarer(char const* key, char const* help) { declare_setting(key, help); }
};
} // namespace detail

} // namespace weft::engine

/// Declares setting `key` (see the file comment). `id` makes the declarer's name unique in the file.
#if defined(WEFT_PLUGIN_MODULE)
#include <weft/plugin/module.hpp>
#define WEFT_SETTING(id, key, help)                                                                                    \
    WEFT_PLUGIN_DEFER_(setting_##id, "setting", ::weft::engine::declare_setting(key, help))
#else
#define WEFT_SETTING(id, key, help)                                                                                    \
    static ::weft::engine::detail::setting_declarer const weft_setting_declarer_##id                                   \
    {                                                                                                                  \
        key, help                                                                                                      \
    }
#endif
