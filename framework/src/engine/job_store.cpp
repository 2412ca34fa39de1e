#include "engine/job_store.hpp"

#include <weft/error.hpp>

#include "state/job_lock.hpp"

#include <system_error>

namespace weft::engine
{

job_store::scratch_file::~scratch_file()
{
    if (!path.empty())
    {
        std::error_code ec;
        std::filesystem::remove(path, ec);
        state::detail::track_spill(path, true);
    }
}

job_store::job_store(std::filesystem::path path, bool persistent, to_json_fn to_json, from_json_fn from_json)
    : path_(std::move(path)), persistent_(persistent), to_json_(std::move(to_json)),
      from_json_(std::move(from_json)), scratch_{persistent_ ? std::filesystem::path() : path_},
      db_(path_, "job database", sqlite::open_readwrite | sqlite::open_create)
{
    db_.busy_timeout(std::chrono::seconds(5));
    if (persistent_)
    {
        db_.use_wal();
        db_.set_synchronous(sqlite::synchronous::normal);
    }
    else
    {
        db_.use_no_journal();
        db_.set_synchronous(sqlite::synchronous::off);
    }
    db_.exec("CREATE TABLE IF NOT EXISTS requests(id INTEGER PRIMARY KEY, spilled INTEGER NOT NULL DEFAULT 0,"
             " priority INTEGER NOT NULL, host TEXT NOT NULL, data TEXT NOT NULL);"
             "CREATE INDEX IF NOT EXISTS requests_spilled ON requests(spilled, priority DESC, id);"
             "CREATE INDEX IF NOT EXISTS requests_spilled_host ON requests(spilled, host, priority DESC, id);"
             "CREATE TABLE IF NOT EXISTS seen(fp TEXT PRIMARY KEY) WITHOUT ROWID;"
             "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);",
             "open");
    if (!persistent_)
        db_.exec("DELETE FROM requests; DELETE FROM seen;", "open");
    insert_ = db_.prepare("INSERT INTO requests(spilled, priority, host, data) VALUES(?, ?, ?, ?)",
                          "store a request in", true);
    insert_seen_ = db_.prepare("INSERT OR IGNORE INTO seen(fp) VALUES(?)", "store a fingerprint in", true);
    delete_ = db_.prepare("DELETE FROM requests WHERE id = ?", "record an outcome in", true);
    update_ = db_.prepare("UPDATE requests SET priority = ?, data = ? WHERE id = ?", "update a request in", true);
    spill_id_ = db_.prepare("UPDATE requests SET spilled = 1 WHERE id = ?", "spill a request to", true);
    unspill_ = db_.prepare("SELECT id, host, data FROM requests WHERE spilled = 1 ORDER BY priority DESC, id LIMIT ?",
                           "read spilled requests from", true);
    unspill_host_ = db_.prepare("SELECT id, host, data FROM requests WHERE spilled = 1 AND host = ?"
                                " ORDER BY priority DESC, id LIMIT ?",
                                "read spilled requests from", true);
    // Without a job directory a request read back has no row to keep.
    unspill_id_ =
        db_.prepare(persistent_ ? "UPDATE requests SET spilled = 0 WHERE id = ?" : "DELETE FROM requests WHERE id = ?",
                    "unspill a request in", true);
    top_spilled_ = db_.prepare("SELECT priority FROM requests WHERE spilled = 1 ORDER BY priority DESC LIMIT 1",
                               "read spilled requests from", true);
    spilled_hosts_ = db_.prepare("SELECT host, COUNT(*) FROM requests WHERE spilled = 1 GROUP BY host",
                                 "count spilled requests in", true);
    db_.begin();
}

// The last group of writes is committed; a failure here loses at most that group, as a kill would.
job_store::~job_store()
{
    try
    {
        if (db_.in_transaction())
            db_.commit();
    }
    catch (system_error const&)
    {
    }
}

frontier_entry job_store::entry_of(sqlite::statement const& row) const
{
    frontier_entry e;
    e.id = row.column_int64(0);
    e.host = row.column_text(1);
    e.req = from_json_(nlohmann::json::parse(row.column_text(2)));
    return e;
}

void job_store::load_seen(memory_seen_set& seen)
{
    auto select = db_.prepare("SELECT fp FROM seen", "read the seen-set from");
    while (select.step() == sqlite::step_result::row)
    {
        fingerprint fp;
        if (fingerprint::from_hex(select.column_text(0), fp))
            seen.insert(fp);
    }
}

std::vector<frontier_entry> job_store::load_pending(std::size_t memory_limit)
{
    std::vector<frontier_entry> out;
    db_.exec("UPDATE requests SET spilled = 0", "read pending requests from");
    auto select =
        db_.prepare("SELECT id, host, data FROM requests ORDER BY priority DESC, id", "read pending requests from");
    std::vector<std::int64_t> extra;
    while (select.step() == sqlite::step_result::row)
    {
        if (out.size() >= memory_limit)
            extra.push_back(select.column_int64(0));
        else
            out.push_back(entry_of(select));
    }
    for (auto id : extra)
        spill_id_.bind(1, id).run();
    spilled_ = extra.size();
    return out;
}

nlohmann::json job_store::get_meta(std::string const& key)
{
    nlohmann::json out;
    auto select = db_.prepare("SELECT value FROM meta WHERE key = ?", "read " + key + " from");
    select.bind(1, key);
    if (select.step() == sqlite::step_result::row)
        out = nlohmann::json::parse(select.column_text(0), nullptr, false);
    return out.is_discarded() ? nlohmann::json() : out;
}

void job_store::set_meta(std::string const& key, nlohmann::json const& value)
{
    auto text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    auto insert = db_.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", "save " + key + " in");
    insert.bind(1, key).bind(2, text).run();
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
    auto text = to_json_(req).dump(); // first: a request that cannot be stored is not seen either
    add_seen(fp);
    insert_.bind(1, 0).bind(2, req.priority()).bind(3, host).bind(4, text).run();
    return db_.last_insert_rowid();
}

void job_store::add_seen(fingerprint fp)
{
    insert_seen_.bind(1, fp.to_hex()).run();
}

void job_store::remove(std::int64_t id)
{
    if (id <= 0)
        return;
    delete_.bind(1, id).run();
}

void job_store::update(std::int64_t id, weft::request const& req)
{
    if (id <= 0)
        return;
    auto text = to_json_(req).dump();
    update_.bind(1, req.priority()).bind(2, text).bind(3, id).run();
}

void job_store::commit()
{
    db_.commit();
    db_.begin();
}

void job_store::spill(frontier_entry const& e)
{
    if (e.id > 0)
        spill_id_.bind(1, e.id).run();
    else
    {
        auto text = to_json_(e.req).dump();
        insert_.bind(1, 1).bind(2, e.req.priority()).bind(3, e.host).bind(4, text).run();
    }
    ++spilled_;
}

std::vector<frontier_entry> job_store::unspill(std::size_t n)
{
    unspill_.bind(1, static_cast<std::int64_t>(n));
    return take_spilled(unspill_);
}

std::vector<frontier_entry> job_store::unspill_host(std::string const& host, std::size_t n)
{
    unspill_host_.bind(1, host).bind(2, static_cast<std::int64_t>(n));
    return take_spilled(unspill_host_);
}

std::map<std::string, std::size_t> job_store::spilled_hosts() const
{
    std::map<std::string, std::size_t> out;
    spilled_hosts_.reset();
    while (spilled_hosts_.step() == sqlite::step_result::row)
        out[std::string(spilled_hosts_.column_text(0))] = static_cast<std::size_t>(spilled_hosts_.column_int64(1));
    return out;
}

std::optional<int> job_store::top_spilled_priority() const
{
    if (spilled_ == 0)
        return std::nullopt;
    top_spilled_.reset();
    std::optional<int> top;
    if (top_spilled_.step() == sqlite::step_result::row)
        top = static_cast<int>(top_spilled_.column_int64(0));
    top_spilled_.reset();
    return top;
}

// Runs `select` (rows: id, host, data) to its end: its rows leave the spill, in memory again.
std::vector<frontier_entry> job_store::take_spilled(sqlite::statement& select)
{
    std::vector<frontier_entry> out;
    std::vector<std::int64_t> ids;
    while (select.step() == sqlite::step_result::row)
    {
        auto e = entry_of(select);
        ids.push_back(e.id);
        if (!persistent_)
            e.id = 0;
        out.push_back(std::move(e));
    }
    for (auto id : ids)
        unspill_id_.bind(1, id).run();
    spilled_ -= std::min(spilled_, out.size());
    return out;
}

} // namespace weft::engine
