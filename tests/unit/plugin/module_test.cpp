#include <weft/plugin/module.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

// This executable's own deferred list (each module, and the host, has its own): three
// registrations, the second of which throws while `fail` is set.
namespace
{

std::vector<int> ran;
bool fail = false;

WEFT_PLUGIN_DEFER_(first, "spider", ran.push_back(1));
WEFT_PLUGIN_DEFER_(second, "fetcher", if (fail) throw std::runtime_error("no such thing"); ran.push_back(2));
WEFT_PLUGIN_DEFER_(third, "sink", ran.push_back(3));

} // namespace

TEST_CASE("deferred registrations wait for register_module, run in order and once, and report a throw",
          "[plugin][module]")
{
    CHECK(ran.empty()); // static initialisation only queued them

    fail = true;
    char error[64];
    CHECK(weft::plugin::detail::register_module(error, sizeof error) == 1);
    CHECK(std::string(error) == "registering a fetcher failed: no such thing");
    CHECK(ran == std::vector<int>{1});

    // The list is consumed: nothing runs twice.
    fail = false;
    CHECK(weft::plugin::detail::register_module(error, sizeof error) == 0);
    CHECK(ran == std::vector<int>{1});

    // The message is cut to the buffer and stays terminated.
    char tiny[8];
    weft::plugin::detail::module_registrations = nullptr;
    static weft::plugin::detail::deferred_registration node{"spider", +[] { throw std::runtime_error("x"); }, nullptr};
    weft::plugin::detail::module_registrations = &node;
    CHECK(weft::plugin::detail::register_module(tiny, sizeof tiny) == 1);
    CHECK(std::string(tiny) == "registe");
}
