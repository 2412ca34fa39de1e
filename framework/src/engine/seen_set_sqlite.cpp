#include <weft/engine/seen_set.hpp>

#include <weft/sqlite/database.hpp>

#include <bit>
#include <optional>

namespace weft::engine
{

struct sqlite_seen_set::db
{
    std::optional<sqlite::database> conn;
    sqlite::statement insert; // destroyed before conn
};

sqlite_seen_set::sqlite_seen_set(std::filesystem::path path, options opts)
    : path_(std::move(path)), opts_(opts), db_(std::make_unique<db>())
{
    if (opts_.batch == 0)
        opts_.batch = 1;
}

std::unique_ptr<sqlite_seen_set> sqlite_seen_set::open(std::filesystem::path const& path, options opts)
{
    std::unique_ptr<sqlite_seen_set> set(new sqlite_seen_set(path, opts));
    auto& conn = set->db_->conn.emplace(path, "seen-set database",
                                        sqlite::open_readwrite | sqlite::open_create | sqlite::open_nomutex);
    conn.set_hint("check the --job-dir path, its permissions and free space");
    conn.busy_timeout(std::chrono::seconds(5));
    conn.use_wal();
    conn.set_synchronous(sqlite::synchronous::normal);
    conn.exec("CREATE TABLE IF NOT EXISTS seen (hi INTEGER NOT NULL, lo INTEGER NOT NULL, PRIMARY KEY (hi, lo))"
              " WITHOUT ROWID;",
              "open");

    auto count = conn.prepare("SELECT count(*) FROM seen", "read");
    if (count.step() == sqlite::step_result::row)
        set->memory_.reserve(static_cast<std::size_t>(count.column_int64(0)));
    auto all = conn.prepare("SELECT hi, lo FROM seen", "read");
    while (all.step() == sqlite::step_result::row)
        set->memory_.insert(fingerprint{std::bit_cast<std::uint64_t>(all.column_int64(0)),
                                        std::bit_cast<std::uint64_t>(all.column_int64(1))});

    set->db_->insert = conn.prepare("INSERT OR IGNORE INTO seen (hi, lo) VALUES (?, ?)", "write to", true);
    return set;
}

sqlite_seen_set::~sqlite_seen_set()
{
    try
    {
        flush();
    }
    catch (...)
    {
    }
}

bool sqlite_seen_set::insert(fingerprint fp)
{
    if (!memory_.insert(fp))
        return false;
    auto& d = *db_;
    if (!d.conn->in_transaction())
        d.conn->begin();
    d.insert.bind(1, std::bit_cast<std::int64_t>(fp.hi)).bind(2, std::bit_cast<std::int64_t>(fp.lo)).run();
    if (++pending_ >= opts_.batch)
        flush();
    return true;
}

void sqlite_seen_set::flush()
{
    auto& d = *db_;
    if (!d.conn || !d.conn->in_transaction())
        return;
    pending_ = 0;
    d.conn->commit();
}

} // namespace weft::engine
