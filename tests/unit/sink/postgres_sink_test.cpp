// The PostgreSQL sink against a real PostgreSQL 15 (tests/support/postgres_server.hpp).
#include "sink_support.hpp"

#include "support/postgres_server.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <sstream>
#include <thread>

using weft::item;
using weft::test::make_item;
using weft::test::write_items;

namespace
{

std::vector<std::string> lines(std::string const& text)
{
    std::vector<std::string> out;
    std::stringstream s(text);
    for (std::string l; std::getline(s, l);)
        out.push_back(l);
    return out;
}

// Opens a sink on `url`, returns its open error and diagnostics.
std::pair<weft::error_code, std::string> open_error(std::string const& url)
{
    boost::asio::io_context io;
    auto s = weft::make_sink_for_path(url, io.get_executor());
    auto fut = boost::asio::co_spawn(io, weft::test::drive_sink(*s, {}), boost::asio::use_future);
    io.run();
    auto ec = fut.get();
    return {ec, s->diagnostics()};
}

} // namespace

TEST_CASE("postgres sink round-trips every JSON type and unicode, with a typed column per key", "[sink][postgres]")
{
    auto& pg = weft::test::postgres_server::shared();
    auto const value = item::json::parse(R"({
        "url": "https://example.test/a", "nothing": null, "yes": true, "count": -42,
        "big": 9007199254740993, "ratio": 0.1, "tiny": 1e-300, "name": "東京 ☃ 𝄞 😀",
        "list": [1, "two", null, [3.5], {"k": false}], "nested": {"a": {"b": [true]}, "c": "ü"}
    })");
    REQUIRE_FALSE(write_items(pg.url("?table=typed"), {{make_item(value)}}));

    auto stored = pg.psql("SELECT data::text FROM typed");
    CHECK(nlohmann::json::parse(stored) == nlohmann::json::parse(value.dump()));
    CHECK(pg.psql("SELECT count(*) FROM typed WHERE url = 'https://example.test/a'") == "1\n");
    CHECK(lines(pg.psql("SELECT name, count, big, ratio, yes, nested->'a'->'b'->>0, list->>1 FROM typed")) ==
          std::vector<std::string>{"東京 ☃ 𝄞 😀|-42|9007199254740993|0.1|t|true|two"});
    CHECK(lines(pg.psql("SELECT column_name || ' ' || data_type FROM information_schema.columns "
                        "WHERE table_name = 'typed' ORDER BY ordinal_position")) ==
          std::vector<std::string>{"id bigint", "data jsonb", "weft_batch text", "url text", "nothing jsonb",
                                   "yes boolean", "count bigint", "big bigint", "ratio double precision",
                                   "tiny double precision", "name text", "list jsonb", "nested jsonb"});
}

TEST_CASE("postgres sink adds a column for a new key and leaves values that do not fit their column NULL",
          "[sink][postgres]")
{
    auto& pg = weft::test::postgres_server::shared();
    REQUIRE_FALSE(write_items(pg.url("?table=grow"), {{make_item({{"url", "u1"}, {"n", 1}})}}));
    REQUIRE_FALSE(write_items(pg.url("?table=grow"), {{make_item({{"url", "u2"}, {"n", "many"}, {"price", 2.5}}),
                                                       make_item({{"url", "u3"}, {"id", "mine"}, {"data", 7}})}}));
    CHECK(lines(pg.psql("SELECT url, coalesce(n::text, 'NULL'), coalesce(price::text, 'NULL'), data->>'n', "
                        "coalesce(data->>'id', '-') FROM grow ORDER BY id")) ==
          std::vector<std::string>{"u1|1|NULL|1|-", "u2|NULL|2.5|many|-", "u3|NULL|NULL||mine"});
}

TEST_CASE("postgres sink stores items of several megabytes", "[sink][postgres]")
{
    auto& pg = weft::test::postgres_server::shared();
    std::string big(6 * 1024 * 1024, 'x');
    big[1000] = 'y';
    std::vector<item> batch;
    for (int i = 0; i < 3; ++i)
        batch.push_back(make_item({{"url", "u" + std::to_string(i)}, {"body", big}}));
    REQUIRE_FALSE(write_items(pg.url("?table=huge"), {std::move(batch)}));
    CHECK(pg.psql("SELECT count(*), min(length(body)), min(strpos(body, 'y')), min(length(data->>'body')) FROM huge") ==
          "3|6291456|1001|6291456\n");
}

TEST_CASE("postgres sink refuses an item with a NUL character, naming it", "[sink][postgres]")
{
    auto& pg = weft::test::postgres_server::shared();
    boost::asio::io_context io;
    auto s = weft::make_sink_for_path(pg.url("?table=nul"), io.get_executor());
    std::vector<item> batch{make_item({{"url", "https://x.test/nul"}, {"text", std::string("a\0b", 3)}})};
    auto fut = boost::asio::co_spawn(io, weft::test::drive_sink(*s, {std::move(batch)}), boost::asio::use_future);
    io.run();
    CHECK(fut.get());
    CHECK_THAT(s->diagnostics(), Catch::Contains("https://x.test/nul") && Catch::Contains("'text'") &&
                                     Catch::Contains("NUL") && Catch::Contains("pipeline"));
}

TEST_CASE("postgres sink fails to open with a message naming the server, database or table and what to do",
          "[sink][postgres]")
{
    auto& pg = weft::test::postgres_server::shared();
    auto const port = std::to_string(pg.port());
    SECTION("wrong password")
    {
        auto [ec, why] = open_error("postgresql://weft:nope@127.0.0.1:" + port + "/weft");
        CHECK(ec);
        CHECK_THAT(why, Catch::Contains("127.0.0.1:" + port) && Catch::Contains("password") &&
                            Catch::Contains("PGPASSWORD") && !Catch::Contains("nope"));
    }
    SECTION("missing database")
    {
        auto [ec, why] = open_error(pg.url("", "nosuchdb"));
        CHECK(ec);
        CHECK_THAT(why, Catch::Contains("nosuchdb") && Catch::Contains("createdb"));
    }
    SECTION("nothing listening")
    {
        boost::asio::io_context io;
        boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
        auto const closed = std::to_string(a.local_endpoint().port());
        a.close();
        auto [ec, why] = open_error("postgresql://weft@127.0.0.1:" + closed + "/weft");
        CHECK(ec);
        CHECK_THAT(why,
                   Catch::Contains("127.0.0.1:" + closed) && Catch::Contains("check that a PostgreSQL server runs"));
    }
    SECTION("a table without a jsonb data column")
    {
        pg.psql("CREATE TABLE IF NOT EXISTS badshape (id serial, data text); ALTER TABLE badshape OWNER TO weft");
        auto [ec, why] = open_error(pg.url("?table=badshape"));
        CHECK(ec);
        CHECK_THAT(why, Catch::Contains("table 'badshape' in database 'weft'") && Catch::Contains("type text") &&
                            Catch::Contains("?table="));
    }
    SECTION("a table with a column weft cannot fill")
    {
        pg.psql("CREATE TABLE IF NOT EXISTS shop (data jsonb, sku text NOT NULL); ALTER TABLE shop OWNER TO weft");
        auto [ec, why] = open_error(pg.url("?table=shop"));
        CHECK(ec);
        CHECK_THAT(why, Catch::Contains("table 'shop'") && Catch::Contains("'sku'") && Catch::Contains("default"));
    }
}

TEST_CASE("two postgres sinks write into one table at the same time", "[sink][postgres]")
{
    auto& pg = weft::test::postgres_server::shared();
    boost::asio::io_context io;
    auto a = weft::make_sink_for_path(pg.url("?table=together"), io.get_executor());
    auto b = weft::make_sink_for_path(pg.url("?table=together"), io.get_executor());
    auto batches = [](std::string const& who)
    {
        std::vector<std::vector<item>> out;
        for (int i = 0; i < 20; ++i)
            out.push_back({make_item({{"url", who + std::to_string(i)}, {who + "_key" + std::to_string(i % 3), i}})});
        return out;
    };
    // Each batch flushed on its own: the two connections interleave their transactions.
    auto run = [](weft::sink& s, std::vector<std::vector<item>> all) -> weft::task<weft::error_code>
    {
        for (auto& b : all)
            if (auto ec = co_await weft::test::drive_sink(s, {std::move(b)}, false))
                co_return ec;
        co_return co_await weft::test::close_sink(s);
    };
    auto fa = boost::asio::co_spawn(io, run(*a, batches("a")), boost::asio::use_future);
    auto fb = boost::asio::co_spawn(io, run(*b, batches("b")), boost::asio::use_future);
    io.run();
    CHECK_FALSE(fa.get());
    CHECK_FALSE(fb.get());
    CHECK(pg.psql("SELECT count(*), count(DISTINCT url), count(a_key0), count(b_key2) FROM together") == "40|40|7|6\n");
}

TEST_CASE("a postgres sink removes the rows of a batch the last run did not finish", "[sink][postgres]")
{
    auto& pg = weft::test::postgres_server::shared();
    auto const url = pg.url("?table=undo");
    REQUIRE_FALSE(write_items(url, {{make_item({{"url", "kept"}})}}));
    nlohmann::json mark;
    {
        boost::asio::io_context io;
        auto s = weft::make_sink_for_path(url, io.get_executor());
        mark = s->batch_mark();
        REQUIRE(mark.is_object());
        auto fut = boost::asio::co_spawn(io, weft::test::drive_sink(*s, {{make_item({{"url", "undone"}})}}, false),
                                         boost::asio::use_future);
        io.run();
        REQUIRE_FALSE(fut.get()); // committed, but its completions were never made final
    }
    CHECK(pg.psql("SELECT count(*) FROM undo") == "2\n");
    boost::asio::io_context io;
    auto s = weft::make_sink_for_path(url, io.get_executor(), {.mode = weft::sink_options::open_mode::append});
    s->undo_batch(mark);
    auto fut = boost::asio::co_spawn(io, weft::test::drive_sink(*s, {}), boost::asio::use_future);
    io.run();
    REQUIRE_FALSE(fut.get());
    CHECK(pg.psql("SELECT url FROM undo") == "kept\n");
}

TEST_CASE("a postgres sink retries a flush while the server restarts", "[sink][postgres]")
{
    weft::test::postgres_server pg;
    boost::asio::io_context io;
    auto s = weft::make_sink_for_path(pg.url(), io.get_executor());
    std::thread starter;
    auto step = [](weft::sink& s, std::thread& starter, weft::test::postgres_server& pg) -> weft::task<weft::error_code>
    {
        if (auto ec = co_await weft::test::drive_sink(s, {{make_item({{"url", "before"}})}}, false))
            co_return ec;
        pg.stop();
        // Started again while the sink backs off (0.5 s, then 1 s, 2 s...).
        starter = std::thread([&pg] { pg.start(); });
        std::vector<item> batch{make_item({{"url", "after"}})};
        auto [ec] = co_await s.async_write(std::move(batch), boost::asio::as_tuple(boost::asio::use_awaitable));
        if (!ec)
            std::tie(ec) = co_await s.async_flush(boost::asio::as_tuple(boost::asio::use_awaitable));
        co_return ec;
    };
    auto fut = boost::asio::co_spawn(io, step(*s, starter, pg), boost::asio::use_future);
    io.run();
    starter.join();
    CHECK_FALSE(fut.get());
    CHECK(s->diagnostics() == "");
    CHECK(lines(pg.psql("SELECT url FROM items ORDER BY id")) == std::vector<std::string>{"before", "after"});
}

TEST_CASE("an output is matched by its URI scheme before its extension", "[sink][postgres][registry]")
{
    boost::asio::io_context io;
    CHECK(weft::make_sink_for_path("POSTGRESQL://u@h/db", io.get_executor())->format() == "postgresql");
    CHECK(weft::make_sink_for_path("postgres://u@h/items.db", io.get_executor())->format() == "postgresql");
    CHECK(weft::make_sink_for_path("out/items.db", io.get_executor())->format() == "sqlite");
    CHECK_THROWS_WITH(weft::make_sink_for_path("mysql://u@h/db", io.get_executor()),
                      Catch::Contains("URI scheme") && Catch::Contains("postgresql://"));
}
