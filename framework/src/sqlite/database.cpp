#include <weft/sqlite/database.hpp>

#include <sqlite3.h>

#include <cerrno>
#include <utility>

namespace weft::sqlite
{

static_assert(open_readonly == SQLITE_OPEN_READONLY && open_readwrite == SQLITE_OPEN_READWRITE &&
              open_create == SQLITE_OPEN_CREATE && open_nomutex == SQLITE_OPEN_NOMUTEX);
static_assert(int(errc::busy) == SQLITE_BUSY && int(errc::readonly) == SQLITE_READONLY &&
              int(errc::full) == SQLITE_FULL && int(errc::cantopen) == SQLITE_CANTOPEN &&
              int(errc::notadb) == SQLITE_NOTADB && int(errc::toobig) == SQLITE_TOOBIG &&
              int(errc::constraint) == SQLITE_CONSTRAINT && int(errc::perm) == SQLITE_PERM &&
              int(errc::auth) == SQLITE_AUTH && int(errc::interrupt) == SQLITE_INTERRUPT &&
              int(errc::ioerr) == SQLITE_IOERR);

namespace
{

// The errno value a primary result code means, for comparisons with boost::system::errc.
int generic_errno(int primary) noexcept
{
    switch (primary)
    {
    case SQLITE_FULL:
        return ENOSPC;
    case SQLITE_NOMEM:
        return ENOMEM;
    case SQLITE_IOERR:
        return EIO;
    case SQLITE_PERM:
        return EACCES;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return EBUSY;
    default:
        return 0;
    }
}

class category_impl final : public boost::system::error_category
{
public:
    char const* name() const noexcept override { return "sqlite"; }

    // sqlite3_errstr knows the extended codes (it reads their primary part).
    std::string message(int ev) const override { return sqlite3_errstr(ev); }

    boost::system::error_condition default_error_condition(int ev) const noexcept override
    {
        switch (ev & 0xff)
        {
        case SQLITE_FULL:
        case SQLITE_TOOBIG:
            return condition::limit;
        case SQLITE_INTERRUPT:
            return condition::cancelled;
        default:
            return {ev & 0xff, *this};
        }
    }

    bool equivalent(int code, boost::system::error_condition const& cond) const noexcept override
    {
        if (cond.category() == *this)
            return (code & 0xff) == cond.value();
        if (cond == default_error_condition(code))
            return true;
        int const e = generic_errno(code & 0xff);
        return e != 0 && cond == boost::system::error_condition(e, boost::system::generic_category());
    }
};

} // namespace

boost::system::error_category const& error_category() noexcept
{
    static category_impl const instance;
    return instance;
}

// --- statement ---

statement::statement(database const& db, sqlite3_stmt* stmt, std::string doing) noexcept
    : db_(&db), stmt_(stmt), doing_(std::move(doing))
{
}

statement::statement(statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)),
      doing_(std::move(other.doing_)), stepped_(std::exchange(other.stepped_, false))
{
}

statement& statement::operator=(statement&& other) noexcept
{
    if (this != &other)
    {
        sqlite3_finalize(stmt_);
        db_ = std::exchange(other.db_, nullptr);
        stmt_ = std::exchange(other.stmt_, nullptr);
        doing_ = std::move(other.doing_);
        stepped_ = std::exchange(other.stepped_, false);
    }
    return *this;
}

statement::~statement()
{
    sqlite3_finalize(stmt_);
}

// Without SQLITE_ENABLE_API_ARMOR, SQLite dereferences a null statement: refuse here.
void statement::before_bind()
{
    if (!stmt_)
        throw system_error(make_error_code(SQLITE_MISUSE), "weft::sqlite::statement: bind on an empty statement");
    if (stepped_)
        reset();
}

void statement::check_bind(int rc) const
{
    if (rc != SQLITE_OK)
        db_->fail(rc, doing_);
}

statement& statement::bind(int index, std::int64_t value)
{
    before_bind();
    check_bind(sqlite3_bind_int64(stmt_, index, value));
    return *this;
}

statement& statement::bind(int index, double value)
{
    before_bind();
    check_bind(sqlite3_bind_double(stmt_, index, value));
    return *this;
}

// A null pointer would bind NULL, not '': an empty string_view may have one.
statement& statement::bind(int index, std::string_view text)
{
    before_bind();
    check_bind(
        sqlite3_bind_text64(stmt_, index, text.data() ? text.data() : "", text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
}

statement& statement::bind_view(int index, std::string_view text)
{
    before_bind();
    check_bind(
        sqlite3_bind_text64(stmt_, index, text.data() ? text.data() : "", text.size(), SQLITE_STATIC, SQLITE_UTF8));
    return *this;
}

statement& statement::bind(int index, std::nullptr_t)
{
    before_bind();
    check_bind(sqlite3_bind_null(stmt_, index));
    return *this;
}

statement& statement::bind_blob(int index, std::span<std::byte const> bytes)
{
    before_bind();
    void const* data = bytes.data() ? static_cast<void const*>(bytes.data()) : "";
    check_bind(sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT));
    return *this;
}

void statement::reset() noexcept
{
    if (!stmt_)
        return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    stepped_ = false;
}

step_result statement::step()
{
    if (!stmt_)
        throw system_error(make_error_code(SQLITE_MISUSE), "weft::sqlite::statement: step on an empty statement");
    stepped_ = true;
    int const rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return step_result::row;
    // Reset at once: a finished SELECT must not keep its read transaction (and the WAL) open.
    if (rc == SQLITE_DONE)
    {
        sqlite3_reset(stmt_);
        return step_result::done;
    }
    std::string what = db_->describe(rc, doing_);
    sqlite3_reset(stmt_);
    throw system_error(make_error_code(rc), what);
}

void statement::run()
{
    while (step() == step_result::row)
    {
    }
}

int statement::column_count() const noexcept
{
    return sqlite3_column_count(stmt_);
}

bool statement::column_is_null(int index) const noexcept
{
    return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

std::int64_t statement::column_int64(int index) const noexcept
{
    return sqlite3_column_int64(stmt_, index);
}

double statement::column_double(int index) const noexcept
{
    return sqlite3_column_double(stmt_, index);
}

// The pointer first, then the size: sqlite3_column_bytes after a conversion counts the new form.
std::string_view statement::column_text(int index) const noexcept
{
    auto const* p = reinterpret_cast<char const*>(sqlite3_column_text(stmt_, index));
    if (!p)
        return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index))};
}

std::span<std::byte const> statement::column_blob(int index) const noexcept
{
    auto const* p = static_cast<std::byte const*>(sqlite3_column_blob(stmt_, index));
    if (!p)
        return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index))};
}

// --- database ---

database::database(std::filesystem::path path, std::string subject, int flags)
    : path_(std::move(path)), subject_(std::move(subject))
{
#ifdef SQLITE_OPEN_EXRESCODE
    flags |= SQLITE_OPEN_EXRESCODE;
#endif
    int const rc = sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK)
    {
        // SQLite allocates a handle even when the open fails (it holds the message).
        std::string what = describe(rc, "open");
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw system_error(make_error_code(rc), what);
    }
    sqlite3_extended_result_codes(db_, 1);
}

database::~database()
{
    sqlite3_close_v2(db_); // an open transaction rolls back
}

std::string database::describe(int sqlite_result, std::string_view doing) const
{
    std::string what = "cannot ";
    what += doing;
    what += ' ';
    what += subject_;
    what += " '" + path_.string() + "'";
    // SQLite's own message says more than errstr ("no such table: x") when it is about this
    // failure; after another call it would describe that one.
    std::string more;
    if (db_ && sqlite3_extended_errcode(db_) == sqlite_result)
        if (std::string_view msg = sqlite3_errmsg(db_); msg != sqlite3_errstr(sqlite_result))
            more = msg;
    if (!hint_.empty())
        more += (more.empty() ? "" : "; ") + hint_;
    if (!more.empty())
        what += " (" + more + ")";
    return what;
}

void database::fail(int sqlite_result, std::string_view doing) const
{
    throw system_error(make_error_code(sqlite_result), describe(sqlite_result, doing));
}

void database::exec(std::string const& sql, std::string_view doing)
{
    if (int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); rc != SQLITE_OK)
        fail(rc, doing);
}

statement database::prepare(std::string_view sql, std::string_view doing, bool persistent)
{
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
    if (rc != SQLITE_OK)
        fail(rc, doing);
    if (!stmt) // only white space or a comment
        fail(SQLITE_MISUSE, doing);
    return statement(*this, stmt, std::string(doing));
}

void database::begin()
{
    exec("BEGIN", "begin a transaction in");
}

void database::commit()
{
    exec("COMMIT", "commit to");
}

void database::rollback() noexcept
{
    if (in_transaction())
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

bool database::in_transaction() const noexcept
{
    return db_ && sqlite3_get_autocommit(db_) == 0;
}

void database::busy_timeout(std::chrono::milliseconds timeout)
{
    sqlite3_busy_timeout(db_, static_cast<int>(timeout.count()));
}

void database::use_wal()
{
    exec("PRAGMA journal_mode=WAL", "open");
}

void database::use_no_journal()
{
    exec("PRAGMA journal_mode=OFF", "open");
}

void database::set_synchronous(synchronous mode)
{
    char const* sql = mode == synchronous::off      ? "PRAGMA synchronous=OFF"
                      : mode == synchronous::normal ? "PRAGMA synchronous=NORMAL"
                                                    : "PRAGMA synchronous=FULL";
    exec(sql, "open");
}

std::int64_t database::last_insert_rowid() const noexcept
{
    return sqlite3_last_insert_rowid(db_);
}

std::int64_t database::changes() const noexcept
{
    return sqlite3_changes(db_);
}

} // namespace weft::sqlite
