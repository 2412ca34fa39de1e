#include <weft/plugin/loader.hpp>

#include <weft/http/fetcher_registry.hpp>
#include <weft/plugin/abi.hpp>
#include <weft/plugin/registry.hpp>
#include <weft/sink/registry.hpp>
#include <weft/spider/spider.hpp>
#include <weft/version.hpp>

#include "plugin/elf_section.hpp"
#include "plugin/load_failure.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>

namespace weft::plugin
{
namespace
{

namespace fs = std::filesystem;
using boost::system::errc::make_error_code;
namespace errc = boost::system::errc;

struct state
{
    std::mutex mutex;
    std::vector<module_info> loaded;
    std::vector<load_error> refused;
    std::map<fs::path, boost::system::result<module_info, load_error>> by_path;
    std::vector<void*> handles; // never closed: the registries hold the modules' factories
};

state& the_state()
{
    static state s;
    return s;
}

thread_local module_info const* current = nullptr;

// A fixed-size descriptor string up to its NUL (or its end, when a broken plugin left none).
template <std::size_t N>
std::string field(char const (&f)[N])
{
    return std::string(f, ::strnlen(f, N));
}

load_error refusal(fs::path const& path, error_code ec, std::string const& why)
{
    return {path, ec, path.string() + ": " + why};
}

// Checks the descriptor's bytes (from the file, or from the loaded module). Returns the refusal,
// or nothing when the plugin may be loaded; fills `out` with what the descriptor says.
std::optional<load_error> check(fs::path const& path, std::string_view bytes, weft_plugin_descriptor& out)
{
    std::memset(&out, 0, sizeof out);
    // The first 16 bytes (magic, abi, size) are the same in every layout there will ever be.
    constexpr std::size_t fixed = offsetof(weft_plugin_descriptor, weft_version);
    if (bytes.size() < fixed)
        return refusal(path, weft::error::not_a_plugin,
                       "not a weft plugin (its descriptor is truncated)");
    std::memcpy(&out, bytes.data(), std::min(bytes.size(), sizeof out));
    bool const same_layout = std::memcmp(out.magic, WEFT_PLUGIN_MAGIC, sizeof out.magic) == 0 &&
                             out.size >= sizeof out && bytes.size() >= sizeof out;
    if (!same_layout && std::memcmp(out.magic, "weft-p", 6) != 0)
        return refusal(path, weft::error::not_a_plugin,
                       "not a weft plugin (its descriptor is not one weft knows)");
    std::string const name = same_layout ? field(out.name) : path.stem().string();
    if (!same_layout || out.abi != abi_version)
    {
        std::string msg = "plugin '" + name + "' was built for weft ABI " + std::to_string(out.abi) +
                          ", this weft has ABI " + std::to_string(abi_version) + ": rebuild it against this weft";
        if (same_layout && field(out.weft_version) != WEFT_VERSION_STRING)
            msg += " (it was built with weft " + field(out.weft_version) + "; this is weft " WEFT_VERSION_STRING ")";
        return refusal(path, weft::error::plugin_abi_mismatch, msg);
    }
    if (field(out.stdlib) != WEFT_PLUGIN_STDLIB)
        return refusal(path, weft::error::plugin_abi_mismatch,
                       "plugin '" + name + "' was built with the C++ standard library " + field(out.stdlib) +
                           ", this weft with " WEFT_PLUGIN_STDLIB ": rebuild it against this weft");
    if (name.empty())
        return refusal(path, weft::error::not_a_plugin, "not a weft plugin (it has no name)");
    return std::nullopt;
}

// The same name from another file: the first one loaded stays (search order decides).
std::optional<load_error> check_duplicate(state const& st, fs::path const& path, std::string const& name)
{
    for (auto const& m : st.loaded)
        if (m.name == name && m.path != path)
            return refusal(path, weft::error::plugin_already_loaded,
                           "plugin '" + name + "' is already loaded from " + m.path.string() + "; this one is ignored");
    return std::nullopt;
}

boost::system::result<module_info, load_error> load_locked(state& st, fs::path const& path)
{
    std::error_code fec;
    if (!fs::exists(path, fec))
        return refusal(path, make_error_code(errc::no_such_file_or_directory), "no such file");
    if (!fs::is_regular_file(path, fec))
        return refusal(path, weft::error::not_a_plugin, "not a regular file");

    // 2. The descriptor from the file: a mismatched plugin is refused before any of it runs, even
    //    one whose references to an older weft would not resolve.
    weft_plugin_descriptor d;
    auto const section = detail::read_elf_section(path, descriptor_section);
    if (section.what == detail::elf_section::status::found)
    {
        if (auto e = check(path, section.bytes, d))
            return *e;
        if (auto e = check_duplicate(st, path, field(d.name)))
            return *e;
    }

    // 3. Load. RTLD_LOCAL: the module's symbols never interpose on weft's or another plugin's.
    ::dlerror();
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
    {
        char const* err = ::dlerror();
        std::string why = err ? err : "unknown dynamic linker error";
        if (auto const prefix = path.string() + ": "; why.starts_with(prefix)) // said once is enough
            why.erase(0, prefix.size());
        return refusal(path, weft::error::plugin_load_failed,
                       "cannot be loaded: " + detail::explain_load_failure(std::move(why)));
    }
    auto unload = [&](load_error e)
    {
        ::dlclose(handle);
        return e;
    };

    // 4. The entry point and its descriptor (the authoritative copy).
    auto entry = reinterpret_cast<weft_plugin_info_fn>(::dlsym(handle, entry_point));
    if (!entry)
        return unload(refusal(path, weft::error::not_a_plugin,
                              "not a weft plugin (it has no weft_plugin_info entry point)"));
    auto const* live = entry();
    if (!live)
        return unload(refusal(path, weft::error::not_a_plugin,
                              "not a weft plugin (weft_plugin_info returned nothing)"));
    // Only the fixed part is certain to exist before the size is known.
    std::size_t const claimed =
        std::memcmp(live->magic, WEFT_PLUGIN_MAGIC, sizeof live->magic) == 0 && live->size >= sizeof d ? sizeof d : 16;
    if (auto e = check(path, std::string_view(reinterpret_cast<char const*>(live), claimed), d))
        return unload(*e);
    if (auto e = check_duplicate(st, path, field(d.name)))
        return unload(*e);
    if (!live->register_all)
        return unload(refusal(path, weft::error::not_a_plugin,
                              "not a weft plugin (its descriptor has no register_all)"));

    // 5. Register, attributing what appears to this module.
    module_info info;
    info.path = path;
    info.name = field(d.name);
    info.version = field(d.version);
    info.weft_version = field(d.weft_version);
    info.kinds = field(d.kinds);
    info.abi = d.abi;
    char error[512] = {};
    current = &info;
    int const rc = live->register_all(error, sizeof error);
    current = nullptr;
    st.handles.push_back(handle); // even after a failure: some factories may already point into it
    if (rc != 0)
        return refusal(path, weft::error::plugin_register_failed,
                       "plugin \'" + info.name + "\' failed to register: " + field(error));

    // What it registered: the registrations in use whose origin is this module (a name another
    // origin had first is listed by the registry as not used).
    auto const mine = [&](std::vector<registration> const& all)
    {
        std::vector<std::string> out;
        for (auto const& r : all)
            if (r.origin == path.string() && r.shadowed_by.empty())
                out.push_back(r.name);
        return out;
    };
    try // naming a spider constructs one: the plugin's code may throw
    {
        info.spiders = mine(spider_entries());
    }
    catch (std::exception const& e)
    {
        return refusal(path, weft::error::plugin_register_failed,
                       "plugin \'" + info.name + "\' failed to register: a spider's constructor threw: " + e.what());
    }
    info.fetchers = mine(http::fetcher_entries());
    info.sinks = mine(sink_entries());
    return info;
}

fs::path absolute_path(fs::path const& p)
{
    std::error_code ec;
    auto abs = fs::absolute(p, ec);
    if (ec)
        return p;
    auto canon = fs::weakly_canonical(abs, ec);
    return ec ? abs.lexically_normal() : canon;
}

} // namespace

void throw_exception_from_error(load_error const& e, boost::source_location const& loc)
{
    boost::throw_exception(system_error(e.ec, e.message), loc);
}

boost::system::result<module_info, load_error> load(std::filesystem::path const& given)
{
    auto const path = absolute_path(given);
    auto& st = the_state();
    std::lock_guard lock(st.mutex);
    if (auto it = st.by_path.find(path); it != st.by_path.end())
        return it->second;
    auto r = load_locked(st, path);
    if (r)
        st.loaded.push_back(*r);
    else
        st.refused.push_back(r.error());
    st.by_path.emplace(path, r);
    return r;
}

std::vector<module_info> loaded_modules()
{
    auto& st = the_state();
    std::lock_guard lock(st.mutex);
    return st.loaded;
}

std::vector<load_error> refused_modules()
{
    auto& st = the_state();
    std::lock_guard lock(st.mutex);
    return st.refused;
}

std::filesystem::path default_plugin_dir()
{
    std::error_code ec;
    auto exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        return {};
    // An executable of the build tree (weft, the tests) uses the build tree's plugins.
    auto const build = absolute_path(WEFT_BUILD_DIR);
    auto const rel = exe.lexically_normal().lexically_relative(build);
    if (!rel.empty() && *rel.begin() != "..")
        return fs::path(WEFT_BUILD_PLUGIN_DIR);
    return (exe.parent_path() / WEFT_INSTALL_PLUGIN_DIR_FROM_BIN).lexically_normal();
}

std::vector<std::filesystem::path> search_path()
{
    std::vector<fs::path> out;
    std::set<fs::path> seen;
    auto add = [&](fs::path const& dir)
    {
        std::error_code ec;
        if (dir.empty() || !fs::is_directory(dir, ec))
            return;
        auto p = absolute_path(dir);
        if (seen.insert(p).second)
            out.push_back(p);
    };
    if (char const* env = std::getenv("WEFT_PLUGIN_PATH"))
    {
        std::string_view rest(env);
        while (!rest.empty())
        {
            auto colon = rest.find(':');
            add(fs::path(std::string(rest.substr(0, colon))));
            rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
        }
    }
    add(default_plugin_dir());
    return out;
}

std::vector<std::filesystem::path> find_plugins(std::vector<std::filesystem::path> const& dirs)
{
    std::vector<fs::path> out;
    for (auto const& dir : dirs)
    {
        std::vector<fs::path> here;
        std::error_code ec;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        {
            std::error_code fec;
            if (it->path().extension() == ".so" && it->is_regular_file(fec))
                here.push_back(it->path());
        }
        std::sort(here.begin(), here.end());
        for (auto& p : here)
            if (detail::read_elf_section(p, descriptor_section).what == detail::elf_section::status::found)
                out.push_back(std::move(p));
    }
    return out;
}

std::filesystem::path find_spider_plugin(std::string const& name, std::vector<std::filesystem::path> const& dirs)
{
    if (name.empty() || name.find('/') != std::string::npos || name.find('\0') != std::string::npos)
        return {};
    for (auto const& dir : dirs)
    {
        auto p = dir / ("weft_spider_" + name + ".so");
        std::error_code ec;
        if (fs::is_regular_file(p, ec))
            return p;
    }
    return {};
}

void load_all(std::vector<std::filesystem::path> const& dirs)
{
    for (auto const& p : find_plugins(dirs))
        (void)load(p);
}

namespace detail
{
module_info const* registering_module() noexcept
{
    return current;
}
} // namespace detail

} // namespace weft::plugin
