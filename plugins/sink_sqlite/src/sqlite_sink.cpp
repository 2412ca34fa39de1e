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
#include <weft/sqlite/database.hpp>
#include <weft/text/ascii.hpp>

#include <filesystem>
#include <limits>
#include <optional>
#include <unordered_map>

namespace weft
{
namespace
{

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

// What to do about an SQLite failure of the output file.
std::string advice(error_code const& ec, std::string const& path)
{
    using sqlite::errc;
    if (ec == errc::cantopen)
    {
        auto parent = std::filesystem::path(path).parent_path().string();
        return "check that the directory '" + (parent.empty() ? std::string(".") : parent) +
               "' exists and is writable, or choose another output path";
    }
    if (ec == errc::readonly || ec == errc::perm || ec == errc::auth)
        return "check the permissions of '" + path + "' and its directory";
    if (ec == errc::full)
        return "the disk is full; free some space or write elsewhere";
    if (ec == errc::busy || ec == errc::locked)
        return "another process holds the database; stop it or choose another output path";
    if (ec == errc::notadb || ec == errc::corrupt)
        return "the file is not a usable SQLite database; remove it or choose another output path";
    return "choose another output path";
}

// e.what() without the ": <message> [sqlite:N]" system_error appends: "cannot <doing> ... '<path>'".
std::string_view what_failed(system_error const& e)
{
    std::string_view what = e.what();
    if (auto tail = ": " + e.code().what(); what.ends_with(tail))
        what.remove_suffix(tail.size());
    return what;
}

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
        offload([this] { return guarded([this] { insert_pending(); }); }, std::move(handler));
    }

    void async_flush_impl(asio::any_completion_handler<signature> handler) override
    {
        if (!db_)
            return complete(std::move(handler), asio::error::not_connected);
        offload([this] { return guarded([this] { commit(); }); }, std::move(handler));
    }

    void async_close_impl(asio::any_completion_handler<signature> handler) override
    {
        if (!db_)
            return complete(std::move(handler));
        offload(
            [this]
            {
                auto ec = guarded([this] { commit(); });
                close_db();
                return ec;
            },
            std::move(handler));
    }

    // Everything below runs on the blocking pool.

    // Runs `work`: an SQLite failure becomes the operation's error and a diagnostics sentence.
    template <class Work>
    error_code guarded(Work work)
    {
        try
        {
            work();
            return {};
        }
        catch (system_error const& e)
        {
            set_diagnostics(std::string(what_failed(e)) + ": " + e.code().message() + "; " + advice(e.code(), path()));
            return e.code();
        }
    }

    error_code open_db()
    {
        auto ec = guarded(
            [this]
            {
                auto& db = db_.emplace(path(), "SQLite database",
                                       sqlite::open_readwrite | sqlite::open_create | sqlite::open_nomutex);
                db.busy_timeout(std::chrono::seconds(5));
                db.use_wal();
                db.set_synchronous(sqlite::synchronous::full);
                if (options().mode == sink_options::open_mode::truncate)
                    db.exec("DROP TABLE IF EXISTS items", "reset table 'items' in");
                load_columns();
            });
        if (ec)
            close_db();
        return ec;
    }

    void load_columns()
    {
        auto select = db_->prepare("SELECT name FROM pragma_table_info('items')", "read");
        while (select.step() == sqlite::step_result::row)
        {
            std::string name(select.column_text(0));
            table_exists_ = true;
            if (auto l = text::lower_copy(name); l != "id" && l != "data")
            {
                index_.emplace(l, columns_.size());
                columns_.push_back(std::move(name));
            }
        }
    }

    // Maps the item's keys to columns, adding columns (or the table) as needed.
    void prepare_columns(item const& it)
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
            db_->exec(sql + ")", "create table 'items' in");
            table_exists_ = true;
        }
        else
            for (auto const& c : added)
                db_->exec("ALTER TABLE items ADD COLUMN " + quote_identifier(c), "add a column to");
        if (!added.empty() || !insert_)
        {
            insert_ = {};
            std::string sql = "INSERT INTO items (data", values = "?";
            for (auto const& c : columns_)
            {
                sql += ", " + quote_identifier(c);
                values += ", ?";
            }
            sql += ") VALUES (" + values + ")";
            insert_ = db_->prepare(sql, "insert into", true);
        }
    }

    void bind(int index, item::json const& v)
    {
        using t = item::json::value_t;
        switch (v.type())
        {
        case t::null:
        case t::discarded:
            insert_.bind(index, nullptr);
            break;
        case t::boolean:
            insert_.bind(index, v.get<bool>() ? 1 : 0);
            break;
        case t::number_integer:
            insert_.bind(index, v.get<std::int64_t>());
            break;
        case t::number_unsigned:
            if (v.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                insert_.bind(index, static_cast<std::int64_t>(v.get<std::uint64_t>()));
            else
                insert_.bind(index, v.get<double>());
            break;
        case t::number_float:
            insert_.bind(index, v.get<double>());
            break;
        case t::string:
            insert_.bind(index, std::string_view(v.get_ref<std::string const&>()));
            break;
        default:
            insert_.bind(index, v.dump(-1, ' ', false, item::json::error_handler_t::replace));
        }
    }

    void insert_pending()
    {
        if (pending_.empty())
            return;
        if (!db_->in_transaction())
            db_->begin();
        for (auto const& p : pending_)
        {
            prepare_columns(p.value);
            // The first bind clears the previous item's values: columns this item lacks are NULL.
            insert_.bind_view(1, p.data);
            for (auto const& [key, value] : p.value.value().items())
                if (auto it = index_.find(text::lower_copy(key)); it != index_.end() && columns_[it->second] == key)
                    bind(static_cast<int>(it->second + 2), value);
            insert_.run();
        }
        pending_.clear();
        pending_bytes_ = 0;
    }

    void commit()
    {
        insert_pending();
        if (db_->in_transaction())
            db_->commit();
    }

    void close_db()
    {
        insert_ = {};
        db_.reset(); // an uncommitted transaction rolls back
    }

    std::optional<sqlite::database> db_;
    sqlite::statement insert_; // reset before db_
    bool table_exists_ = false;
    std::vector<std::string> columns_;
    std::unordered_map<std::string, std::size_t> index_; // lower-cased column name -> position
    std::vector<pending_item> pending_;
    std::size_t pending_bytes_ = 0;
};

} // namespace
} // namespace weft

WEFT_REGISTER_SINK(db, ".db", weft::sqlite_sink);
WEFT_REGISTER_SINK(sqlite, ".sqlite", weft::sqlite_sink);
