#include "engine/job_store.hpp"

#include <weft/error.hpp>

#include <sqlite3.h>

#include <system_error>

namespace weft::engine
{

job_store::job_store(std::filesystem::path path, bool persistent, to_json_fn to_json, from_json_fn from_json)
    : path_(std::move(path)), persistent_(persistent), to_json_(std::move(to_json)), from_json_(std::move(from_json))
{
    if (sqlite3_open(path_.c_str(), &db_) != SQLITE_OK)
        fail("open");
    sqlite3_busy_timeout(db_, 5000);
    exec(persistent_ ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     : "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
    exec("CREATE TABLE IF NOT EXISTS requests(id INTEGER PRIMARY KEY, spilled INTEGER NOT NULL DEFAULT 0,"
         " priority INTEGER NOT NULL, host TEXT NOT NULL, data TEXT NOT NULL);"
         "CREATE INDEX IF NOT EXISTS requests_spilled ON requests(spilled, priority DESC, id);"
         "CREATE INDEX IF NOT EXISTS requests_spilled_host ON requests(spilled, host, priority DESC, id);"
         "CREATE TABLE IF NOT EXISTS seen(fp TEXT PRIMARY KEY) WITHOUT ROWID;"
         "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);");
    if (!persistent_)
        exec("DELETE FROM requests; DELETE FROM seen;");
    insert_ = prepare("INSERT INTO requests(spilled, priority, host, data) VALUES(?, ?, ?, ?)");
    insert_seen_ = prepare("INSERT OR IGNORE INTO seen(fp) VALUES(?)");
    delete_ = prepare("DELETE FROM requests WHERE id = ?");
    spill_id_ = prepare("UPDATE requests SET spilled = 1 WHERE id = ?");
    spill_new_ = insert_;
    exec("BEGIN");
}

job_store::~job_store()
{
    for (auto* s : {insert_, insert_seen_, delete_, spill_id_})
        if (s)
            sqlite3_finalize(s);
    if (db_)
    {
        sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
        sqlite3_close(db_);
    }
    if (!persistent_)
    {
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
}

void job_store::fail(std::string const& doing) const
{
    std::string msg =
        "job database '" + path_.string() + "': cannot " + doing + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory");
    throw system_error(make_error_code(std::errc::io_error), msg);
}

void job_store::exec(char const* sql)
{
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK)
    {
        std::string e = err ? err : "unknown error";
        sqlite3_free(err);
        throw system_error(make_error_code(std::errc::io_error),
                           "job database '" + path_.string() + "': " + e + " (in: " + sql + ")");
    }
}

sqlite3_stmt* job_store::prepare(char const* sql) const
{
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
        fail("prepare a statement");
    return s;
}

void job_store::load_seen(memory_seen_set& seen)
{
    sqlite3_stmt* s = prepare("SELECT fp FROM seen");
    while (sqlite3_step(s) == SQLITE_ROW)
    {
        fingerprint fp;
        auto const* txt = reinterpret_cast<char const*>(sqlite3_column_text(s, 0));
        if (txt && fingerprint::from_hex(txt, fp))
            seen.insert(fp);
    }
    sqlite3_finalize(s);
}

std::vector<frontier_entry> job_store::load_pending(std::size_t memory_limit)
{
    std::vector<frontier_entry> out;
    exec("UPDATE requests SET spilled = 0");
    sqlite3_stmt* s = prepare("SELECT id, host, data FROM requests ORDER BY priority DESC, id");
    std::vector<std::int64_t> extra;
    while (sqlite3_step(s) == SQLITE_ROW)
    {
        auto id = sqlite3_column_int64(s, 0);
        if (out.size() >= memory_limit)
        {
            extra.push_back(id);
            continue;
        }
        frontier_entry e;
        e.id = id;
        e.host = reinterpret_cast<char const*>(sqlite3_column_text(s, 1));
        e.req = from_json_(nlohmann::json::parse(reinterpret_cast<char const*>(sqlite3_column_text(s, 2))));
        out.push_back(std::move(e));
    }
    sqlite3_finalize(s);
    for (auto id : extra)
    {
        sqlite3_bind_int64(spill_id_, 1, id);
        sqlite3_step(spill_id_);
        sqlite3_reset(spill_id_);
    }
    spilled_ = extra.size();
    return out;
}

nlohmann::json job_store::get_meta(std::string const& key)
{
    nlohmann::json out;
    sqlite3_stmt* s = prepare("SELECT value FROM meta WHERE key = ?");
    sqlite3_bind_text(s, 1, key.c_str(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW)
        out = nlohmann::json::parse(reinterpret_cast<char const*>(sqlite3_column_text(s, 0)), nullptr, false);
    sqlite3_finalize(s);
    return out.is_discarded() ? nlohmann::json() : out;
}

void job_store::set_meta(std::string const& key, nlohmann::json const& value)
{
    sqlite3_stmt* s = prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)");
    auto text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    sqlite3_bind_text(s, 1, key.c_str(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        fail("save " + key);
}

nlohmann::json job_store::load_stats()
{
    return get_meta("stats");
}

void job_store::save_stats(nlohmann::json const& j)
{
    set_meta("stats", j);
}

std::int64_t job_store::add(weft::request const& req, fingerprint fp, std::string const& host)
{
    add_seen(fp);
    auto text = to_json_(req).dump();
    sqlite3_bind_int(insert_, 1, 0);
    sqlite3_bind_int(insert_, 2, req.priority());
    sqlite3_bind_text(insert_, 3, host.c_str(), static_cast<int>(host.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(insert_, 4, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(insert_);
    sqlite3_reset(insert_);
    if (rc != SQLITE_DONE)
        fail("store a request");
    return sqlite3_last_insert_rowid(db_);
}

void job_store::add_seen(fingerprint fp)
{
    auto hex = fp.to_hex();
    sqlite3_bind_text(insert_seen_, 1, hex.c_str(), static_cast<int>(hex.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(insert_seen_);
    sqlite3_reset(insert_seen_);
    if (rc != SQLITE_DONE)
        fail("store a fingerprint");
}

void job_store::remove(std::int64_t id)
{
    if (id <= 0)
        return;
    sqlite3_bind_int64(delete_, 1, id);
    int rc = sqlite3_step(delete_);
    sqlite3_reset(delete_);
    if (rc != SQLITE_DONE)
        fail("record an outcome");
}

void job_store::update(std::int64_t id, weft::request const& req)
{
    sqlite3_stmt* s = prepare("UPDATE requests SET priority = ?, data = ? WHERE id = ?");
    auto text = to_json_(req).dump();
    sqlite3_bind_int(s, 1, req.priority());
    sqlite3_bind_text(s, 2, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, id);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        fail("update a request");
}

void job_store::commit()
{
    exec("COMMIT; BEGIN");
}

void job_store::spill(frontier_entry const& e)
{
    if (e.id > 0)
    {
        sqlite3_bind_int64(spill_id_, 1, e.id);
        int rc = sqlite3_step(spill_id_);
        sqlite3_reset(spill_id_);
        if (rc != SQLITE_DONE)
            fail("spill a request");
    }
    else
    {
        auto text = to_json_(e.req).dump();
        sqlite3_bind_int(spill_new_, 1, 1);
        sqlite3_bind_int(spill_new_, 2, e.req.priority());
        sqlite3_bind_text(spill_new_, 3, e.host.c_str(), static_cast<int>(e.host.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(spill_new_, 4, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        int rc = sqlite3_step(spill_new_);
        sqlite3_reset(spill_new_);
        if (rc != SQLITE_DONE)
            fail("spill a request");
    }
    ++spilled_;
}

std::vector<frontier_entry> job_store::unspill(std::size_t n)
{
    sqlite3_stmt* s =
        prepare("SELECT id, host, data FROM requests WHERE spilled = 1 ORDER BY priority DESC, id LIMIT ?");
    sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(n));
    return take_spilled(s);
}

std::vector<frontier_entry> job_store::unspill_host(std::string const& host, std::size_t n)
{
    sqlite3_stmt* s = prepare(
        "SELECT id, host, data FROM requests WHERE spilled = 1 AND host = ? ORDER BY priority DESC, id LIMIT ?");
    sqlite3_bind_text(s, 1, host.c_str(), static_cast<int>(host.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(n));
    return take_spilled(s);
}

std::map<std::string, std::size_t> job_store::spilled_hosts() const
{
    std::map<std::string, std::size_t> out;
    sqlite3_stmt* s = prepare("SELECT host, COUNT(*) FROM requests WHERE spilled = 1 GROUP BY host");
    while (sqlite3_step(s) == SQLITE_ROW)
        out[reinterpret_cast<char const*>(sqlite3_column_text(s, 0))] =
            static_cast<std::size_t>(sqlite3_column_int64(s, 1));
    sqlite3_finalize(s);
    return out;
}

// Runs `s` (finalizing it): its rows (id, host, data) leave the spill, in memory again.
std::vector<frontier_entry> job_store::take_spilled(sqlite3_stmt* s)
{
    std::vector<frontier_entry> out;
    std::vector<std::int64_t> ids;
    while (sqlite3_step(s) == SQLITE_ROW)
    {
        frontier_entry e;
        auto id = sqlite3_column_int64(s, 0);
        ids.push_back(id);
        e.id = persistent_ ? id : 0;
        e.host = reinterpret_cast<char const*>(sqlite3_column_text(s, 1));
        e.req = from_json_(nlohmann::json::parse(reinterpret_cast<char const*>(sqlite3_column_text(s, 2))));
        out.push_back(std::move(e));
    }
    sqlite3_finalize(s);
    sqlite3_stmt* u =
        prepare(persistent_ ? "UPDATE requests SET spilled = 0 WHERE id = ?" : "DELETE FROM requests WHERE id = ?");
    for (auto id : ids)
    {
        sqlite3_bind_int64(u, 1, id);
        sqlite3_step(u);
        sqlite3_reset(u);
    }
    sqlite3_finalize(u);
    spilled_ -= std::min(spilled_, out.size());
    return out;
}

} // namespace weft::engine
