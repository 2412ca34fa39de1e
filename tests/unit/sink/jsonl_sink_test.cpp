#include "sink_support.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using weft::item;
using weft::test::make_item;
using weft::test::read_file;
using weft::test::write_items;

namespace
{

std::vector<item::json> read_lines(std::string const& path)
{
    std::vector<item::json> out;
    std::istringstream in(read_file(path));
    for (std::string line; std::getline(in, line);)
        out.push_back(item::json::parse(line));
    return out;
}

} // namespace

TEST_CASE("jsonl sink round-trips items, one object per line", "[sink][jsonl]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "out.jsonl").string();
    std::vector<item> batch1;
    batch1.push_back(make_item({{"title", "東京 ☃ 😀"}, {"n", 1}, {"nested", {{"a", {1, 2}}}}}));
    batch1.push_back(make_item({{"title", "line\nbreak \"quoted\""}, {"n", nullptr}}));
    std::vector<item> batch2;
    batch2.push_back(make_item({{"z", true}}));
    REQUIRE_FALSE(write_items(path, {batch1, batch2}));

    auto lines = read_lines(path);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == batch1[0].value());
    CHECK(lines[1] == batch1[1].value());
    CHECK(lines[2] == batch2[0].value());
    CHECK(read_file(path).find("東京 ☃ 😀") != std::string::npos); // UTF-8 as is, not \u escapes
}

TEST_CASE("jsonl sink data is readable by another handle after flush, before close", "[sink][jsonl]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "out.jsonl").string();
    boost::asio::io_context io;
    auto s = weft::make_sink_for_path(path, io.get_executor());
    std::vector<item> batch;
    batch.push_back(make_item({{"k", "v"}}));
    auto fut = boost::asio::co_spawn(io, weft::test::drive_sink(*s, {batch}, false), boost::asio::use_future);
    io.run();
    REQUIRE_FALSE(fut.get());
    CHECK(read_file(path) == "{\"k\":\"v\"}\n");
    io.restart();
    auto closed = boost::asio::co_spawn(io, weft::test::close_sink(*s), boost::asio::use_future);
    io.run();
    CHECK_FALSE(closed.get());
}

TEST_CASE("jsonl sink writes large batches through the blocking pool", "[sink][jsonl]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "big.jsonl").string();
    std::vector<std::vector<item>> batches;
    for (int b = 0; b < 20; ++b)
    {
        std::vector<item> batch;
        for (int i = 0; i < 500; ++i)
            batch.push_back(make_item({{"i", b * 500 + i}, {"pad", std::string(100, 'x')}}));
        batches.push_back(std::move(batch));
    }
    weft::sink_options opts;
    opts.buffer_bytes = 4096;
    REQUIRE_FALSE(write_items(path, batches, opts));
    auto lines = read_lines(path);
    REQUIRE(lines.size() == 10000);
    CHECK(lines[9999]["i"] == 9999);
}

TEST_CASE("jsonl sink appends and cuts a torn last line", "[sink][jsonl]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "out.jsonl").string();
    {
        std::ofstream out(path, std::ios::binary);
        out << "{\"a\":1}\n{\"a\":2}\n{\"a\":";
    }
    weft::sink_options opts;
    opts.mode = weft::sink_options::open_mode::append;
    std::vector<item> batch;
    batch.push_back(make_item({{"a", 3}}));
    REQUIRE_FALSE(write_items(path, {batch}, opts));
    CHECK(read_file(path) == "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");

    REQUIRE_FALSE(write_items(path, {batch}));
    CHECK(read_file(path) == "{\"a\":3}\n"); // truncate mode
}

TEST_CASE("jsonl sink reports a bad path with what, where and what to do", "[sink][jsonl]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "no-such-dir" / "out.jsonl").string();
    boost::asio::io_context io;
    auto s = weft::make_sink_for_path(path, io.get_executor());
    auto fut = boost::asio::co_spawn(io, weft::test::drive_sink(*s, {}), boost::asio::use_future);
    io.run();
    auto ec = fut.get();
    CHECK(ec == std::errc::no_such_file_or_directory);
    CHECK_THAT(s->diagnostics(), Catch::Contains("cannot open output file"));
    CHECK_THAT(s->diagnostics(), Catch::Contains(path));
    CHECK_THAT(s->diagnostics(), Catch::Contains("create the directory"));

    std::filesystem::create_directory(dir / "d.jsonl");
    boost::asio::io_context io2;
    auto on_dir = weft::make_sink_for_path((dir / "d.jsonl").string(), io2.get_executor());
    auto fut2 = boost::asio::co_spawn(io2, weft::test::drive_sink(*on_dir, {}), boost::asio::use_future);
    io2.run();
    CHECK(fut2.get() == std::errc::is_a_directory);
    CHECK_THAT(on_dir->diagnostics(), Catch::Contains("it is a directory"));
}
