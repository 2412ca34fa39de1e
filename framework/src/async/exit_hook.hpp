// What a second stop signal runs before the process exits at once (framework/src/async/signals.cpp).
// Private to the framework.
#pragma once

namespace weft::detail
{

/// `f` runs inside a signal handler (async-signal-safe calls only, such as unlink) when a second
/// SIGINT, SIGTERM or SIGHUP ends the process with _exit(130): it removes scratch files. One
/// hook; a later call replaces it.
void on_exit_now(void (*f)()) noexcept;

} // namespace weft::detail
