#include "sink_support.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using weft::item;
using weft::sink_options;
using weft::test::make_item;
using weft::test::read_file;
using weft::test::write_items;

namespace
{

std::vector<item> numbered(int from, int to)
{
    std::vector<item> out;
    for (int i = from; i <= to; ++i)
        out.push_back(make_item({{"n", i}}));
    return out;
}

// The "n" of each element; fails the test when the file is not one JSON array.
std::vector<int> array_numbers(std::string const& path)
{
    auto const j = item::json::parse(read_file(path), nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    REQUIRE(j.is_array());
    std::vector<int> out;
    for (auto const& e : j)
        out.push_back(e.at("n").get<int>());
    return out;
}

std::vector<int> range(int from, int to)
{
    std::vector<int> v;
    for (int i = from; i <= to; ++i)
        v.push_back(i);
    return v;
}

sink_options appending()
{
    sink_options o;
    o.mode = sink_options::open_mode::append;
    return o;
}

} // namespace

TEST_CASE("the .json sink writes one JSON array, an item per line, as Scrapy's .json feed", "[sink][json]")
{
    weft::test::temp_dir dir;
    auto const path = (dir / "items.json").string();
    REQUIRE_FALSE(write_items(path, {numbered(1, 2), numbered(3, 3)}));
    CHECK(read_file(path) == "[\n{\"n\":1},\n{\"n\":2},\n{\"n\":3}\n]\n");

    boost::asio::io_context io;
    auto s = weft::make_sink_for_path(path, io.get_executor());
    CHECK(s->format() == "json");
    CHECK(s->resizable());
}

TEST_CASE("the .json sink writes an empty array when there are no items", "[sink][json]")
{
    weft::test::temp_dir dir;
    auto const path = (dir / "items.json").string();
    REQUIRE_FALSE(write_items(path, {}));
    CHECK(array_numbers(path).empty());
}

TEST_CASE("appending to a .json output goes on inside its array", "[sink][json]")
{
    weft::test::temp_dir dir;
    auto const path = (dir / "items.json").string();
    REQUIRE_FALSE(write_items(path, {numbered(1, 2)}));
    REQUIRE_FALSE(write_items(path, {numbered(3, 4)}, appending()));
    CHECK(array_numbers(path) == range(1, 4));

    // Appending to an empty array, and to a file that does not exist yet.
    auto const empty = (dir / "empty.json").string();
    REQUIRE_FALSE(write_items(empty, {}));
    REQUIRE_FALSE(write_items(empty, {numbered(1, 1)}, appending()));
    CHECK(array_numbers(empty) == range(1, 1));
    auto const fresh = (dir / "fresh.json").string();
    REQUIRE_FALSE(write_items(fresh, {numbered(7, 8)}, appending()));
    CHECK(array_numbers(fresh) == range(7, 8));
}

TEST_CASE("appending to a .json output left by a crash drops its torn last item and closes the array", "[sink][json]")
{
    weft::test::temp_dir dir;
    auto const path = (dir / "items.json").string();
    REQUIRE_FALSE(write_items(path, {numbered(1, 3)}));
    auto const whole = read_file(path);
    // As a kill leaves it: no closing bracket, the last item cut at every possible byte.
    auto const cut_at = whole.find("{\"n\":3}");
    for (auto end = cut_at - 2; end < cut_at + 7; ++end)
    {
        std::filesystem::resize_file(path, end);
        REQUIRE_FALSE(write_items(path, {numbered(4, 4)}, appending()));
        INFO("cut at byte " << end << " of " << whole);
        CHECK(array_numbers(path) == std::vector<int>{1, 2, 4});
        REQUIRE_FALSE(write_items(path, {numbered(1, 3)})); // the next round starts whole again
    }
    // Cut right after the opening bracket: the array had no item yet.
    std::filesystem::resize_file(path, 1);
    REQUIRE_FALSE(write_items(path, {numbered(5, 5)}, appending()));
    CHECK(array_numbers(path) == range(5, 5));
}

TEST_CASE("the .json sink refuses to append to JSON it did not write, saying how to overwrite", "[sink][json]")
{
    weft::test::temp_dir dir;
    auto const path = (dir / "other.json").string();
    std::ofstream(path) << "{\"not\": \"an array\"}\n";
    boost::asio::io_context io;
    auto s = weft::make_sink_for_path(path, io.get_executor(), appending());
    auto fut = boost::asio::co_spawn(io, weft::test::drive_sink(*s, {numbered(1, 1)}), boost::asio::use_future);
    io.run();
    CHECK(fut.get());
    CHECK_THAT(s->diagnostics(), Catch::Contains("not a JSON array") && Catch::Contains("-O"));
    CHECK(read_file(path) == "{\"not\": \"an array\"}\n"); // untouched
}
