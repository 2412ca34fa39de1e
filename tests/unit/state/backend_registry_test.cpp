#include <weft/state/backend_registry.hpp>

#include <weft/state/memory_state.hpp>

#include "support/run_sync.hpp"

#include <catch2/catch.hpp>

using namespace weft;

namespace
{

// A backend that refuses with a message quoting its address, password included, as a careless
// one might; and one that opens a memory state.
task<std::unique_ptr<state::crawl_state>> refusing(executor, state::backend_address where, engine::settings const&,
                                                   state::request_codec)
{
    throw_error(error::state_refused, "AUTH failed for " + where.address + " (password hunter2 rejected)");
    co_return nullptr;
}

task<std::unique_ptr<state::crawl_state>> opening(executor, state::backend_address, engine::settings const& s,
                                                  state::request_codec codec)
{
    co_return state::make_memory_state(s, std::move(codec));
}

task<std::unique_ptr<state::crawl_state>> open_at(std::string address)
{
    engine::settings s;
    state::backend_address where{address, "books"};
    auto st = co_await state::async_open_backend(co_await asio::this_coro::executor, std::move(where), s,
                                                 state::request_codec::plain());
    co_return st;
}

std::string open_failure(std::string const& address)
{
    try
    {
        test::run_sync(open_at(address));
    }
    catch (std::exception const& e)
    {
        return e.what();
    }
    FAIL("opened " << address);
    return {};
}

} // namespace

TEST_CASE("async_open_backend opens the backend registered for the address's scheme", "[state][backend]")
{
    state::register_backend("weft-test-ok", opening);
    auto st = test::run_sync(open_at("weft-test-ok://127.0.0.1:1/0"));
    REQUIRE(st);
    CHECK(st->name() == "memory");
}

TEST_CASE("a backend that cannot be opened is named by its address, never with its password", "[state][backend]")
{
    state::register_backend("weft-test-refusing", refusing);
    auto const what = open_failure("weft-test-refusing://:hunter2@127.0.0.1:6379/0");
    CHECK_THAT(what, Catch::Contains("weft-test-refusing://:***@127.0.0.1:6379/0"));
    CHECK_THAT(what, !Catch::Contains("hunter2"));
    CHECK_THAT(what, !Catch::Contains(" at /")); // no source location of the error code
    try
    {
        test::run_sync(open_at("weft-test-refusing://:hunter2@127.0.0.1:6379/0"));
    }
    catch (system_error const& e)
    {
        CHECK(e.code() == error::state_refused);
    }

    auto const unknown = open_failure("nosuch://user:hunter2@127.0.0.1:1");
    CHECK_THAT(unknown, Catch::Contains("nosuch://user:***@127.0.0.1:1"));
    CHECK_THAT(unknown, !Catch::Contains("hunter2"));
}

TEST_CASE("settings' JSON never carries the frontier's password", "[state][backend]")
{
    engine::settings s;
    s.set("frontier", "redis://:hunter2@10.0.0.5:6379/2");
    auto const j = s.to_json();
    CHECK(j.at("frontier") == "redis://:***@10.0.0.5:6379/2");
    CHECK(j.dump().find("hunter2") == std::string::npos);
}
