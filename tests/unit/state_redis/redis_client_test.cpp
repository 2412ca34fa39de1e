#include "redis_client.hpp"

#include "support/failure_of.hpp"
#include "support/redis_server.hpp"
#include "support/run_sync.hpp"
#include "support/temp_dir.hpp"

#include <weft/async/gather.hpp>
#include <weft/async/sleep.hpp>
#include <weft/async/with_timeout.hpp>
#include <weft/error.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <ranges>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using weft::task;
using weft::redis::address;
using weft::redis::connection;
using weft::redis::connection_options;
using weft::redis::reply;
using weft::redis::script;
using weft::test::failure_of;
using weft::test::redis_server;
using weft::test::redis_server_options;
using weft::test::run_sync;

namespace
{

connection_options quiet()
{
    connection_options o;
    o.quiet = true;
    return o;
}

std::string invalid_address_message(std::string const& url)
{
    try
    {
        address::parse(url);
    }
    catch (std::invalid_argument const& e)
    {
        return e.what();
    }
    FAIL("address::parse accepted " << url);
    return {};
}

task<void> connect(connection& c)
{
    co_await c.async_connect();
}

// Commands and scripts by variadic helpers: no braced vector inside a co_await (GCC 12, trap 2).
template <class... Args>
task<reply> command(connection& c, Args... args)
{
    std::vector<std::string> argv{std::string(args)...};
    co_return co_await c.async_command(std::move(argv));
}

template <class... Args>
task<reply> eval(connection& c, script const& s, Args... args)
{
    std::vector<std::string> keys, argv{std::string(args)...};
    co_return co_await c.async_eval(s, std::move(keys), std::move(argv));
}

task<reply> eval_key(connection& c, script const& s, std::string key, std::string arg)
{
    std::vector<std::string> keys{std::move(key)}, argv{std::move(arg)};
    co_return co_await c.async_eval(s, std::move(keys), std::move(argv));
}

// SET key value, then GET key: the GET must see this caller's value, not another's.
task<std::string> set_and_get(connection& c, int id)
{
    std::string value = "value-" + std::to_string(id);
    for (int round = 0; round < 20; ++round)
    {
        auto key = "key-" + std::to_string(id) + "-" + std::to_string(round);
        auto set = co_await command(c, "SET", key, value);
        REQUIRE(set.type == reply::kind::status);
        auto got = co_await command(c, "GET", key);
        if (got.str != value)
            co_return "caller " + std::to_string(id) + " got '" + got.str + "'";
    }
    co_return value;
}

// Captures what this process writes to stderr (fd 2) while it lives.
class stderr_capture
{
public:
    stderr_capture() : saved_(::dup(2))
    {
        std::fflush(stderr);
        int fd = ::open((dir_ / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, 2);
        ::close(fd);
    }
    ~stderr_capture() { restore(); }
    std::vector<std::string> lines()
    {
        restore();
        std::ifstream in(dir_ / "stderr");
        std::vector<std::string> out;
        for (std::string l; std::getline(in, l);)
            out.push_back(l);
        return out;
    }

private:
    void restore()
    {
        if (saved_ < 0)
            return;
        std::fflush(stderr);
        ::dup2(saved_, 2);
        ::close(saved_);
        saved_ = -1;
    }

    weft::test::temp_dir dir_;
    int saved_;
};

script const set_script("return redis.call('SET', KEYS[1], ARGV[1])");

} // namespace

TEST_CASE("Redis addresses parse the documented form", "[redis][address]")
{
    auto a = address::parse("redis://127.0.0.1:6380/2");
    CHECK(a.host == "127.0.0.1");
    CHECK(a.port == 6380);
    CHECK(a.db == 2);
    CHECK(a.password.empty());
    CHECK(a.redacted() == "redis://127.0.0.1:6380/2");

    auto d = address::parse("redis://redis.internal");
    CHECK(d.host == "redis.internal");
    CHECK(d.port == 6379);
    CHECK(d.db == 0);

    auto p = address::parse("redis://:s3cret@10.0.0.5:7000/1");
    CHECK(p.user.empty());
    CHECK(p.password == "s3cret");
    CHECK(p.redacted() == "redis://:***@10.0.0.5:7000/1");

    auto u = address::parse("redis://crawler:p%40ss%3Aw0rd@host/");
    CHECK(u.user == "crawler");
    CHECK(u.password == "p@ss:w0rd");
    CHECK(u.redacted() == "redis://crawler:***@host:6379/0");

    auto v6 = address::parse("redis://[::1]:6390/3");
    CHECK(v6.host == "::1");
    CHECK(v6.port == 6390);
    CHECK(v6.redacted() == "redis://[::1]:6390/3");
}

TEST_CASE("a bad Redis address is refused with the text and the expected form", "[redis][address]")
{
    for (std::string bad : {"http://127.0.0.1:6379", "127.0.0.1:6379", "rediss://host", "redis://", "redis://host:0",
                            "redis://host:65536", "redis://host:12ab", "redis://host:", "redis://host/x",
                            "redis://host/-1", "redis://host/1?timeout=3", "redis://[::1/0"})
    {
        INFO(bad);
        auto message = invalid_address_message(bad);
        CHECK_THAT(message, Catch::Contains("redis://[USER:PASSWORD@]HOST[:PORT][/DB]"));
        CHECK_THAT(message, Catch::Contains(bad));
    }
    // A lone word before '@' may be a password given without its colon: it is not shown.
    auto lone = invalid_address_message("redis://s3cret@host");
    CHECK_THAT(lone, Catch::Contains("redis://***@host"));
    CHECK_THAT(lone, !Catch::Contains("s3cret"));
    auto message = invalid_address_message("redis://:hunter2@host:99999/0");
    CHECK_THAT(message, !Catch::Contains("hunter2"));
    CHECK_THAT(message, Catch::Contains("port"));
}

TEST_CASE("a command's reply comes back with its type and an error reply is returned rather than thrown", "[redis]")
{
    redis_server server;
    auto body = [](std::string url) -> task<void>
    {
        connection c(co_await weft::asio::this_coro::executor, address::parse(url), quiet());
        co_await c.async_connect();
        auto ok = co_await command(c, "SET", "greeting", "hello\r\nworld");
        CHECK(ok.type == reply::kind::status);
        CHECK(ok.str == "OK");
        auto got = co_await command(c, "GET", "greeting");
        CHECK(got.type == reply::kind::string);
        CHECK(got.str == "hello\r\nworld");
        auto missing = co_await command(c, "GET", "nothing-here");
        CHECK(missing.is_nil());
        auto n = co_await command(c, "INCRBY", "counter", "41");
        CHECK(n.type == reply::kind::integer);
        CHECK(n.integer == 41);
        co_await command(c, "RPUSH", "list", "a", "b");
        auto list = co_await command(c, "LRANGE", "list", "0", "-1");
        REQUIRE(list.type == reply::kind::array);
        REQUIRE(list.elements.size() == 2);
        CHECK(list.elements[1].str == "b");
        auto err = co_await command(c, "NOSUCHCOMMAND", "x");
        CHECK(err.is_error());
        CHECK_THAT(err.str, Catch::Contains("unknown command"));
        auto after = co_await command(c, "GET", "greeting"); // the connection is still good
        CHECK(after.str == "hello\r\nworld");
        CHECK(c.round_trips() == 8);
    };
    run_sync(body(server.url()));
}

TEST_CASE("commands from many coroutines at once each get their own reply", "[redis]")
{
    redis_server server;
    auto body = [](std::string url) -> task<void>
    {
        connection c(co_await weft::asio::this_coro::executor, address::parse(url), quiet());
        co_await c.async_connect();
        auto results = co_await weft::gather(std::views::iota(0, 30), [&c](int id) { return set_and_get(c, id); });
        for (int id = 0; id < 30; ++id)
            CHECK(results[id] == "value-" + std::to_string(id));

        std::vector<std::vector<std::string>> incrs(100, std::vector<std::string>{"INCR", "n"});
        auto replies = co_await c.async_pipeline(std::move(incrs));
        REQUIRE(replies.size() == 100);
        for (int i = 0; i < 100; ++i)
            CHECK(replies[i].integer == i + 1);
    };
    run_sync(body(server.url()));
}

TEST_CASE("a script runs by EVALSHA and is loaded again after SCRIPT FLUSH", "[redis][eval]")
{
    redis_server server;
    auto body = [](std::string url) -> task<void>
    {
        connection c(co_await weft::asio::this_coro::executor, address::parse(url), quiet());
        co_await c.async_connect();
        script add("return tonumber(ARGV[1]) + tonumber(ARGV[2])");
        CHECK(add.sha1.size() == 40);
        auto first = co_await eval(c, add, "40", "2"); // NOSCRIPT, SCRIPT LOAD + EVALSHA
        CHECK(first.integer == 42);
        auto loaded = c.round_trips();
        auto second = co_await eval(c, add, "1", "2");
        CHECK(second.integer == 3);
        CHECK(c.round_trips() == loaded + 1); // loaded once: EVALSHA alone now

        co_await command(c, "SCRIPT", "FLUSH");
        auto again = co_await eval(c, add, "5", "5");
        CHECK(again.integer == 10);
        auto set = co_await eval_key(c, set_script, "k", "v");
        CHECK(set.str == "OK");
        CHECK((co_await command(c, "GET", "k")).str == "v");
    };
    run_sync(body(server.url()));
}

TEST_CASE("an error reply to a script throws state_refused naming the address and Redis's message", "[redis][eval]")
{
    redis_server server;
    auto body = [](std::string url) -> task<void>
    {
        connection c(co_await weft::asio::this_coro::executor, address::parse(url), quiet());
        co_await c.async_connect();
        script failing("return redis.error_reply('lease token 7 is stale')");
        auto e = co_await failure_of(eval(c, failing), "a script returning an error");
        CHECK(e.code() == weft::error::state_refused);
        CHECK_THAT(e.what(), Catch::Contains("lease token 7 is stale"));
        CHECK_THAT(e.what(), Catch::Contains(c.where().redacted()));
        CHECK((co_await command(c, "PING")).str == "PONG");
    };
    run_sync(body(server.url()));
}

TEST_CASE("a wrong or missing password is refused at connect naming the address but not the password", "[redis][auth]")
{
    redis_server_options opts;
    opts.password = "correct-horse";
    redis_server server(opts);
    auto body = [](std::string good, std::string wrong, std::string none) -> task<void>
    {
        auto ex = co_await weft::asio::this_coro::executor;
        connection bad(ex, address::parse(wrong), quiet());
        auto e = co_await failure_of(connect(bad), "connecting with a wrong password");
        CHECK(e.code() == weft::error::state_refused);
        CHECK_THAT(e.what(), Catch::Contains(bad.where().redacted()));
        CHECK_THAT(e.what(), Catch::Contains("password"));
        CHECK_THAT(e.what(), !Catch::Contains("battery-staple"));

        connection anonymous(ex, address::parse(none), quiet());
        auto n = co_await failure_of(connect(anonymous), "connecting without the password");
        CHECK(n.code() == weft::error::state_refused);
        CHECK_THAT(n.what(), Catch::Contains("requires a password"));

        connection ok(ex, address::parse(good), quiet());
        co_await ok.async_connect();
        CHECK((co_await command(ok, "PING")).str == "PONG");
    };
    auto wrong = "redis://:battery-staple@127.0.0.1:" + std::to_string(server.port()) + "/0";
    run_sync(body(server.url(), wrong, server.url_without_password()));
}

TEST_CASE("a database Redis does not have is refused at connect", "[redis][auth]")
{
    redis_server server;
    auto body = [](std::string url) -> task<void>
    {
        connection c(co_await weft::asio::this_coro::executor, address::parse(url), quiet());
        auto e = co_await failure_of(connect(c), "selecting database 99");
        CHECK(e.code() == weft::error::state_refused);
        CHECK_THAT(e.what(), Catch::Contains("database 99"));
    };
    run_sync(body(server.url(99)));
}

TEST_CASE("an unreachable Redis fails the connect with state_unavailable naming the address", "[redis]")
{
    unsigned short port = 0;
    {
        redis_server server; // a port that was Redis's a moment ago and is closed now
        port = server.port();
    }
    auto body = [](std::string url) -> task<void>
    {
        connection c(co_await weft::asio::this_coro::executor, address::parse(url), quiet());
        auto e = co_await failure_of(connect(c), "connecting to a closed port");
        CHECK(e.code() == weft::error::state_unavailable);
        CHECK_THAT(e.what(), Catch::Contains(c.where().redacted()));
    };
    run_sync(body("redis://127.0.0.1:" + std::to_string(port) + "/0"));
}

TEST_CASE("commands sent while Redis is down complete once it is back and kill -9 loses nothing with "
          "appendfsync always",
          "[redis][restart]")
{
    redis_server_options opts;
    opts.append_only = true;
    redis_server server(opts);
    auto body = [](redis_server& server) -> task<void>
    {
        connection c(co_await weft::asio::this_coro::executor, address::parse(server.url()), quiet());
        co_await c.async_connect();
        co_await eval_key(c, set_script, "before", "kept");

        // Written but never answered: Redis is frozen, then killed. Sent again after the restart.
        server.freeze();
        auto restart_later = [](redis_server& s) -> task<std::string>
        {
            co_await weft::sleep(300ms); // the commands are written and the client sees the connection drop
            s.kill9();
            co_await weft::sleep(300ms); // the client retries with backoff meanwhile
            s.restart();
            co_return "restarted";
        };
        auto results = co_await weft::gather(std::views::iota(0, 11),
                                             [&](int id)
                                             {
                                                 if (id == 10)
                                                     return restart_later(server);
                                                 return set_and_get(c, id);
                                             });
        for (int id = 0; id < 10; ++id)
            CHECK(results[id] == "value-" + std::to_string(id));
        CHECK((co_await command(c, "GET", "before")).str == "kept");
        auto again = co_await eval_key(c, set_script, "after", "ok"); // the script cache was lost
        CHECK(again.str == "OK");
    };
    run_sync(body(server));
}

TEST_CASE("a cancelled command completes at once and the connection stays usable", "[redis]")
{
    redis_server server;
    auto body = [](redis_server& server) -> task<void>
    {
        connection c(co_await weft::asio::this_coro::executor, address::parse(server.url()), quiet());
        co_await c.async_connect();
        server.freeze();
        auto e = co_await failure_of(weft::with_timeout(command(c, "PING"), 200ms, "PING"), "PING to a frozen Redis");
        CHECK(e.code() == weft::condition::timeout);
        server.thaw();
        CHECK((co_await command(c, "ECHO", "still here")).str == "still here");
    };
    run_sync(body(server));
}

TEST_CASE("destroying a connection fails its pending commands with operation_aborted", "[redis]")
{
    redis_server server;
    auto body = [](redis_server& server) -> task<void>
    {
        auto ex = co_await weft::asio::this_coro::executor;
        auto c = std::make_unique<connection>(ex, address::parse(server.url()), quiet());
        co_await c->async_connect();
        server.freeze();
        auto pending = [](connection& c) -> task<std::string> { co_return (co_await command(c, "PING")).str; };
        auto destroy_later = [](std::unique_ptr<connection>& c) -> task<std::string>
        {
            co_await weft::sleep(200ms);
            c.reset();
            co_return "destroyed";
        };
        auto both = [&](int id) { return id == 0 ? destroy_later(c) : pending(*c); };
        auto e = co_await failure_of(weft::gather(std::views::iota(0, 2), both), "a command on a destroyed connection");
        CHECK(e.code() == boost::asio::error::operation_aborted);
        server.thaw();
    };
    run_sync(body(server));
}

TEST_CASE("a Redis out of memory refuses a script with a message saying so", "[redis][eval]")
{
    redis_server_options opts;
    opts.maxmemory = "1mb";
    redis_server server(opts);
    auto body = [](std::string url) -> task<void>
    {
        connection c(co_await weft::asio::this_coro::executor, address::parse(url), quiet());
        co_await c.async_connect();
        auto fill = [](connection& c) -> task<void>
        {
            std::string big(64 * 1024, 'x');
            for (int i = 0; i < 1000; ++i)
                co_await eval_key(c, set_script, "big-" + std::to_string(i), big);
        };
        auto e = co_await failure_of(fill(c), "writing 64 MB into a Redis limited to 1 MB");
        CHECK(e.code() == weft::error::state_refused);
        CHECK_THAT(e.what(), Catch::Contains("out of memory"));
        CHECK_THAT(e.what(), Catch::Contains("maxmemory"));
        CHECK_THAT(e.what(), Catch::Contains(c.where().redacted()));
    };
    run_sync(body(server.url()));
}

TEST_CASE("commands fail with state_unavailable once Redis stays away longer than give_up_after", "[redis][restart]")
{
    redis_server server;
    auto body = [](redis_server& server) -> task<void>
    {
        auto options = quiet();
        options.give_up_after = 500ms;
        connection c(co_await weft::asio::this_coro::executor, address::parse(server.url()), options);
        co_await c.async_connect();
        server.kill9();
        auto e = co_await failure_of(command(c, "PING"), "PING to a Redis gone for good");
        CHECK(e.code() == weft::error::state_unavailable);
        CHECK_THAT(e.what(), Catch::Contains(c.where().redacted()));
        CHECK_THAT(e.what(), Catch::Contains("gave up"));
        auto later = co_await failure_of(command(c, "PING"), "PING after giving up");
        CHECK(later.code() == weft::error::state_unavailable);
    };
    run_sync(body(server));
}

TEST_CASE("a lost connection is reported once on stderr while retrying and once when Redis is back", "[redis][restart]")
{
    redis_server server;
    auto body = [](redis_server& server) -> task<void>
    {
        connection c(co_await weft::asio::this_coro::executor, address::parse(server.url())); // not quiet
        co_await c.async_connect();
        server.kill9();
        auto restart_later = [](redis_server& s) -> task<std::string>
        {
            co_await weft::sleep(1s); // several attempts with backoff: still one line
            s.restart();
            co_return "restarted";
        };
        auto both = [&](int id) { return id == 0 ? restart_later(server) : set_and_get(c, id); };
        auto results = co_await weft::gather(std::views::iota(0, 2), both);
        CHECK(results[1] == "value-1");
    };
    stderr_capture err;
    run_sync(body(server));
    auto lines = err.lines();
    REQUIRE(lines.size() == 2);
    auto where = "redis://127.0.0.1:" + std::to_string(server.port()) + "/0";
    CHECK_THAT(lines[0], Catch::StartsWith("weft: redis at " + where + " unreachable"));
    CHECK_THAT(lines[0], Catch::Contains("retrying"));
    CHECK_THAT(lines[1], Catch::StartsWith("weft: redis at " + where + " answers again"));
}
