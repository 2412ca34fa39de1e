#include "engine/job_store.hpp"

#include <weft/engine/seen_set.hpp>
#include <weft/sqlite/database.hpp>

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <string>

using weft::engine::hash128;
using weft::engine::job_store;

namespace
{

std::unique_ptr<job_store> open_store(std::filesystem::path const& path, bool persistent = true)
{
    return std::make_unique<job_store>(
        path, persistent, [](weft::request const& r) { return r.to_json(); },
        [](nlohmann::json const& j) { return weft::request::from_json(j); });
}

weft::request make_request(std::string url, int priority, int attempts = 0)
{
    weft::request r(std::move(url));
    r.priority(priority).attempts(attempts);
    return r;
}

} // namespace

TEST_CASE("job_store update rewrites a stored request and keeps its host across a reopen", "[engine][job_store]")
{
    weft::test::temp_dir dir;
    auto path = dir / "job.db";
    {
        auto store = open_store(path);
        auto a = store->add(make_request("http://a.test/1", 0), hash128("a1"), "a.test");
        store->add(make_request("http://b.test/1", 5), hash128("b1"), "b.test");
        // A retry: one more attempt, now first in line.
        store->update(a, make_request("http://a.test/1", 10, 2));
        store->commit();
    }
    auto store = open_store(path);
    auto pending = store->load_pending(10);
    REQUIRE(pending.size() == 2);
    CHECK(pending[0].req.url() == "http://a.test/1");
    CHECK(pending[0].req.attempts() == 2);
    CHECK(pending[0].req.priority() == 10);
    CHECK(pending[0].host == "a.test");
    CHECK(pending[1].req.url() == "http://b.test/1");
    weft::engine::memory_seen_set seen;
    store->load_seen(seen);
    CHECK(seen.contains(hash128("a1")));
    CHECK(seen.size() == 2);
}

TEST_CASE("job_store update leaves a spilled request spilled", "[engine][job_store]")
{
    weft::test::temp_dir dir;
    auto store = open_store(dir / "job.db");
    weft::engine::frontier_entry e;
    e.req = make_request("http://c.test/1", 0);
    e.host = "c.test";
    e.id = store->add(e.req, hash128("c1"), e.host);
    store->spill(e);
    store->update(e.id, make_request("http://c.test/1", 3, 1));
    CHECK(store->spilled() == 1);
    CHECK(store->spilled_hosts() == std::map<std::string, std::size_t>{{"c.test", 1}});
    auto back = store->unspill(5);
    REQUIRE(back.size() == 1);
    CHECK(back[0].id == e.id);
    CHECK(back[0].req.attempts() == 1);
    CHECK(back[0].req.priority() == 3);
    CHECK(store->spilled_hosts().empty());
    // Rows that are gone, or never stored: nothing happens.
    store->remove(e.id);
    store->update(e.id, make_request("http://c.test/1", 9));
    store->update(0, make_request("http://c.test/1", 9));
    CHECK(store->load_pending(10).empty());
}

TEST_CASE("job_store spills to a scratch file it removes", "[engine][job_store]")
{
    weft::test::temp_dir dir;
    auto path = dir / "spill.db";
    {
        auto store = open_store(path, false);
        weft::engine::frontier_entry e;
        e.req = make_request("http://d.test/1", 1);
        e.host = "d.test";
        store->spill(e);
        e.req = make_request("http://d.test/2", 2);
        store->spill(e);
        CHECK(store->spilled() == 2);
        auto back = store->unspill_host("d.test", 1);
        REQUIRE(back.size() == 1);
        CHECK(back[0].id == 0);
        CHECK(back[0].req.url() == "http://d.test/2");
        CHECK(store->spilled() == 1);
        CHECK(std::filesystem::exists(path));
    }
    CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("job_store and the seen-set fail with error codes of one sqlite category", "[engine][job_store][sqlite]")
{
    weft::test::temp_dir dir;
    weft::error_code job_ec, seen_ec;
    try
    {
        open_store(dir / "missing" / "job.db");
        FAIL("job_store opened");
    }
    catch (weft::system_error const& e)
    {
        job_ec = e.code();
        CHECK_THAT(e.what(), Catch::Contains("cannot open job database '" + (dir / "missing" / "job.db").string()));
    }
    try
    {
        weft::engine::sqlite_seen_set::open(dir / "missing" / "seen.db");
        FAIL("seen-set opened");
    }
    catch (weft::system_error const& e)
    {
        seen_ec = e.code();
    }
    CHECK(job_ec.category() == weft::sqlite::error_category());
    CHECK(job_ec == seen_ec);
    CHECK(job_ec == weft::sqlite::errc::cantopen);
}
