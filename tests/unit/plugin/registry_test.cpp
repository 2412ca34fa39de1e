#include <weft/plugin/registry.hpp>

#include <weft/http/fetcher_registry.hpp>
#include <weft/sink/registry.hpp>
#include <weft/version.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>

namespace
{

using factory = std::function<int()>;
using weft::plugin::built_in;
using weft::plugin::origin;

origin const plugin_a{"/plugins/weft_a.so", "1.2.0"};
origin const plugin_b{"/plugins/weft_b.so", "3.0.0"};

factory returns(int n)
{
    return [n] { return n; };
}

} // namespace

TEST_CASE("a registration records its origin and version; outside a plugin's registration it is built in",
          "[plugin][registry]")
{
    weft::plugin::registry<factory> r("widget");
    CHECK_FALSE(r.add("here", returns(1)));
    CHECK_FALSE(r.add("there", returns(2), plugin_a));
    CHECK_FALSE(r.find("nowhere"));
    REQUIRE(r.find("there"));
    CHECK(r.find("there")() == 2);
    CHECK(r.names() == std::vector<std::string>{"here", "there"});

    auto list = r.list();
    REQUIRE(list.size() == 2);
    CHECK(list[0].name == "here");
    CHECK(list[0].origin == built_in);
    CHECK(list[0].version == WEFT_VERSION_STRING);
    CHECK(list[1].origin == plugin_a.where);
    CHECK(list[1].version == "1.2.0");
    CHECK(list[1].shadowed_by.empty());
}

TEST_CASE("a name registered again from its own origin is replaced, from another one refused naming both",
          "[plugin][registry]")
{
    weft::plugin::registry<factory> r("widget");
    REQUIRE_FALSE(r.add("w", returns(1), plugin_a));
    CHECK_FALSE(r.add("w", returns(2), plugin_a)); // the same plugin: replaced
    CHECK(r.find("w")() == 2);

    auto refused = r.add("w", returns(3), plugin_b);
    REQUIRE(refused);
    CHECK(*refused == "widget 'w' from /plugins/weft_b.so (3.0.0) is not used: a widget of that name comes from "
                      "/plugins/weft_a.so");
    CHECK(r.find("w")() == 2); // the first origin stays in use
    auto built = r.add("w", returns(4));
    REQUIRE(built);
    CHECK_THAT(*built, Catch::StartsWith("widget 'w' from built in (" WEFT_VERSION_STRING ") is not used"));
    CHECK(r.add("w", returns(5), plugin_b)); // refused again: listed once

    auto list = r.list();
    REQUIRE(list.size() == 3);
    CHECK(list[0].origin == plugin_a.where);
    CHECK(list[0].shadowed_by.empty());
    CHECK(list[1].origin == built_in);
    CHECK(list[1].shadowed_by == plugin_a.where);
    CHECK(list[2].origin == plugin_b.where);
    CHECK(list[2].shadowed_by == plugin_a.where);
    CHECK(r.names() == std::vector<std::string>{"w"});
    CHECK(r.entries().size() == 1);
}

TEST_CASE("fetchers and sinks registered by the program are listed as built in with weft's version",
          "[plugin][registry][http][sink]")
{
    auto is_curl = [](auto const& e) { return e.name == "curl"; };
    auto fetchers = weft::http::fetcher_entries();
    auto curl = std::find_if(fetchers.begin(), fetchers.end(), is_curl);
    REQUIRE(curl != fetchers.end());
    CHECK(curl->origin == built_in);
    CHECK(curl->version == WEFT_VERSION_STRING);

    auto sinks = weft::sink_entries();
    auto jsonl = std::find_if(sinks.begin(), sinks.end(), [](auto const& e) { return e.name == ".jsonl"; });
    REQUIRE(jsonl != sinks.end());
    CHECK(jsonl->origin == built_in);
    CHECK(jsonl->shadowed_by.empty());
}
