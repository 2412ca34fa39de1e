#include <weft/chromium/sandbox.hpp>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

namespace weft::chromium
{

namespace
{

std::string first_line(char const* path)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

bool is_setuid_root(std::filesystem::path const& p)
{
    struct ::stat st{};
    return ::stat(p.c_str(), &st) == 0 && st.st_uid == 0 && (st.st_mode & S_ISUID) != 0;
}

} // namespace

sandbox_choice choose_sandbox(std::optional<bool> requested, sandbox_system const& sys)
{
    if (requested)
        return {*requested, {}}; // asked for: no message (a sandbox refused as root fails the launch, saying so)
    if (sys.euid == 0)
        return {false, "running as root, where Chromium refuses its sandbox; run weft as another user to keep it"};
    bool const userns_off = sys.unprivileged_userns_clone == "0" || sys.max_user_namespaces == "0";
    if (userns_off && !sys.setuid_helper)
        return {false, "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone or "
                       "user.max_user_namespaces is 0) and there is no setuid chrome-sandbox; enable them with "
                       "sysctl to keep the sandbox"};
    return {true, {}};
}

sandbox_system probe_sandbox_system(std::string const& executable)
{
    sandbox_system sys;
    sys.euid = ::geteuid();
    sys.unprivileged_userns_clone = first_line("/proc/sys/kernel/unprivileged_userns_clone");
    sys.max_user_namespaces = first_line("/proc/sys/user/max_user_namespaces");
    std::error_code ec;
    auto const real = std::filesystem::canonical(executable, ec); // /usr/bin/chromium is a script on Debian
    auto const dir = ec ? std::filesystem::path(executable).parent_path() : real.parent_path();
    sys.setuid_helper = is_setuid_root(dir / "chrome-sandbox") || is_setuid_root("/usr/lib/chromium/chrome-sandbox");
    return sys;
}

void say_no_sandbox_once(std::string const& why_not)
{
    static std::atomic<bool> said{false};
    if (!said.exchange(true))
        std::fprintf(stderr, "weft: chromium runs without its sandbox (--no-sandbox): %s\n", why_not.c_str());
}

} // namespace weft::chromium
