// weft::chromium sandbox choice: whether a launched Chromium runs in its sandbox (yes wherever
// the system allows it; launch_options::sandbox) and, when it cannot, why.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace weft::chromium
{

/// What the system offers Chromium's sandbox.
struct sandbox_system
{
    uid_t euid = 0;
    std::string unprivileged_userns_clone; ///< /proc/sys/kernel/unprivileged_userns_clone ("" when absent)
    std::string max_user_namespaces;       ///< /proc/sys/user/max_user_namespaces ("" when absent)
    bool setuid_helper = false;            ///< a setuid-root chrome-sandbox beside the executable
};

struct sandbox_choice
{
    bool sandbox = true;
    std::string why_not; ///< when !sandbox and the caller did not ask for that: the reason
};

/// `requested`: launch_options::sandbox (nullopt: whatever the system allows).
sandbox_choice choose_sandbox(std::optional<bool> requested, sandbox_system const& sys);

/// This machine, for Chromium at `executable`.
sandbox_system probe_sandbox_system(std::string const& executable);

/// Says `why_not` on stderr, once per process.
void say_no_sandbox_once(std::string const& why_not);

} // namespace weft::chromium
