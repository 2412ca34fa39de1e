#include "sink_support.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

using weft::item;
using weft::test::make_item;
using weft::test::read_file;
using weft::test::write_items;

TEST_CASE("csv sink writes RFC 4180 with the first item's keys as header", "[sink][csv]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "out.csv").string();
    std::vector<item> batch;
    batch.push_back(make_item({{"name", "plain"}, {"text", "a, \"quoted\"\nline"}, {"n", 1.5}}));
    batch.push_back(make_item({{"n", nullptr}, {"name", "東京"}, {"text", {{"nested", true}}}}));
    REQUIRE_FALSE(write_items(path, {batch}));
    CHECK(read_file(path) == "name,text,n\r\n"
                             "plain,\"a, \"\"quoted\"\"\nline\",1.5\r\n"
                             "東京,\"{\"\"nested\"\":true}\",\r\n");
}

TEST_CASE("csv sink adds later keys as columns and rewrites the header at close", "[sink][csv]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "out.csv").string();
    std::vector<item> first;
    first.push_back(make_item({{"a", 1}, {"b", "x,y"}}));
    first.push_back(make_item({{"a", 2}, {"b", "multi\r\nline"}}));
    std::vector<item> second;
    second.push_back(make_item({{"c", "new"}, {"a", 3}}));
    REQUIRE_FALSE(write_items(path, {first, second}));
    CHECK(read_file(path) == "a,b,c\r\n"
                             "1,\"x,y\",\r\n"
                             "2,\"multi\r\nline\",\r\n"
                             "3,,new\r\n");
}

TEST_CASE("csv sink rows are readable after flush, before close", "[sink][csv]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "out.csv").string();
    boost::asio::io_context io;
    auto s = weft::make_sink_for_path(path, io.get_executor());
    std::vector<item> batch;
    batch.push_back(make_item({{"k", "v"}}));
    auto fut = boost::asio::co_spawn(io, weft::test::drive_sink(*s, {batch}, false), boost::asio::use_future);
    io.run();
    REQUIRE_FALSE(fut.get());
    CHECK(read_file(path) == "k\r\nv\r\n");
    io.restart();
    auto closed = boost::asio::co_spawn(io, weft::test::close_sink(*s), boost::asio::use_future);
    io.run();
    CHECK_FALSE(closed.get());
}

TEST_CASE("csv sink appends under the existing header", "[sink][csv]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "out.csv").string();
    std::vector<item> batch;
    batch.push_back(make_item({{"x", 1}, {"y", 2}}));
    REQUIRE_FALSE(write_items(path, {batch}));
    weft::sink_options opts;
    opts.mode = weft::sink_options::open_mode::append;
    std::vector<item> more;
    more.push_back(make_item({{"y", 4}, {"x", 3}}));
    REQUIRE_FALSE(write_items(path, {more}, opts));
    CHECK(read_file(path) == "x,y\r\n1,2\r\n3,4\r\n");
}

TEST_CASE("csv sink reports a bad path", "[sink][csv]")
{
    weft::test::temp_dir dir;
    boost::asio::io_context io;
    auto path = (dir / "missing" / "out.csv").string();
    auto s = weft::make_sink_for_path(path, io.get_executor());
    auto fut = boost::asio::co_spawn(io, weft::test::drive_sink(*s, {}), boost::asio::use_future);
    io.run();
    CHECK(fut.get() == std::errc::no_such_file_or_directory);
    CHECK_THAT(s->diagnostics(), Catch::Contains(path));
}
