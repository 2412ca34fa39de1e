// The plugin ABI: the C descriptor every plugin module exports, and the number it is checked by.
//
// A plugin is a shared library (a CMake MODULE) that exports one C entry point,
//
//     extern "C" weft_plugin_descriptor const* weft_plugin_info(void);
//
// written by WEFT_PLUGIN (<weft/plugin/module.hpp>; weft_add_plugin() in CMake writes it for
// you). The descriptor says which weft ABI the plugin was compiled against, which weft, what it
// is and its own version. weft loads a plugin only when its ABI equals its own, and only then
// calls `register_all`, which registers the plugin's spiders, fetchers and sinks: nothing of a
// refused plugin ever reaches weft's registries (weft::plugin::load, <weft/plugin/loader.hpp>).
//
// The descriptor's layout is frozen: every weft reads every plugin's, whatever ABI it was built
// for. The same bytes sit in the module's ".weft_plugin" ELF section, so weft can read them
// from the file before it loads the module (a mismatched module then never runs).
#pragma once

#include <cstddef>
#include <cstdint>

/// The ABI of this weft's public headers. Bump it whenever a change could break a compiled plugin:
/// a class layout, a virtual function, a signature, an inline function the host relies on, the
/// registration macros, a Boost or standard library upgrade that changes a type weft exposes.
#define WEFT_PLUGIN_ABI 6

/// The ABI a plugin being compiled claims. Tests override it to build a mismatched plugin.
#ifdef WEFT_PLUGIN_ABI_OVERRIDE
#define WEFT_PLUGIN_BUILD_ABI (WEFT_PLUGIN_ABI_OVERRIDE)
#else
#define WEFT_PLUGIN_BUILD_ABI WEFT_PLUGIN_ABI
#endif

/// The C++ standard library a plugin is compiled with; a plugin built with another one is refused
/// like an ABI mismatch (std::string and friends differ).
#if defined(_LIBCPP_VERSION)
#define WEFT_PLUGIN_STDLIB "libc++"
#elif defined(__GLIBCXX__) && defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define WEFT_PLUGIN_STDLIB "libstdc++"
#elif defined(__GLIBCXX__)
#define WEFT_PLUGIN_STDLIB "libstdc++ (pre-C++11 ABI)"
#else
#define WEFT_PLUGIN_STDLIB "unknown"
#endif

/// Identifies the descriptor layout below; a new layout gets a new magic.
#define WEFT_PLUGIN_MAGIC "weft-p1"

/// What a plugin says about itself: a plain C struct (standard layout, global scope). Strings are
/// NUL-terminated and fixed-size (no pointers, so the bytes in the file mean what they mean in
/// memory); only `register_all` is meaningful in memory alone.
struct weft_plugin_descriptor
{
    char magic[8];         ///< WEFT_PLUGIN_MAGIC
    std::uint32_t abi;     ///< WEFT_PLUGIN_ABI the plugin was compiled against
    std::uint32_t size;    ///< sizeof(weft_plugin_descriptor) of the plugin
    char weft_version[16]; ///< weft's version the plugin was compiled against ("0.1.0")
    char name[64];         ///< the plugin's name ("docs")
    char kinds[32];        ///< what it provides, comma-separated ("spider", "fetcher,sink")
    char version[32];      ///< the plugin's own version
    char stdlib[32];       ///< WEFT_PLUGIN_STDLIB
    /// Registers everything the plugin contains; called at most once, and only after the checks
    /// passed. Returns 0, or non-zero with a message in `error` (never throws).
    int (*register_all)(char* error, std::size_t error_size) noexcept;
};

/// The type of the entry point `weft_plugin_info`.
typedef weft_plugin_descriptor const* (*weft_plugin_info_fn)(void);

namespace weft::plugin
{

/// The ABI this weft was built with (the host's WEFT_PLUGIN_ABI).
inline constexpr std::uint32_t abi_version = WEFT_PLUGIN_ABI;

/// The entry point's name, for dlsym.
inline constexpr char const entry_point[] = "weft_plugin_info";

/// The ELF section holding a copy of the descriptor.
inline constexpr char const descriptor_section[] = ".weft_plugin";

} // namespace weft::plugin
