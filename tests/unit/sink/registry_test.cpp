#include <weft/sink/registry.hpp>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

TEST_CASE("make_sink_for_path picks the sink by extension, case-insensitively", "[sink][registry]")
{
    boost::asio::io_context io;
    CHECK(weft::make_sink_for_path("out.jsonl", io.get_executor())->format() == "jsonl");
    CHECK(weft::make_sink_for_path("dir.v2/OUT.JSON", io.get_executor())->format() == "json");
    CHECK(weft::make_sink_for_path("a.jsonl.gz", io.get_executor())->format() == "jsonl.gz");
    CHECK(weft::make_sink_for_path("a.CSV.GZ", io.get_executor())->format() == "csv.gz");
    CHECK(weft::make_sink_for_path("-", io.get_executor())->format() == "jsonl");
    CHECK(weft::make_sink_for_path("a.csv", io.get_executor())->format() == "csv");
    CHECK(weft::make_sink_for_path("a.db", io.get_executor())->format() == "sqlite");
    CHECK(weft::make_sink_for_path("a.sqlite", io.get_executor())->format() == "sqlite");
    CHECK(weft::make_sink_for_path("a.csv", io.get_executor())->path() == "a.csv");
}

TEST_CASE("make_sink_for_path names the supported extensions for an unknown one", "[sink][registry]")
{
    boost::asio::io_context io;
    try
    {
        weft::make_sink_for_path("items.xml", io.get_executor());
        FAIL("no exception");
    }
    catch (std::invalid_argument const& e)
    {
        std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("items.xml"));
        // Sorted; a plugin another test loaded into this process may add its own (".plugin_good").
        CHECK_THAT(what, Catch::Contains(".csv, .csv.gz, .db, .json, .jsonl, .jsonl.gz, ") && Catch::Contains(".sqlite"));
        CHECK_THAT(what, Catch::Contains("'-' (stdout)"));
    }
    CHECK_THROWS_AS(weft::make_sink_for_path(".jsonl", io.get_executor()), std::invalid_argument);
    CHECK_THROWS_AS(weft::make_sink_for_path("noext", io.get_executor()), std::invalid_argument);
}
