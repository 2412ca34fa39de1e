#include <weft/engine/setting_keys.hpp>

#include <weft/engine/settings.hpp>
#include <weft/plugin/registry.hpp>

#include <catch2/catch.hpp>

#include <algorithm>

using namespace weft::engine;

TEST_CASE("every name settings::set parses is a known setting, Scrapy's and any case included", "[settings]")
{
    auto const names = builtin_setting_names();
    CHECK(std::is_sorted(names.begin(), names.end()));
    for (auto const* k : {"max_pages", "closespider_pagecount", "download_delay", "verify_tls", "sink_flush_interval"})
        CHECK(std::binary_search(names.begin(), names.end(), k));
    CHECK(is_known_setting("CLOSESPIDER_PAGECOUNT"));
    CHECK(is_known_setting("Max_Pages"));
    CHECK_FALSE(unknown_setting_message("concurrent_requests"));

    // Each table name is parsed by set(), not stored as an extra.
    for (auto const& n : names)
    {
        settings s;
        try
        {
            s.set(n, "1");
        }
        catch (std::invalid_argument const&) // a value "1" that does not fit: parsed all the same
        {
        }
        INFO(n);
        CHECK(s.extra.empty());
    }
}

TEST_CASE("an unknown setting's message suggests the closest known key within a few edits", "[settings]")
{
    CHECK(unknown_setting_message("max_pagess") ==
          std::optional<std::string>("unknown setting 'max_pagess' (did you mean 'max_pages'?); the known ones are in "
                                     "README.md (\"Crawl defaults\"), a plugin's own once the plugin is loaded "
                                     "(--plugin); spider arguments go with -a KEY=VALUE"));
    CHECK_THAT(*unknown_setting_message("concurency"), Catch::Contains("did you mean 'concurrency'?"));
    CHECK_THAT(*unknown_setting_message("USER_AGENTT"), Catch::Contains("did you mean 'user_agent'?"));
    CHECK_THAT(*unknown_setting_message("qqq"), !Catch::Contains("did you mean"));
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("same", "same") == 0);
}

TEST_CASE("a setting a plugin or spider declares is known once declared, with its origin", "[settings]")
{
    CHECK(unknown_setting_message("weft_test_declared_key"));
    declare_setting("weft_test_declared_key", "a key this test declares");
    CHECK(is_known_setting("WEFT_TEST_DECLARED_KEY"));
    CHECK_FALSE(unknown_setting_message("weft_test_declared_key"));
    CHECK_THAT(*unknown_setting_message("weft_test_declared_ky"),
               Catch::Contains("did you mean 'weft_test_declared_key'?"));
    auto const listed = declared_settings();
    auto const it =
        std::find_if(listed.begin(), listed.end(),
                     [](weft::plugin::registration const& r) { return r.name == "weft_test_declared_key"; });
    REQUIRE(it != listed.end());
    CHECK(it->origin == weft::plugin::built_in);
}

TEST_CASE("html_parser chooses weft's own tree builder or gumbo", "[settings][html]")
{
    settings s;
    CHECK(s.html_parser == weft::html::parser::automatic); // the process default (weft)
    s.set("html_parser", "GUMBO");
    CHECK(s.html_parser == weft::html::parser::gumbo);
    CHECK(s.to_json()["html_parser"] == "gumbo");
    s.set("html_parser", "weft");
    CHECK(s.html_parser == weft::html::parser::weft);
    CHECK(is_known_setting("html_parser"));
    CHECK_THROWS_WITH(s.set("html_parser", "lxml"),
                      Catch::Contains("html_parser") && Catch::Contains("weft, gumbo or auto"));
    CHECK(s.html_parser == weft::html::parser::weft); // a refused value changes nothing
}
