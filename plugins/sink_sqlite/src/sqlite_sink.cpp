// The SQLite sink: table `items` (id INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT: the whole item
// as JSON, then one column per top-level key). Registered for .db and .sqlite.
//
// Columns: created from the first item's keys, in order; a key first seen later is added with
// ALTER TABLE ADD COLUMN. Keys named like the fixed columns ("id", "data"), keys equal to an
// existing column but for case (SQLite names are case-insensitive) and keys past 1000 columns
// get no column: they stay in `data`. Column values: text, integer, real, 0/1 for booleans, NULL,
// JSON text for arrays and objects.
//
// Durability: WAL journal, synchronous=FULL. Writes insert into an open transaction on the
// blocking pool once `buffer_bytes` of items are pending; async_flush inserts the rest and
// COMMITs (the WAL is fsynced): then the items are durable. In truncate mode an existing `items`
// table is dropped at open; other tables in the file are left alone.
#include <weft/sink/registry.hpp>
#include <weft/text/ascii.hpp>

#include <sqlite3.h>

#include <filesystem>
#include <unordered_map>

namespace weft
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

std::string quote_identifier(std::string_view name)
{
    std::string out = "\"";
    for (char c : name)
    {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + '"';
}

constexpr std::size_t max_columns = 1000;

class sqlite_sink final : public sink
{
public:
    sqlite_sink(executor ex, std::string path, sink_options const& options)
        : sink(std::move(ex), std::move(path), options)
    {
    }

    ~sqlite_sink() override { close_db(); }

    std::string_view format() const noexcept override { return "sqlite"; }

private:
    struct pending_item
    {
        std::string data;
        item value;
    };

    void async_open_impl(asio::any_completion_handler<signature> handler) override
    {
        offload([this] { return open_db(); }, std::move(handler));
    }

    void async_write_impl(std::vector<item> items, asio::any_completion_handler<signature> handler) override
    {
        if (!db_)
            return complete(std::move(handler), asio::error::not_connected);
        for (auto& it : items)
        {
            auto data = it.dump();
            pending_bytes_ += data.size();
            pending_.push_back(pending_item{std::move(data), std::move(it)});
        }
        if (pending_bytes_ < options().buffer_bytes)
            return complete(std::move(handler));
        offload([this] { return insert_pending(); }, std::move(handler));
    }

    void async_flush_impl(asio::any_completion_handler<signature> handler) override
    {
        if (!db_)
            return complete(std::move(handler), asio::error::not_connected);
        offload([this] { return commit(); }, std::move(handler));
    }

    void async_close_impl(asio::any_completion_handler<signature> handler) override
    {
        if (!db_)
            return complete(std::move(handler));
        offload(
            [this]
            {
                auto ec = commit();
                close_db();
                return ec;
            },
            std::move(handler));
    }

    // Everything below runs on the blocking pool.

    error_code fail(int rc, std::string_view doing)
    {
        std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        auto parent = std::filesystem::path(path()).parent_path().string();
        std::string advice;
        switch (rc & 0xff)
        {
        case SQLITE_CANTOPEN:
            advice = "check that the directory '" + (parent.empty() ? std::string(".") : parent) +
                     "' exists and is writable, or choose another output path";
            break;
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH:
            advice = "check the permissions of '" + path() + "' and its directory";
            break;
        case SQLITE_FULL:
            advice = "the disk is full; free some space or write elsewhere";
            break;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            advice = "another process holds the database; stop it or choose another output path";
            break;
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
            advice = "the file is not a usable SQLite database; remove it or choose another output path";
            break;
        default:
            advice = "choose another output path";
        }
        set_diagnostics("cannot " + std::string(doing) + " SQLite database '" + path() + "': " + detail + "; " +
                        advice);
        return sqlite_error(rc);
    }

    error_code exec(std::string const& sql, std::string_view doing)
    {
        if (int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); rc != SQLITE_OK)
            return fail(rc, doing);
        return {};
    }

    error_code open_db()
    {
        int rc = sqlite3_open_v2(path().c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
        if (rc != SQLITE_OK)
        {
            auto ec = fail(rc, "open");
            close_db();
            return ec;
        }
        sqlite3_busy_timeout(db_, 5000);
        error_code ec = exec("PRAGMA journal_mode=WAL", "open");
        if (!ec)
            ec = exec("PRAGMA synchronous=FULL", "open");
        if (!ec && options().mode == sink_options::open_mode::truncate)
            ec = exec("DROP TABLE IF EXISTS items", "reset table 'items' in");
        if (!ec)
            ec = load_columns();
        if (ec)
            close_db();
        return ec;
    }

    error_code load_columns()
    {
        sqlite3_stmt* st = nullptr;
        int rc = sqlite3_prepare_v2(db_, "SELECT name FROM pragma_table_info('items')", -1, &st, nullptr);
        if (rc != SQLITE_OK)
            return fail(rc, "read");
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        {
            std::string name = reinterpret_cast<char const*>(sqlite3_column_text(st, 0));
            table_exists_ = true;
            if (auto l = text::lower_copy(name); l != "id" && l != "data")
            {
                index_.emplace(l, columns_.size());
                columns_.push_back(std::move(name));
            }
        }
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? error_code{} : fail(rc, "read");
    }

    // Maps the item's keys to columns, adding columns (or the table) as needed.
    error_code prepare_columns(item const& it)
    {
        std::vector<std::string> added;
        for (auto const& [key, value] : it.value().items())
        {
            auto l = text::lower_copy(key);
            if (l == "id" || l == "data" || index_.contains(l) || columns_.size() >= max_columns)
                continue;
            index_.emplace(l, columns_.size());
            columns_.push_back(key);
            added.push_back(key);
        }
        if (!table_exists_)
        {
            std::string sql =
                "CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT NOT NULL";
            for (auto const& c : columns_)
                sql += ", " + quote_identifier(c);
            if (auto ec = exec(sql + ")", "create table 'items' in"))
                return ec;
            table_exists_ = true;
        }
        else
            for (auto const& c : added)
                if (auto ec = exec("ALTER TABLE items ADD COLUMN " + quote_identifier(c), "add a column to"))
                    return ec;
        if (!added.empty() || !insert_)
        {
            sqlite3_finalize(insert_);
            insert_ = nullptr;
            std::string sql = "INSERT INTO items (data", values = "?";
            for (auto const& c : columns_)
            {
                sql += ", " + quote_identifier(c);
                values += ", ?";
            }
            sql += ") VALUES (" + values + ")";
            if (int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &insert_, nullptr); rc != SQLITE_OK)
                return fail(rc, "prepare an insert into");
        }
        return {};
    }

    void bind(int index, item::json const& v)
    {
        using t = item::json::value_t;
        switch (v.type())
        {
        case t::null:
        case t::discarded:
            sqlite3_bind_null(insert_, index);
            break;
        case t::boolean:
            sqlite3_bind_int(insert_, index, v.get<bool>() ? 1 : 0);
            break;
        case t::number_integer:
            sqlite3_bind_int64(insert_, index, v.get<std::int64_t>());
            break;
        case t::number_unsigned:
            if (v.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX))
                sqlite3_bind_int64(insert_, index, static_cast<sqlite3_int64>(v.get<std::uint64_t>()));
            else
                sqlite3_bind_double(insert_, index, v.get<double>());
            break;
        case t::number_float:
            sqlite3_bind_double(insert_, index, v.get<double>());
            break;
        case t::string:
        {
            auto const& s = v.get_ref<std::string const&>();
            sqlite3_bind_text(insert_, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
            break;
        }
        default:
        {
            auto text = v.dump(-1, ' ', false, item::json::error_handler_t::replace);
            sqlite3_bind_text(insert_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        }
        }
    }

    error_code insert_pending()
    {
        if (pending_.empty())
            return {};
        if (!in_transaction_)
        {
            if (auto ec = exec("BEGIN", "write to"))
                return ec;
            in_transaction_ = true;
        }
        for (auto const& p : pending_)
        {
            if (auto ec = prepare_columns(p.value))
                return ec;
            sqlite3_bind_text(insert_, 1, p.data.data(), static_cast<int>(p.data.size()), SQLITE_STATIC);
            for (std::size_t i = 0; i < columns_.size(); ++i)
                sqlite3_bind_null(insert_, static_cast<int>(i + 2));
            for (auto const& [key, value] : p.value.value().items())
                if (auto it = index_.find(text::lower_copy(key)); it != index_.end() && columns_[it->second] == key)
                    bind(static_cast<int>(it->second + 2), value);
            int rc = sqlite3_step(insert_);
            sqlite3_reset(insert_);
            if (rc != SQLITE_DONE)
                return fail(rc, "insert into");
        }
        pending_.clear();
        pending_bytes_ = 0;
        return {};
    }

    error_code commit()
    {
        if (auto ec = insert_pending())
            return ec;
        if (!in_transaction_)
            return {};
        in_transaction_ = false;
        return exec("COMMIT", "commit to");
    }

    void close_db()
    {
        sqlite3_finalize(insert_);
        insert_ = nullptr;
        if (db_)
            sqlite3_close_v2(db_); // an uncommitted transaction rolls back
        db_ = nullptr;
        in_transaction_ = false;
    }

    sqlite3* db_ = nullptr;
    sqlite3_stmt* insert_ = nullptr;
    bool table_exists_ = false;
    bool in_transaction_ = false;
    std::vector<std::string> columns_;
    std::unordered_map<std::string, std::size_t> index_; // lower-cased column name -> position
    std::vector<pending_item> pending_;
    std::size_t pending_bytes_ = 0;
};

} // namespace
} // namespace weft

WEFT_REGISTER_SINK(db, ".db", weft::sqlite_sink);
WEFT_REGISTER_SINK(sqlite, ".sqlite", weft::sqlite_sink);
