// Crawl-state backends by address scheme: `--frontier redis://host:6379/0` opens the backend
// registered for "redis" (a plugin), so the engine and the CLI name no backend but the local
// two (memory_state.hpp, job_state.hpp).
#pragma once

#include <weft/async/task.hpp>
#include <weft/engine/settings.hpp>
#include <weft/plugin/registry.hpp>
#include <weft/state/crawl_state.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace weft::state
{

/// What a backend is opened with.
struct backend_address
{
    std::string address;  ///< as the user gave it ("redis://:secret@10.0.0.5:6379/2")
    std::string crawl_id; ///< names the crawl among others in the same store (settings::crawl_id)
    /// true for a crawling process: the settings' politeness (per_host, delay, autothrottle...)
    /// become the crawl's. false to look only (`weft status`, `weft export`).
    bool configure = true;
};

/// Opens (connects, loads scripts) a backend's crawl state on `ex`. Throws weft::system_error
/// naming the address when it cannot (weft::error::state_unavailable: unreachable;
/// weft::error::state_refused: wrong password, a crawl id that is not allowed).
using backend_factory = std::function<task<std::unique_ptr<crawl_state>>(
    executor ex, backend_address where, engine::settings const& s, request_codec codec)>;

/// Registers `factory` for addresses "<scheme>://...", with its origin (<weft/plugin/registry.hpp>).
void register_backend(std::string scheme, backend_factory factory);

/// The factory for `address`'s scheme.
/// @throws std::invalid_argument naming the address and the registered schemes when none fits.
backend_factory find_backend(std::string_view address);

/// find_backend(where.address), then opens it: what the engine does for settings::frontier and
/// `weft status`/`weft export` for their ADDRESS. Every message it throws names the address with
/// its password redacted, never the password (a backend's own message is scrubbed too).
/// @throws std::invalid_argument (no backend for the scheme), weft::system_error (the backend's
/// code: weft::error::state_unavailable, state_refused ...), std::runtime_error (anything else).
task<std::unique_ptr<crawl_state>> async_open_backend(executor ex, backend_address where, engine::settings const& s,
                                                      request_codec codec);

/// The registered schemes with their origins.
std::vector<plugin::registration> backend_entries();

namespace detail
{
struct backend_registrar
{
    backend_registrar(char const* scheme, backend_factory factory) { register_backend(scheme, std::move(factory)); }
};
} // namespace detail

} // namespace weft::state

/// Registers `factory` (a backend_factory) for `scheme` at static initialisation (built-in plugins).
#define WEFT_REGISTER_STATE_BACKEND(id, scheme, factory)                                                                \
    static ::weft::state::detail::backend_registrar const weft_state_backend_registrar_##id{scheme, factory}
