// The PostgreSQL sink, registered for postgresql:// and postgres:// (pg_target.hpp): one row per
// item in a table created when missing (columns: pg_rows.hpp). libpq runs without blocking on the
// sink's executor (pg_connection.hpp): no thread of the blocking pool is used.
//
// Writes buffer the items; async_flush writes them in one transaction (new columns first, each
// an ALTER TABLE ADD COLUMN IF NOT EXISTS of its own, then multi-row INSERTs, then COMMIT):
// after it the items are durable. The opening mode is ignored: a table is shared, never
// truncated; every run appends.
//
// Exactly once: every transaction tags its rows with a batch id (weft_batch). With a job
// directory the id is the batch_mark the job records, and a resumed run deletes the rows of the
// batch the last run did not finish (undo_batch). A connection lost during a flush is retried
// with backoff (0.5 s doubling, 5 attempts): the retry deletes the batch's rows first, so a
// COMMIT whose answer was lost does not write them twice. `weft export` keeps its position in
// table weft_progress (one row per output table), committed in the items' transaction.
#include <weft/sink/registry.hpp>

#include "pg_connection.hpp"
#include "pg_rows.hpp"
#include "pg_target.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <random>

namespace weft
{
namespace
{

using namespace std::chrono_literals;

constexpr auto connect_timeout = 10s;
constexpr int flush_attempts = 5;

std::string random_batch_id()
{
    std::random_device rd;
    std::string out;
    for (int i = 0; i < 4; ++i)
    {
        char buf[9];
        std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
        out += buf;
    }
    return out;
}

// Failures worth another attempt: the connection went away, a deadlock or serialization failure.
bool retryable(pg::failure const& f)
{
    return f.connection_lost || f.sqlstate == "40P01" || f.sqlstate == "40001";
}

class postgres_sink final : public sink
{
public:
    postgres_sink(executor ex, std::string path, sink_options const& options)
        : sink(ex, std::move(path), options), target_(pg::parse_target(this->path())), conn_(ex)
    {
    }

    std::string_view format() const noexcept override { return "postgresql"; }

    nlohmann::json batch_mark() override
    {
        marked_batch_ = random_batch_id();
        return nlohmann::json{{"batch", *marked_batch_}};
    }

    bool keeps_progress() const noexcept override { return true; }
    void set_progress(nlohmann::json progress) override { progress_ = std::move(progress); }
    nlohmann::json saved_progress() const override { return saved_progress_; }

    void undo_batch(nlohmann::json mark) override
    {
        if (mark.is_object() && mark.contains("batch") && mark["batch"].is_string())
            undo_ = mark["batch"].get<std::string>();
    }

private:
    // Runs member coroutine `op` and completes `handler` with its failure (diagnostics set).
    void run(task<void> op, asio::any_completion_handler<signature> handler)
    {
        asio::co_spawn(get_executor(), std::move(op),
                       [this, h = std::move(handler)](std::exception_ptr e) mutable
                       {
                           error_code ec;
                           if (e)
                           {
                               ec = failed(e);
                               broken_ = true; // unusable but for close (sink.hpp)
                           }
                           complete(std::move(h), ec);
                       });
    }

    error_code failed(std::exception_ptr e)
    {
        try
        {
            std::rethrow_exception(e);
        }
        catch (pg::failure const& f)
        {
            set_diagnostics(f.what());
            return f.connection_lost ? error_code(asio::error::not_connected)
                                     : error_code(asio::error::invalid_argument);
        }
        catch (std::exception const& x)
        {
            set_diagnostics(x.what());
        }
        return asio::error::invalid_argument;
    }

    void async_open_impl(asio::any_completion_handler<signature> handler) override { run(open(), std::move(handler)); }

    void async_write_impl(std::vector<item> items, asio::any_completion_handler<signature> handler) override
    {
        if (!opened_)
            return complete(std::move(handler), asio::error::not_connected);
        for (auto& it : items)
        {
            if (auto where = pg::nul_in(it.value()); !where.empty())
            {
                auto const* url = it.find("url");
                set_diagnostics("the item " + (url && url->is_string() ? "of " + url->get<std::string>() + " " : "") +
                                "has a NUL character in " + where + ", which PostgreSQL cannot store (" +
                                target_.where() + "); remove it in an item pipeline");
                return complete(std::move(handler), asio::error::invalid_argument);
            }
            auto data = it.value().dump(-1, ' ', false, item::json::error_handler_t::replace);
            pending_.push_back(pg::row{std::move(data), std::move(it)});
        }
        complete(std::move(handler));
    }

    void async_flush_impl(asio::any_completion_handler<signature> handler) override
    {
        if (!opened_)
            return complete(std::move(handler), asio::error::not_connected);
        run(flush(), std::move(handler));
    }

    void async_close_impl(asio::any_completion_handler<signature> handler) override
    {
        if (!opened_)
            return complete(std::move(handler));
        run(close(), std::move(handler));
    }

    task<void> open();
    task<void> connect(bool first);
    task<void> prepare_table();
    task<void> load_columns();
    task<void> flush();
    task<void> write_batch(std::string batch, bool again);
    task<void> close();

    pg::target target_;
    pg::connection conn_;
    pg::column_types columns_;
    std::vector<pg::row> pending_;
    std::optional<std::string> marked_batch_; // the job's mark for the next transaction
    std::optional<std::string> undo_;         // a batch the last run did not finish
    nlohmann::json progress_;                 // an export's, committed by the next flush
    nlohmann::json saved_progress_;           // the export's progress found at open
    bool opened_ = false;
    bool broken_ = false;
};

// A sentence saying what to do about a failed connect, by libpq's message.
std::string connect_advice(std::string const& message, pg::target const& t)
{
    if (message.find("password") != std::string::npos || message.find("authentication") != std::string::npos)
        return "check the user and password (in the URI, PGPASSWORD or ~/.pgpass)";
    if (message.find("does not exist") != std::string::npos && message.find("database") != std::string::npos)
        return "create the database (createdb) or name an existing one in the URI";
    return "check that a PostgreSQL server runs on " + t.host + " and accepts connections, or fix the host and port";
}

task<void> postgres_sink::connect(bool first)
{
    try
    {
        co_await conn_.async_connect(target_.conninfo, connect_timeout);
    }
    catch (pg::failure const& f)
    {
        auto const message = std::string(f.what());
        throw pg::failure("cannot connect to PostgreSQL for output " + target_.redacted + " (database '" +
                              target_.database + "' on " + target_.host + "): " + message + "; " +
                              connect_advice(message, target_),
                          f.sqlstate, first ? false : true);
    }
}

task<void> postgres_sink::open()
{
    co_await connect(true);
    co_await prepare_table();
    if (undo_)
    {
        auto const sql = "DELETE FROM " + pg::quote_identifier(target_.table) + " WHERE weft_batch = $1";
        co_await conn_.async_query(sql, {*undo_});
        undo_.reset();
    }
    auto r = co_await conn_.async_query("SELECT to_regclass('weft_progress') IS NOT NULL");
    if (PQgetvalue(r.get(), 0, 0)[0] == 't')
    {
        r = co_await conn_.async_query("SELECT progress::text FROM weft_progress WHERE output = $1", {target_.table});
        if (PQntuples(r.get()) == 1)
            saved_progress_ = nlohmann::json::parse(PQgetvalue(r.get(), 0, 0), nullptr, false);
    }
    opened_ = true;
}

task<void> postgres_sink::load_columns()
{
    auto r = co_await conn_.async_query(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull AND NOT a.atthasdef "
        "FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        {pg::quote_identifier(target_.table)});
    columns_.clear();
    for (int i = 0; i < PQntuples(r.get()); ++i)
    {
        std::string const name = PQgetvalue(r.get(), i, 0);
        std::string const type = PQgetvalue(r.get(), i, 1);
        columns_[name] = type;
        bool const required = PQgetvalue(r.get(), i, 2)[0] == 't';
        if (required && name != "data")
            throw std::invalid_argument("the " + target_.where() + " has a column '" + name + "' (" + type +
                                        ") that needs a value and has no default, which weft does not write; "
                                        "give it a default, drop it, or choose another table with ?table=NAME");
    }
}

// Creates the table when missing and checks that an existing one fits: a jsonb `data` column
// and a text `weft_batch` (added when missing). The advisory lock keeps concurrent crawls from
// racing on CREATE TABLE.
task<void> postgres_sink::prepare_table()
{
    auto const table = pg::quote_identifier(target_.table);
    std::string lock_key = "weft:" + target_.table;
    co_await conn_.async_query("BEGIN");
    co_await conn_.async_query("SELECT pg_advisory_xact_lock(hashtext($1))", {lock_key});
    co_await conn_.async_query("CREATE TABLE IF NOT EXISTS " + table +
                               " (id bigserial PRIMARY KEY, data jsonb NOT NULL, weft_batch text)");
    co_await load_columns();
    auto const data = columns_.find("data");
    if (data == columns_.end() || data->second != "jsonb")
        throw std::invalid_argument(
            "the " + target_.where() + " exists " +
            (data == columns_.end() ? std::string("without a column 'data'") : "with 'data' of type " + data->second) +
            ", where weft keeps each item as jsonb; drop or rename the table, or choose another one with "
            "?table=NAME");
    auto const batch = columns_.find("weft_batch");
    if (batch != columns_.end() && batch->second != "text")
        throw std::invalid_argument("the " + target_.where() + " has 'weft_batch' of type " + batch->second +
                                    ", where weft keeps each row's batch as text; drop that column or choose "
                                    "another table with ?table=NAME");
    if (batch == columns_.end())
    {
        co_await conn_.async_query("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS weft_batch text");
        columns_["weft_batch"] = "text";
    }
    co_await conn_.async_query("COMMIT");
}

task<void> postgres_sink::flush()
{
    if (pending_.empty() && progress_.is_null())
        co_return;
    auto const batch = marked_batch_ ? *marked_batch_ : random_batch_id();
    std::chrono::steady_clock::duration wait = 500ms;
    for (int attempt = 1;; ++attempt)
    {
        try
        {
            if (!conn_.connected())
                co_await connect(false);
            co_await write_batch(batch, attempt > 1);
            break;
        }
        catch (pg::failure const& f)
        {
            if (!retryable(f) || attempt == flush_attempts)
                throw pg::failure("cannot write " + std::to_string(pending_.size()) + " items to the " +
                                      target_.where() + ": " + f.what() +
                                      (retryable(f) ? "; gave up after " + std::to_string(attempt) +
                                                          " attempts: resume the crawl (--job-dir) once the "
                                                          "server is back"
                                                    : std::string()),
                                  f.sqlstate, f.connection_lost);
        }
        if (conn_.connected()) // a deadlock: the transaction is aborted, the connection is fine
            co_await conn_.async_query("ROLLBACK");
        asio::steady_timer pause(get_executor());
        pause.expires_after(wait);
        co_await pause.async_wait(asio::deferred);
        wait *= 2;
    }
    pending_.clear();
    marked_batch_.reset();
    progress_ = nullptr;
}

// One transaction: the batch's rows (after deleting any an earlier attempt may have committed).
task<void> postgres_sink::write_batch(std::string batch, bool again)
{
    auto const table = pg::quote_identifier(target_.table);
    // Columns first, each in its own transaction: two crawls adding columns to one table while
    // inserting would deadlock on the lock upgrade.
    if (auto added = pg::new_columns(pending_, columns_); !added.empty())
    {
        for (auto const& [name, type] : added)
            co_await conn_.async_query("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " +
                                       pg::quote_identifier(name) + " " + type);
        co_await load_columns(); // another crawl may have added one first, with another type
    }
    if (!progress_.is_null())
        co_await conn_.async_query("CREATE TABLE IF NOT EXISTS weft_progress (output text PRIMARY KEY, "
                                   "progress jsonb NOT NULL)");
    co_await conn_.async_query("BEGIN");
    if (again)
        co_await conn_.async_query("DELETE FROM " + table + " WHERE weft_batch = $1", {batch});
    for (auto& st : pg::insert_statements(target_.table, pending_, columns_, batch))
        co_await conn_.async_query(std::move(st.sql), std::move(st.params));
    if (!progress_.is_null()) // an export's position, in the items' transaction: exactly once
        co_await conn_.async_query("INSERT INTO weft_progress (output, progress) VALUES ($1, $2::jsonb) "
                                   "ON CONFLICT (output) DO UPDATE SET progress = EXCLUDED.progress",
                                   {target_.table, progress_.dump()});
    co_await conn_.async_query("COMMIT");
}

task<void> postgres_sink::close()
{
    if (!broken_)
        co_await flush();
    conn_.reset();
    opened_ = false;
}

} // namespace
} // namespace weft

WEFT_REGISTER_SINK(postgresql, "postgresql://", weft::postgres_sink);
WEFT_REGISTER_SINK(postgres, "postgres://", weft::postgres_sink);
