// The module side of a plugin: registrations deferred until weft accepts the plugin, and
// WEFT_PLUGIN, which writes the plugin's entry point.
//
// In a plugin module (compiled with WEFT_PLUGIN_MODULE defined, as weft_add_plugin() does),
// WEFT_SPIDER, WEFT_REGISTER_FETCHER and WEFT_REGISTER_SINK do not register anything when the
// module is loaded: their static initialisers only append a node to a list private to the module
// (hidden visibility, no allocation, no call into weft). weft reads the module's descriptor,
// checks its ABI, and only then calls its `register_all`, which runs the deferred registrations.
// A plugin built for another ABI thus never touches weft's registries.
//
// Lifetimes: an accepted plugin stays loaded until the process exits (its factories live in it).
#pragma once

#include <weft/plugin/abi.hpp>
#include <weft/version.hpp>

#include <cstddef>
#include <exception>

namespace weft::plugin::detail
{

/// One deferred registration: `run` registers one spider, fetcher or sink with weft.
struct deferred_registration
{
    char const* kind;
    void (*run)();
    deferred_registration* next;
};

// The module's own list. Hidden: every module (and the host) has its own copy, never shared
// through the dynamic linker. Constant-initialised, so it is valid before any constructor runs.
[[gnu::visibility("hidden")]] inline deferred_registration* module_registrations = nullptr;
[[gnu::visibility("hidden")]] inline deferred_registration** module_registrations_tail = &module_registrations;

/// A static object per registration macro; appends its node (in declaration order per file).
/// Hidden like the list: an out-of-line copy of its constructor must never bind to the host's (or
/// another module's) copy, which would append to their list (seen in Debug builds, where it is
/// not inlined, with a host that exports its own copy).
class [[gnu::visibility("hidden")]] deferred_registrar
{
public:
    deferred_registrar(char const* kind, void (*run)()) noexcept : node_{kind, run, nullptr}
    {
        *module_registrations_tail = &node_;
        module_registrations_tail = &node_.next;
    }
    deferred_registrar(deferred_registrar const&) = delete;
    deferred_registrar& operator=(deferred_registrar const&) = delete;

private:
    deferred_registration node_;
};

/// The descriptor's `register_all`: runs the module's deferred registrations once.
[[gnu::visibility("hidden")]] inline int register_module(char* error, std::size_t error_size) noexcept
{
    char const* kind = "registration";
    auto fail = [&](char const* what)
    {
        if (error && error_size)
        {
            std::size_t n = 0;
            for (char const* parts[] = {"registering a ", kind, " failed: ", what}; auto const* p : parts)
                for (; *p && n + 1 < error_size; ++p)
                    error[n++] = *p;
            error[n] = '\0';
        }
        return 1;
    };
    try
    {
        auto* r = module_registrations;
        module_registrations = nullptr; // once
        for (; r; r = r->next)
        {
            kind = r->kind;
            r->run();
        }
        return 0;
    }
    catch (std::exception const& e)
    {
        return fail(e.what());
    }
    catch (...)
    {
        return fail("unknown exception");
    }
}

} // namespace weft::plugin::detail

/// Defers `statement...` (one registration) until the plugin is accepted. `id` names the static
/// registrar (unique in the file); `kind` is "spider", "fetcher" or "sink".
#define WEFT_PLUGIN_DEFER_(id, kind, ...)                                                                              \
    static ::weft::plugin::detail::deferred_registrar const weft_deferred_registrar_##id                               \
    {                                                                                                                  \
        kind, +[]() { __VA_ARGS__; }                                                                                   \
    }

#if defined(WEFT_PLUGIN_MODULE)
#define WEFT_PLUGIN_CHECK_MODULE_() static_assert(true)
#else
#define WEFT_PLUGIN_CHECK_MODULE_()                                                                                    \
    static_assert(false, "compile plugin modules with WEFT_PLUGIN_MODULE defined (weft_add_plugin does): their "       \
                         "registrations must wait for weft's ABI check")
#endif

/// Writes the plugin's entry point: `weft_plugin_info()` and its descriptor. Once per module;
/// weft_add_plugin() in CMake writes it in a generated file, so a plugin's own sources need only
/// WEFT_SPIDER & co. All three arguments are string literals (too long ones do not compile).
///
///     WEFT_PLUGIN("docs", "1.2.0", "spider")
#define WEFT_PLUGIN(name, version, kinds)                                                                              \
    WEFT_PLUGIN_CHECK_MODULE_();                                                                                       \
    extern "C" [[gnu::visibility("default")]] ::weft_plugin_descriptor const* weft_plugin_info(void)                   \
    {                                                                                                                  \
        [[gnu::used, gnu::section(".weft_plugin")]] static ::weft_plugin_descriptor const descriptor = {               \
            WEFT_PLUGIN_MAGIC,                                                                                         \
            WEFT_PLUGIN_BUILD_ABI,                                                                                     \
            sizeof(::weft_plugin_descriptor),                                                                          \
            WEFT_VERSION_STRING,                                                                                       \
            name,                                                                                                      \
            kinds,                                                                                                     \
            version,                                                                                                   \
            WEFT_PLUGIN_STDLIB,                                                                                        \
            &::weft::plugin::detail::register_module};                                                                 \
        return &descriptor;                                                                                            \
    }
