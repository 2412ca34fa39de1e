#include <weft/engine/seen_set.hpp>

#include <weft/error.hpp>

#include <sqlite3.h>

#include <bit>
#include <string>

namespace weft::engine
{
namespace
{

class sqlite_category_impl final : public boost::system::error_category
{
public:
    char const* name() const noexcept override { return "sqlite"; }
    std::string message(int ev) const override { return sqlite3_errstr(ev); }
};

error_code sqlite_error(int rc)
{
    static sqlite_category_impl const category;
    return {rc, category};
}

} // namespace

struct sqlite_seen_set::db
{
    sqlite3* handle = nullptr;
    sqlite3_stmt* insert = nullptr;
    bool in_transaction = false;

    ~db()
    {
        sqlite3_finalize(insert);
        sqlite3_close_v2(handle);
    }

    [[noreturn]] void fail(int rc, std::filesystem::path const& path, char const* doing) const
    {
        std::string detail = handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
        throw_error(sqlite_error(rc), std::string(doing) + " seen-set database '" + path.string() + "' (" + detail +
                                          "); check the --job-dir path, its permissions and free space");
    }

    void exec(char const* sql, std::filesystem::path const& path, char const* doing)
    {
        if (int rc = sqlite3_exec(handle, sql, nullptr, nullptr, nullptr); rc != SQLITE_OK)
            fail(rc, path, doing);
    }
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
    auto& d = *set->db_;
    int rc = sqlite3_open_v2(path.c_str(), &d.handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc != SQLITE_OK)
        d.fail(rc, path, "cannot open");
    sqlite3_busy_timeout(d.handle, 5000);
    d.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
           "CREATE TABLE IF NOT EXISTS seen (hi INTEGER NOT NULL, lo INTEGER NOT NULL, PRIMARY KEY (hi, lo))"
           " WITHOUT ROWID;",
           path, "cannot open");

    sqlite3_stmt* count = nullptr;
    if (sqlite3_prepare_v2(d.handle, "SELECT count(*) FROM seen", -1, &count, nullptr) == SQLITE_OK &&
        sqlite3_step(count) == SQLITE_ROW)
        set->memory_.reserve(static_cast<std::size_t>(sqlite3_column_int64(count, 0)));
    sqlite3_finalize(count);

    sqlite3_stmt* all = nullptr;
    if ((rc = sqlite3_prepare_v2(d.handle, "SELECT hi, lo FROM seen", -1, &all, nullptr)) != SQLITE_OK)
        d.fail(rc, path, "cannot read");
    while ((rc = sqlite3_step(all)) == SQLITE_ROW)
        set->memory_.insert(fingerprint{std::bit_cast<std::uint64_t>(sqlite3_column_int64(all, 0)),
                                        std::bit_cast<std::uint64_t>(sqlite3_column_int64(all, 1))});
    sqlite3_finalize(all);
    if (rc != SQLITE_DONE)
        d.fail(rc, path, "cannot read");

    if ((rc = sqlite3_prepare_v2(d.handle, "INSERT OR IGNORE INTO seen (hi, lo) VALUES (?, ?)", -1, &d.insert,
                                 nullptr)) != SQLITE_OK)
        d.fail(rc, path, "cannot open");
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
    if (!d.in_transaction)
    {
        d.exec("BEGIN", path_, "cannot write");
        d.in_transaction = true;
    }
    sqlite3_bind_int64(d.insert, 1, std::bit_cast<sqlite3_int64>(fp.hi));
    sqlite3_bind_int64(d.insert, 2, std::bit_cast<sqlite3_int64>(fp.lo));
    int rc = sqlite3_step(d.insert);
    sqlite3_reset(d.insert);
    if (rc != SQLITE_DONE)
        d.fail(rc, path_, "cannot write");
    if (++pending_ >= opts_.batch)
        flush();
    return true;
}

void sqlite_seen_set::flush()
{
    auto& d = *db_;
    if (!d.in_transaction)
        return;
    d.in_transaction = false;
    pending_ = 0;
    d.exec("COMMIT", path_, "cannot commit");
}

} // namespace weft::engine
