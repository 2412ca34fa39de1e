// Chromium's sandbox: on wherever the system allows it, off with a reason where it cannot be.
#include <weft/chromium/sandbox.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>

using weft::chromium::choose_sandbox;
using weft::chromium::sandbox_system;

TEST_CASE("Chromium keeps its sandbox for a user with user namespaces or a setuid helper", "[chromium][sandbox]")
{
    sandbox_system user{.euid = 1000, .unprivileged_userns_clone = "1", .max_user_namespaces = "15000"};
    CHECK(choose_sandbox(std::nullopt, user).sandbox);
    sandbox_system no_clone_file{.euid = 1000, .unprivileged_userns_clone = "", .max_user_namespaces = "15000"};
    CHECK(choose_sandbox(std::nullopt, no_clone_file).sandbox); // kernels without Debian's switch
    sandbox_system helper{.euid = 1000, .unprivileged_userns_clone = "0", .max_user_namespaces = "0",
                          .setuid_helper = true};
    CHECK(choose_sandbox(std::nullopt, helper).sandbox);
}

TEST_CASE("Chromium runs without its sandbox only when it must, saying why", "[chromium][sandbox]")
{
    sandbox_system root{.euid = 0, .unprivileged_userns_clone = "1", .max_user_namespaces = "15000"};
    auto as_root = choose_sandbox(std::nullopt, root);
    CHECK_FALSE(as_root.sandbox);
    CHECK_THAT(as_root.why_not, Catch::Contains("root"));
    sandbox_system no_userns{.euid = 1000, .unprivileged_userns_clone = "0", .max_user_namespaces = "15000"};
    auto locked = choose_sandbox(std::nullopt, no_userns);
    CHECK_FALSE(locked.sandbox);
    CHECK_THAT(locked.why_not, Catch::Contains("user namespaces") && Catch::Contains("chrome-sandbox"));
    // Asked for explicitly: as asked, without a word.
    auto off = choose_sandbox(false, sandbox_system{.euid = 1000});
    CHECK_FALSE(off.sandbox);
    CHECK(off.why_not.empty());
    CHECK(choose_sandbox(true, root).sandbox);
}

TEST_CASE("this machine's answer matches how the browser launches", "[chromium][sandbox]")
{
    auto sys = weft::chromium::probe_sandbox_system("/usr/bin/chromium");
    CHECK(sys.euid == ::geteuid());
    auto choice = choose_sandbox(std::nullopt, sys);
    if (::geteuid() == 0)
        CHECK_FALSE(choice.sandbox); // CI runs as root: --no-sandbox, with the reason said
}
