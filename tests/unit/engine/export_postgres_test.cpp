// `weft export` into PostgreSQL: the export's position is committed with the items.
#include <weft/engine/export_items.hpp>

#include "support/kept_items_state.hpp"
#include "support/postgres_server.hpp"
#include "support/run_sync.hpp"

#include <catch2/catch.hpp>

using namespace weft;

namespace
{

engine::export_options crawl_options(std::string id = "books")
{
    engine::export_options o;
    o.address = "redis://:secret@127.0.0.1:6379/0";
    o.crawl_id = std::move(id);
    return o;
}

engine::export_stats export_to(test::kept_items_state& st, std::string const& output, engine::export_options o)
{
    return test::run_sync(engine::async_export_items(st, {output}, std::move(o)));
}

} // namespace

TEST_CASE("an export into PostgreSQL stopped after any batch resumes with every item exactly once",
          "[postgres][export]")
{
    auto& pg = test::postgres_server::shared();
    test::kept_items_state st;
    st.commit_numbered(3500);
    auto crash = crawl_options();
    // The process dies after batch 3 was committed (with its position).
    crash.before_record = [](std::uint64_t batch)
    {
        if (batch == 3)
            throw std::runtime_error("killed");
    };
    CHECK_THROWS_WITH(export_to(st, pg.url("?table=books"), crash), "killed");
    CHECK(pg.psql("SELECT count(*) FROM books") == "3000\n");

    auto s = export_to(st, pg.url("?table=books"), crawl_options());
    CHECK(s.resumed == 1);
    CHECK(s.items == 500);
    CHECK(pg.psql("SELECT count(*), count(DISTINCT n), min(n), max(n) FROM books") == "3500|3500|1|3500\n");
    CHECK(pg.psql("SELECT progress->>'last_id', progress->>'items', progress->>'frontier' FROM weft_progress") ==
          "3500-0|3500|redis://:***@127.0.0.1:6379/0\n");

    st.commit_numbered(200);
    CHECK(export_to(st, pg.url("?table=books"), crawl_options()).items == 200);
    CHECK(pg.psql("SELECT count(*), count(DISTINCT n) FROM books") == "3700|3700\n");

    // Another crawl's export into the same table is refused without --from-start.
    CHECK_THROWS_WITH(export_to(st, pg.url("?table=books"), crawl_options("other")),
                      Catch::Contains("holds the export of crawl 'books'") && Catch::Contains("--from-start") &&
                          !Catch::Contains("weft-pw"));
}
