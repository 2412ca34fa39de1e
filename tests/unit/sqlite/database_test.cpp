#include <weft/sqlite/database.hpp>

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <fstream>
#include <string>
#include <vector>

namespace sqlite = weft::sqlite;

namespace
{

// Unfinalized statements of `db` (SQLite keeps a list).
int open_statements(sqlite::database const& db)
{
    int n = 0;
    for (auto* s = sqlite3_next_stmt(db.native_handle(), nullptr); s; s = sqlite3_next_stmt(db.native_handle(), s))
        ++n;
    return n;
}

std::int64_t count_rows(sqlite::database& db)
{
    auto count = db.prepare("SELECT count(*) FROM t", "count rows of");
    REQUIRE(count.step() == sqlite::step_result::row);
    return count.column_int64(0);
}

// Runs `f`, which must throw weft::system_error; returns it.
template <class F>
weft::system_error thrown_by(F f)
{
    try
    {
        f();
    }
    catch (weft::system_error const& e)
    {
        return e;
    }
    FAIL("no weft::system_error thrown");
    throw;
}

} // namespace

TEST_CASE("a reused statement runs with the values of its new bindings only", "[sqlite]")
{
    weft::test::temp_dir dir;
    sqlite::database db(dir / "t.db", "test database");
    db.exec("CREATE TABLE t(a INTEGER, b TEXT, c REAL, d BLOB)", "create a table in");
    auto insert = db.prepare("INSERT INTO t(a, b, c, d) VALUES(?, ?, ?, ?)", "store a row in");
    std::vector<std::byte> blob{std::byte{0}, std::byte{0xff}};
    insert.bind(1, std::int64_t{1} << 40).bind(2, "first").bind(3, 2.5).bind_blob(4, blob).run();
    CHECK(db.changes() == 1);
    CHECK(db.last_insert_rowid() == 1);
    // Only a and b this time: c and d must not keep the first row's values.
    insert.bind(1, 2).bind(2, std::string_view()).run();
    CHECK(db.last_insert_rowid() == 2);

    auto select = db.prepare("SELECT a, b, c, d FROM t ORDER BY rowid", "read");
    REQUIRE(select.step() == sqlite::step_result::row);
    CHECK(select.column_count() == 4);
    CHECK(select.column_int64(0) == std::int64_t{1} << 40);
    CHECK(select.column_text(1) == "first");
    CHECK(select.column_double(2) == 2.5);
    auto bytes = select.column_blob(3);
    CHECK(std::vector<std::byte>(bytes.begin(), bytes.end()) == blob);
    REQUIRE(select.step() == sqlite::step_result::row);
    CHECK(select.column_int64(0) == 2);
    CHECK_FALSE(select.column_is_null(1)); // an empty string is text, not NULL
    CHECK(select.column_text(1).empty());
    CHECK(select.column_is_null(2));
    CHECK(select.column_is_null(3));
    CHECK(select.step() == sqlite::step_result::done);
    // Done resets: stepping again runs the query again.
    CHECK(select.step() == sqlite::step_result::row);
}

TEST_CASE("statements are finalized when destroyed and move their ownership", "[sqlite]")
{
    weft::test::temp_dir dir;
    sqlite::database db(dir / "t.db", "test database");
    db.exec("CREATE TABLE t(a)", "create a table in");
    {
        auto a = db.prepare("INSERT INTO t(a) VALUES(?)", "store a row in");
        CHECK(open_statements(db) == 1);
        sqlite::statement b = std::move(a);
        CHECK_FALSE(a);
        REQUIRE(b);
        CHECK(open_statements(db) == 1);
        b.bind(1, nullptr).run();
        b = db.prepare("SELECT a FROM t", "read");
        CHECK(open_statements(db) == 1);
        CHECK(b.step() == sqlite::step_result::row);
        CHECK(b.column_is_null(0));
    }
    CHECK(open_statements(db) == 0);
    CHECK_THROWS_AS(sqlite::statement().step(), weft::system_error);
}

TEST_CASE("a write to a read-only database is an sqlite error naming the file", "[sqlite]")
{
    weft::test::temp_dir dir;
    auto path = dir / "ro.db";
    {
        sqlite::database db(path, "test database");
        db.exec("CREATE TABLE t(a)", "create a table in");
    }
    sqlite::database db(path, "test database", sqlite::open_readonly);
    auto insert = db.prepare("INSERT INTO t(a) VALUES(1)", "store a row in");
    auto e = thrown_by([&] { insert.run(); });
    CHECK(e.code().category() == sqlite::error_category());
    CHECK(e.code() == sqlite::errc::readonly);
    CHECK(e.code().message() == "attempt to write a readonly database");
    std::string what = e.what();
    CHECK_THAT(what, Catch::StartsWith("cannot store a row in test database '" + path.string() + "'"));
    // The statement is reset after the failure and can be used again (and fails again).
    CHECK_THROWS_AS(insert.run(), weft::system_error);
}

TEST_CASE("a corrupt file and a missing directory are sqlite errors naming the file", "[sqlite]")
{
    weft::test::temp_dir dir;
    auto path = dir / "corrupt.db";
    std::ofstream(path) << std::string(8192, 'x');
    auto corrupt = thrown_by(
        [&]
        {
            sqlite::database db(path, "job database");
            db.use_wal();
        });
    CHECK(corrupt.code().category() == sqlite::error_category());
    CHECK(corrupt.code() == sqlite::errc::notadb);
    CHECK_THAT(corrupt.what(), Catch::Contains("cannot open job database '" + path.string() + "'"));
    CHECK_THAT(corrupt.what(), Catch::Contains("file is not a database"));

    auto missing = thrown_by([&] { sqlite::database db(dir / "no" / "such.db", "job database"); });
    CHECK(missing.code() == sqlite::errc::cantopen);
    CHECK_THAT(missing.what(), Catch::Contains("cannot open job database '" + (dir / "no" / "such.db").string()));
}

TEST_CASE("an SQL error message carries SQLite's own detail and the hint", "[sqlite]")
{
    weft::test::temp_dir dir;
    sqlite::database db(dir / "t.db", "test database");
    db.set_hint("check the schema");
    auto e = thrown_by([&] { db.prepare("SELECT nope FROM missing_table", "read"); });
    CHECK(e.code() == sqlite::errc::error);
    CHECK_THAT(e.what(), Catch::Contains("(no such table: missing_table; check the schema): SQL logic error"));
}

TEST_CASE("a transaction rolls back when an exception leaves it uncommitted", "[sqlite]")
{
    weft::test::temp_dir dir;
    sqlite::database db(dir / "t.db", "test database");
    db.exec("CREATE TABLE t(a INTEGER UNIQUE)", "create a table in");
    auto insert = db.prepare("INSERT INTO t(a) VALUES(?)", "store a row in");
    auto e = thrown_by(
        [&]
        {
            sqlite::transaction tx(db);
            CHECK(db.in_transaction());
            insert.bind(1, 1).run();
            insert.bind(1, 1).run(); // a UNIQUE violation
            tx.commit();
        });
    CHECK(e.code() == sqlite::errc::constraint);
    CHECK_FALSE(db.in_transaction());
    CHECK(count_rows(db) == 0);

    {
        sqlite::transaction tx(db);
        insert.bind(1, 2).run();
        tx.commit();
    }
    db.begin();
    insert.bind(1, 3).run();
    db.rollback();
    CHECK(count_rows(db) == 1);
}

TEST_CASE("sqlite error codes match their primary code and weft's conditions", "[sqlite]")
{
    auto full = sqlite::make_error_code(SQLITE_FULL);
    CHECK(full == weft::condition::limit);
    CHECK(full == boost::system::errc::no_space_on_device);
    CHECK(full == sqlite::errc::full);
    CHECK(full.message() == "database or disk is full");
    auto write = sqlite::make_error_code(SQLITE_IOERR_WRITE);
    CHECK(write == sqlite::errc::ioerr);
    CHECK(write == boost::system::errc::io_error);
    CHECK(write.message() == "disk I/O error");
    CHECK(write != sqlite::errc::full);
    CHECK(sqlite::make_error_code(SQLITE_INTERRUPT) == weft::condition::cancelled);
    CHECK(sqlite::make_error_code(SQLITE_BUSY) != weft::condition::timeout);
    CHECK(sqlite::make_error_code(SQLITE_BUSY) == sqlite::errc::busy);
    CHECK(sqlite::make_error_code(SQLITE_BUSY) == sqlite::make_error_code(SQLITE_BUSY));
}

TEST_CASE("WAL and synchronous settings take effect", "[sqlite]")
{
    weft::test::temp_dir dir;
    sqlite::database db(dir / "t.db", "test database");
    db.busy_timeout(std::chrono::milliseconds(100));
    db.use_wal();
    db.set_synchronous(sqlite::synchronous::normal);
    auto mode = db.prepare("PRAGMA journal_mode", "read");
    REQUIRE(mode.step() == sqlite::step_result::row);
    CHECK(mode.column_text(0) == "wal");
    auto sync = db.prepare("PRAGMA synchronous", "read");
    REQUIRE(sync.step() == sqlite::step_result::row);
    CHECK(sync.column_int64(0) == 1); // NORMAL
}
