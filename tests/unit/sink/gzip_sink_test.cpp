#include "sink_support.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using weft::item;
using weft::sink_options;
using weft::test::make_item;
using weft::test::read_file;
using weft::test::read_gzip;
using weft::test::write_items;

namespace
{

std::vector<item> numbered(int from, int to)
{
    std::vector<item> out;
    for (int i = from; i <= to; ++i)
        out.push_back(make_item({{"n", i}, {"text", "item " + std::to_string(i)}}));
    return out;
}

std::string jsonl(int from, int to)
{
    std::string out;
    for (auto const& it : numbered(from, to))
        out += it.dump() + "\n";
    return out;
}

sink_options appending()
{
    sink_options o;
    o.mode = sink_options::open_mode::append;
    return o;
}

// Runs open, write, flush for each batch, and (when `close`) close; as a crash would, without
// closing, the sink is dropped with what it did not flush.
void write_flushed(std::string const& path, std::vector<std::vector<item>> batches, sink_options o, bool close)
{
    boost::asio::io_context io;
    auto s = weft::make_sink_for_path(path, io.get_executor(), o);
    auto run = [](weft::sink& s, std::vector<std::vector<item>> batches, bool close) -> weft::task<weft::error_code>
    {
        auto [ec] = co_await s.async_open(boost::asio::as_tuple(boost::asio::use_awaitable));
        for (auto& b : batches)
        {
            if (!ec)
                std::tie(ec) = co_await s.async_write(std::move(b), boost::asio::as_tuple(boost::asio::use_awaitable));
            if (!ec)
                std::tie(ec) = co_await s.async_flush(boost::asio::as_tuple(boost::asio::use_awaitable));
        }
        if (!ec && close)
            std::tie(ec) = co_await s.async_close(boost::asio::as_tuple(boost::asio::use_awaitable));
        co_return ec;
    };
    auto fut = boost::asio::co_spawn(io, run(*s, std::move(batches), close), boost::asio::use_future);
    io.run();
    REQUIRE_FALSE(fut.get());
}

} // namespace

TEST_CASE(".jsonl.gz output is gzip-compressed JSON lines, one gzip member per flush", "[sink][gzip]")
{
    weft::test::temp_dir dir;
    auto const path = (dir / "items.jsonl.gz").string();
    write_flushed(path, {numbered(1, 500), numbered(501, 600)}, {}, true);
    CHECK(read_gzip(path) == jsonl(1, 600));
    CHECK(std::filesystem::file_size(path) < jsonl(1, 600).size() / 2);

    boost::asio::io_context io;
    auto s = weft::make_sink_for_path(path, io.get_executor());
    CHECK(s->format() == "jsonl.gz"); // the longest extension: .jsonl.gz, not a .gz or .jsonl one
    CHECK(s->resizable());
    CHECK(weft::make_sink_for_path((dir / "ITEMS.CSV.GZ").string(), io.get_executor())->format() == "csv.gz");
}

TEST_CASE("a .jsonl.gz output is valid after each flush and appended to in new members", "[sink][gzip]")
{
    weft::test::temp_dir dir;
    auto const path = (dir / "items.jsonl.gz").string();
    write_flushed(path, {numbered(1, 10)}, {}, false); // flushed, never closed
    CHECK(read_gzip(path) == jsonl(1, 10));
    write_flushed(path, {numbered(11, 20)}, appending(), true);
    CHECK(read_gzip(path) == jsonl(1, 20));
}

TEST_CASE("appending to a .jsonl.gz output with a torn last member cuts it off", "[sink][gzip]")
{
    weft::test::temp_dir dir;
    auto const path = (dir / "items.jsonl.gz").string();
    write_flushed(path, {numbered(1, 10), numbered(11, 20)}, {}, true);
    auto const first = (dir / "first.jsonl.gz").string();
    write_flushed(first, {numbered(1, 10)}, {}, true);
    auto const first_member = std::filesystem::file_size(first);
    auto const whole = std::filesystem::file_size(path);
    REQUIRE(whole > first_member + 10);
    // As a kill leaves it: the second member cut anywhere, even right after its header.
    for (auto end : {first_member + 1, first_member + 10, whole - 8, whole - 1})
    {
        write_flushed(path, {numbered(1, 10), numbered(11, 20)}, {}, true);
        std::filesystem::resize_file(path, end);
        INFO("cut at byte " << end << " of " << whole);
        CHECK(read_gzip(path) == "<not gzip>"); // torn as it is
        write_flushed(path, {numbered(21, 22)}, appending(), true);
        CHECK(read_gzip(path) == jsonl(1, 10) + jsonl(21, 22));
    }
}

TEST_CASE(".csv.gz output is gzip-compressed CSV with one header, also when appended to", "[sink][gzip][csv]")
{
    weft::test::temp_dir dir;
    auto const path = (dir / "items.csv.gz").string();
    write_flushed(path, {numbered(1, 2)}, {}, true);
    CHECK(read_gzip(path) == "n,text\r\n1,item 1\r\n2,item 2\r\n");
    write_flushed(path, {numbered(3, 3)}, appending(), true);
    CHECK(read_gzip(path) == "n,text\r\n1,item 1\r\n2,item 2\r\n3,item 3\r\n");

    // A column first seen later widens the header when the output closes, still gzip.
    std::vector<item> wider;
    wider.push_back(make_item({{"n", 4}, {"extra", "x"}}));
    write_flushed(path, {wider}, appending(), true);
    CHECK(read_gzip(path) == "n,text,extra\r\n1,item 1,\r\n2,item 2,\r\n3,item 3,\r\n4,,x\r\n");
}

TEST_CASE("appending to a plain .csv output does not write a second header", "[sink][csv]")
{
    weft::test::temp_dir dir;
    auto const path = (dir / "items.csv").string();
    write_flushed(path, {numbered(1, 1)}, {}, true);
    write_flushed(path, {numbered(2, 2)}, appending(), true);
    CHECK(read_file(path) == "n,text\r\n1,item 1\r\n2,item 2\r\n");
}

TEST_CASE("a gzip output refuses to append to a file that is not gzip, and leaves it alone", "[sink][gzip]")
{
    weft::test::temp_dir dir;
    auto const path = (dir / "plain.jsonl.gz").string();
    std::ofstream(path) << "{\"n\":1}\n";
    boost::asio::io_context io;
    auto s = weft::make_sink_for_path(path, io.get_executor(), appending());
    auto fut = boost::asio::co_spawn(io, weft::test::drive_sink(*s, {numbered(2, 2)}), boost::asio::use_future);
    io.run();
    CHECK(fut.get());
    CHECK_THAT(s->diagnostics(), Catch::Contains("not a gzip file") && Catch::Contains("-O"));
    CHECK(read_file(path) == "{\"n\":1}\n");
}
