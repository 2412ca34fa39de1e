// weft::plugin::load: loads plugin modules (spiders, fetchers, sinks built as shared libraries)
// after checking their ABI, and finds them on the plugin search path.
//
//     auto r = weft::plugin::load("build/weft_spider_quotes.so");
//     if (!r)
//         std::cerr << r.error().message << '\n'; // r.error().ec == weft::error::plugin_abi_mismatch ...
//
// What happens, in order (nothing of the plugin runs before step 3, nothing registers before 5):
//  1. The file must exist.
//  2. Its descriptor is read from the file's ".weft_plugin" section (<weft/plugin/abi.hpp>); a
//     plugin for another ABI or standard library is refused here, unloaded.
//  3. The module is loaded (dlopen, RTLD_NOW | RTLD_LOCAL: its symbols never override weft's
//     or another plugin's; every reference must resolve now, never later in a crash).
//  4. Its entry point `weft_plugin_info` must exist, and the descriptor it returns is checked
//     again; a refused module is unloaded.
//  5. Its registrations run (spiders, fetchers, sinks), attributed to the module's path and
//     version; a name weft already has from elsewhere is not used, and listed so
//     (<weft/plugin/registry.hpp>).
//
// Errors (load_error::ec): weft::error::plugin_abi_mismatch (another ABI or standard library;
// the message names both), errc::no_such_file_or_directory, errc::executable_format_error (not
// a weft plugin, or the dynamic linker refused it: the message carries dlerror()'s words),
// errc::file_exists (a plugin of the same name is already loaded from another file). Messages
// start with the path. Nothing here throws for a bad plugin, and a bad plugin cannot crash weft
// short of a plugin whose own static constructors crash (a plugin is code you chose to run).
//
// Plugins are loaded only from paths given by the user (--plugin, $WEFT_PLUGIN_PATH) or from
// weft's own plugin directory; never from anything a crawl downloads.
//
// Lifetimes: accepted plugins stay loaded until the process exits.
// Thread safety: every function may be called from any thread; loads are serialised.
#pragma once

#include <weft/error.hpp>

#include <boost/system/result.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace weft::plugin
{

/// A plugin module that was loaded and accepted.
struct module_info
{
    std::filesystem::path path; ///< absolute
    std::string name;           ///< the plugin's name ("docs")
    std::string version;        ///< the plugin's own version
    std::string weft_version;   ///< the weft it was built against
    std::string kinds;          ///< "spider", "fetcher,sink" ...
    unsigned abi = 0;
    std::vector<std::string> spiders; ///< what it registered and weft uses
    std::vector<std::string> fetchers;
    std::vector<std::string> sinks; ///< sink extensions (".parquet")
};

/// Why a plugin was refused.
struct load_error
{
    std::filesystem::path path;
    error_code ec;
    std::string message; ///< "PATH: plugin 'x' was built for weft ABI 3, this weft has ABI 4: ..."
};

/// Lets `result<T, load_error>::value()` throw system_error(ec, message).
[[noreturn]] void throw_exception_from_error(load_error const& e, boost::source_location const& loc);

/// Loads and registers the plugin at `path` (the steps above). Loading a file again returns its
/// first outcome.
boost::system::result<module_info, load_error> load(std::filesystem::path const& path);

/// Every plugin accepted so far, in load order.
std::vector<module_info> loaded_modules();
/// Every plugin refused so far, in order.
std::vector<load_error> refused_modules();

/// The directories searched for plugins, in order: each directory of $WEFT_PLUGIN_PATH
/// (colon-separated), then weft's own plugin directory: <prefix>/lib/weft/plugins beside an
/// installed weft, or <build>/lib/weft/plugins for an executable of the build tree. Only
/// existing directories, each once.
std::vector<std::filesystem::path> search_path();

/// weft's own plugin directory for this executable (see search_path()), whether or not it exists.
std::filesystem::path default_plugin_dir();

/// The plugin files in `dirs`: regular files named *.so carrying a weft plugin descriptor, each
/// directory's sorted by name, directories in order. Files are read, never loaded.
std::vector<std::filesystem::path> find_plugins(std::vector<std::filesystem::path> const& dirs);

/// The file that holds spider `name` by convention, weft_spider_<name>.so, in the first of `dirs`
/// that has one; empty when none does.
std::filesystem::path find_spider_plugin(std::string const& name, std::vector<std::filesystem::path> const& dirs);

/// Loads every plugin find_plugins(dirs) lists (refusals are recorded, not returned), skipping
/// files already loaded or refused.
void load_all(std::vector<std::filesystem::path> const& dirs);

/// The C++ compiler this weft was built with. A plugin must be built by the same one: g++ and
/// clang++ mangle some of Asio's templates differently, so a plugin of the other compiler does
/// not load (weft's CMake package refuses it at configure time).
struct compiler_info
{
    std::string name; ///< "Clang 16.0.6"
    std::string path; ///< "/usr/bin/clang++-16": what to pass as -DCMAKE_CXX_COMPILER
};
compiler_info weft_compiler();

namespace detail
{
/// The module whose registrations are running on this thread (load() step 5), or null: registries
/// record it as the origin of what gets registered.
module_info const* registering_module() noexcept;
} // namespace detail

} // namespace weft::plugin
