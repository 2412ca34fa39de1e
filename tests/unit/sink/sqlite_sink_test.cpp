#include "sink_support.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <weft/sqlite/database.hpp>

using weft::item;
using weft::test::make_item;
using weft::test::write_items;

namespace
{

// Rows of `sql` as strings ("NULL" for null), read through a separate connection.
std::vector<std::vector<std::string>> query(std::string const& path, char const* sql)
{
    weft::sqlite::database db(path, "test database", weft::sqlite::open_readonly);
    auto select = db.prepare(sql, "read");
    std::vector<std::vector<std::string>> rows;
    while (select.step() == weft::sqlite::step_result::row)
    {
        std::vector<std::string> row;
        for (int i = 0; i < select.column_count(); ++i)
            row.push_back(select.column_is_null(i) ? "NULL" : std::string(select.column_text(i)));
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace

TEST_CASE("sqlite sink stores items with a JSON column and one column per key", "[sink][sqlite]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "out.db").string();
    std::vector<item> batch;
    batch.push_back(make_item({{"title", "東京 ☃"},
                               {"price", 9.5},
                               {"count", 3},
                               {"ok", true},
                               {"tags", {"a", "b"}},
                               {"id", "user id stays in data"}}));
    batch.push_back(make_item({{"title", "second"}, {"extra", "later key"}, {"Title", "case clash"}}));
    REQUIRE_FALSE(write_items(path, {batch}));

    auto rows = query(path, "SELECT id, title, price, count, ok, tags, extra, typeof(count) FROM items ORDER BY id");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0] == std::vector<std::string>{"1", "東京 ☃", "9.5", "3", "1", "[\"a\",\"b\"]", "NULL", "integer"});
    CHECK(rows[1][1] == "second");
    CHECK(rows[1][6] == "later key");
    auto data = query(path, "SELECT data FROM items ORDER BY id");
    CHECK(item::json::parse(data[0][0]) == batch[0].value());
    CHECK(item::json::parse(data[1][0]) == batch[1].value());
    CHECK(query(path, "PRAGMA journal_mode")[0][0] == "wal");
}

TEST_CASE("sqlite sink rows are visible to another connection after flush", "[sink][sqlite]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "out.sqlite").string();
    boost::asio::io_context io;
    auto s = weft::make_sink_for_path(path, io.get_executor());
    std::vector<item> batch;
    batch.push_back(make_item({{"k", "v"}}));
    auto fut = boost::asio::co_spawn(io, weft::test::drive_sink(*s, {batch}, false), boost::asio::use_future);
    io.run();
    REQUIRE_FALSE(fut.get());
    CHECK(query(path, "SELECT k FROM items") == std::vector<std::vector<std::string>>{{"v"}});
    io.restart();
    auto closed = boost::asio::co_spawn(io, weft::test::close_sink(*s), boost::asio::use_future);
    io.run();
    CHECK_FALSE(closed.get());
}

TEST_CASE("sqlite sink appends or truncates", "[sink][sqlite]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "out.db").string();
    std::vector<item> batch;
    batch.push_back(make_item({{"a", 1}}));
    REQUIRE_FALSE(write_items(path, {batch}));
    weft::sink_options append;
    append.mode = weft::sink_options::open_mode::append;
    std::vector<item> more;
    more.push_back(make_item({{"a", 2}, {"b", "new column"}}));
    REQUIRE_FALSE(write_items(path, {more}, append));
    CHECK(query(path, "SELECT a, b FROM items ORDER BY id") ==
          std::vector<std::vector<std::string>>{{"1", "NULL"}, {"2", "new column"}});
    REQUIRE_FALSE(write_items(path, {batch}));
    CHECK(query(path, "SELECT count(*) FROM items")[0][0] == "1");
}

TEST_CASE("sqlite sink writes many batches in transactions", "[sink][sqlite]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "big.db").string();
    std::vector<std::vector<item>> batches;
    for (int b = 0; b < 10; ++b)
    {
        std::vector<item> batch;
        for (int i = 0; i < 1000; ++i)
            batch.push_back(make_item({{"i", b * 1000 + i}}));
        batches.push_back(std::move(batch));
    }
    weft::sink_options opts;
    opts.buffer_bytes = 8192;
    REQUIRE_FALSE(write_items(path, batches, opts));
    CHECK(query(path, "SELECT count(*), max(i) FROM items")[0] == std::vector<std::string>{"10000", "9999"});
}

TEST_CASE("sqlite sink reports a bad path with what, where and what to do", "[sink][sqlite]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "missing" / "out.db").string();
    boost::asio::io_context io;
    auto s = weft::make_sink_for_path(path, io.get_executor());
    auto fut = boost::asio::co_spawn(io, weft::test::drive_sink(*s, {}), boost::asio::use_future);
    io.run();
    auto ec = fut.get();
    CHECK(ec == weft::sqlite::errc::cantopen);
    CHECK_THAT(s->diagnostics(), Catch::Contains("cannot open SQLite database"));
    CHECK_THAT(s->diagnostics(), Catch::Contains(path));
    CHECK_THAT(s->diagnostics(), Catch::Contains("exists and is writable"));
}
