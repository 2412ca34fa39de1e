// weft::sqlite: one SQLite connection and its prepared statements, owned (RAII), with every
// failure thrown as a weft::system_error of one "sqlite" error category.
//
//     weft::sqlite::database db(dir / "job.db", "job database");
//     auto insert = db.prepare("INSERT INTO t(a, b) VALUES(?, ?)", "store a row in");
//     insert.bind(1, std::int64_t{42}).bind(2, "text");
//     insert.run();                      // next use: bind again, run again
//
// @par Errors
// Every call that can fail throws weft::system_error with `code()` in error_category() (the
// SQLite result code, extended codes enabled) and what() reading
//     "cannot <doing> <subject> '<path>' (<detail>; <hint>): <cause> [sqlite:<code>]"
// e.g. "cannot store a request in job database '/x/job.db': disk I/O error [sqlite:778]":
// <doing> is what the caller was doing (the argument named `doing`), <detail> SQLite's own
// message when it says more than <cause>, <hint> the database's set_hint(). Test a failure by
// what it means: `ec == weft::sqlite::errc::full` (any extended code of SQLITE_FULL),
// `ec == weft::condition::limit` (a full disk, a too big value), `ec == weft::condition::cancelled`
// (sqlite3_interrupt), `ec == boost::system::errc::no_space_on_device`.
//
// @par Lifetimes
// A statement refers to its database: destroy statements first. A database is neither copied
// nor moved (hold it in std::optional or a unique_ptr to open it late or close it early).
// Destroying a database rolls back a transaction still open; call commit() first.
//
// @par Thread safety
// Distinct objects: safe. Shared objects: unsafe (connections are opened with
// SQLITE_OPEN_NOMUTEX unless the flags say otherwise; one thread at a time per database and its
// statements).
#pragma once

#include <weft/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

struct sqlite3;
struct sqlite3_stmt;

namespace weft::sqlite
{

/// The category of every SQLite result code in weft; message() is sqlite3_errstr().
boost::system::error_category const& error_category() noexcept;
/// An SQLite result code (primary or extended) as an error_code.
inline error_code make_error_code(int sqlite_result) noexcept
{
    return {sqlite_result, error_category()};
}

/// Primary result codes as conditions: each matches its extended codes too
/// (`ec == errc::readonly` for SQLITE_READONLY_DBMOVED).
enum class errc
{
    error = 1,       ///< SQLITE_ERROR: an SQL error (no such table, syntax)
    perm = 3,        ///< SQLITE_PERM: access permission denied
    busy = 5,        ///< SQLITE_BUSY: another connection holds the lock past the busy timeout
    locked = 6,      ///< SQLITE_LOCKED: a conflict within the same connection
    nomem = 7,       ///< SQLITE_NOMEM
    readonly = 8,    ///< SQLITE_READONLY: a write to a database opened or mounted read-only
    interrupt = 9,   ///< SQLITE_INTERRUPT: sqlite3_interrupt()
    ioerr = 10,      ///< SQLITE_IOERR: the OS reported an I/O error
    corrupt = 11,    ///< SQLITE_CORRUPT: the file is damaged
    full = 13,       ///< SQLITE_FULL: the disk is full
    cantopen = 14,   ///< SQLITE_CANTOPEN: missing directory, no permission
    toobig = 18,     ///< SQLITE_TOOBIG: a string or blob over SQLite's limit
    constraint = 19, ///< SQLITE_CONSTRAINT: a UNIQUE, NOT NULL ... constraint failed
    auth = 23,       ///< SQLITE_AUTH: an authorizer refused the statement
    notadb = 26,     ///< SQLITE_NOTADB: the file is not an SQLite database
};

inline error_condition make_error_condition(errc e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

/// Flags of sqlite3_open_v2 (the same values as SQLITE_OPEN_*).
inline constexpr int open_readonly = 0x00000001;
inline constexpr int open_readwrite = 0x00000002;
inline constexpr int open_create = 0x00000004;
inline constexpr int open_nomutex = 0x00008000;

/// PRAGMA synchronous: when SQLite fsyncs (see https://sqlite.org/pragma.html#pragma_synchronous).
enum class synchronous
{
    off,    ///< never: a commit may be lost or the file damaged if the OS dies
    normal, ///< with WAL, a commit survives the process dying; the last ones may be lost on power loss
    full,   ///< every commit fsyncs the WAL: durable on power loss
};

/// What step() found.
enum class step_result
{
    row,  ///< a row is ready for the column getters
    done, ///< the statement ran to completion (it is reset, its bindings kept)
};

class database;

/// A prepared statement (RAII: finalized by the destructor).
///
/// Reuse: binding a statement that was stepped since its last binding first resets it and
/// clears every binding, so a reused statement never runs with the previous use's values.
/// A statement that reached done is reset at once; one left on a row keeps its read
/// transaction open until reset(), the next bind or destruction.
/// Indexes start at 1 for bind and at 0 for columns, as in SQLite. Column getters need a row.
class statement
{
public:
    statement() noexcept = default; ///< none; only assignable
    statement(statement&& other) noexcept;
    statement& operator=(statement&& other) noexcept;
    statement(statement const&) = delete;
    statement& operator=(statement const&) = delete;
    ~statement();

    explicit operator bool() const noexcept { return stmt_ != nullptr; }

    statement& bind(int index, std::int64_t value);
    statement& bind(int index, int value) { return bind(index, std::int64_t{value}); }
    statement& bind(int index, double value);
    /// Text, copied.
    statement& bind(int index, std::string_view text);
    /// Text, copied; a null pointer binds NULL.
    statement& bind(int index, char const* text)
    {
        return text ? bind(index, std::string_view(text)) : bind(index, nullptr);
    }
    statement& bind(int index, std::nullptr_t);
    /// A blob, copied.
    statement& bind_blob(int index, std::span<std::byte const> bytes);
    /// Text not copied: `text` must stay valid until the statement is reset, rebound or destroyed.
    statement& bind_view(int index, std::string_view text);
    /// Resets the statement and clears its bindings (also done by the next bind after a step).
    void reset() noexcept;

    /// The next row, or done. @throws weft::system_error (the statement is then reset).
    step_result step();
    /// Steps to completion, ignoring rows (INSERT, UPDATE, DELETE).
    void run();

    int column_count() const noexcept;
    bool column_is_null(int index) const noexcept;
    std::int64_t column_int64(int index) const noexcept;
    double column_double(int index) const noexcept;
    /// Valid until the next step, reset or destruction; empty for NULL.
    std::string_view column_text(int index) const noexcept;
    /// Valid until the next step, reset or destruction; empty for NULL.
    std::span<std::byte const> column_blob(int index) const noexcept;

    sqlite3_stmt* native_handle() const noexcept { return stmt_; }

private:
    friend class database;
    statement(database const& db, sqlite3_stmt* stmt, std::string doing) noexcept;
    void before_bind();
    void check_bind(int rc) const;

    database const* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
    std::string doing_;
    bool stepped_ = false;
};

/// An open SQLite connection.
class database
{
public:
    /// Opens (by default creating) `path`; `subject` names it in messages ("job database").
    /// Extended result codes are on; no busy timeout until busy_timeout().
    /// @throws weft::system_error "cannot open <subject> '<path>': <cause>".
    explicit database(std::filesystem::path path, std::string subject = "SQLite database",
                      int flags = open_readwrite | open_create | open_nomutex);
    ~database();
    database(database const&) = delete;
    database& operator=(database const&) = delete;

    /// Runs one or more SQL statements (no parameters, rows ignored).
    void exec(std::string const& sql, std::string_view doing);
    /// Prepares one statement; errors while it runs read "cannot <doing> <subject> ...".
    /// `persistent`: a hint that the statement lives long (SQLITE_PREPARE_PERSISTENT).
    statement prepare(std::string_view sql, std::string_view doing, bool persistent = false);

    /// BEGIN, COMMIT, ROLLBACK. rollback() never throws (nothing to do outside a transaction).
    void begin();
    void commit();
    void rollback() noexcept;
    /// Inside BEGIN ... COMMIT (also after a COMMIT that failed and left it open).
    bool in_transaction() const noexcept;

    /// How long a statement waits for another connection's lock before SQLITE_BUSY.
    void busy_timeout(std::chrono::milliseconds timeout);
    /// Settings made right after opening: they are the first to read the file, so their errors
    /// (a file that is no database) read "cannot open <subject> ...".
    /// PRAGMA journal_mode=WAL: readers do not block the writer; commits append to the WAL.
    void use_wal();
    /// PRAGMA journal_mode=OFF: no rollback journal (scratch databases only).
    void use_no_journal();
    /// PRAGMA synchronous.
    void set_synchronous(synchronous mode);

    std::int64_t last_insert_rowid() const noexcept;
    /// Rows changed by the last INSERT, UPDATE or DELETE.
    std::int64_t changes() const noexcept;

    /// Appended to every error message's parenthesis: what the user can do about it.
    void set_hint(std::string hint) { hint_ = std::move(hint); }

    std::filesystem::path const& path() const noexcept { return path_; }
    std::string const& subject() const noexcept { return subject_; }
    sqlite3* native_handle() const noexcept { return db_; }

    /// Throws the system_error of `sqlite_result` while `doing` (see the file comment).
    [[noreturn]] void fail(int sqlite_result, std::string_view doing) const;

private:
    friend class statement;
    std::string describe(int sqlite_result, std::string_view doing) const;

    std::filesystem::path path_;
    std::string subject_;
    std::string hint_;
    sqlite3* db_ = nullptr;
};

/// BEGIN now; ROLLBACK on destruction unless commit() was called (an exception unwinding
/// past it undoes the transaction's writes).
class transaction
{
public:
    explicit transaction(database& db) : db_(db) { db_.begin(); }
    ~transaction()
    {
        if (!done_)
            db_.rollback();
    }
    transaction(transaction const&) = delete;
    transaction& operator=(transaction const&) = delete;

    void commit()
    {
        db_.commit();
        done_ = true;
    }

private:
    database& db_;
    bool done_ = false;
};

} // namespace weft::sqlite

template <>
struct boost::system::is_error_condition_enum<weft::sqlite::errc> : std::true_type
{
};
