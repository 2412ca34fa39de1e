// Where a PostgreSQL output goes: `-o postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?table=NAME]`
// (or postgres://) split into the libpq connection URI (weft's `table` parameter removed) and the
// table; the words messages name it by.
#pragma once

#include <string>
#include <string_view>

namespace weft::pg
{

struct target
{
    std::string conninfo; ///< the URI libpq connects with (password included)
    std::string table;    ///< `table` parameter, percent-decoded; "items" when absent
    std::string host;     ///< for messages: "127.0.0.1:5432", "the local socket" when none
    std::string database; ///< for messages: the database, "the user's default database" when none
    std::string redacted; ///< the output with the password replaced by "***"

    /// "table 'items' in database 'crawl' on 127.0.0.1:5432"
    std::string where() const;
};

/// @throws std::invalid_argument naming the output when it is not a postgresql:// or postgres://
/// URI or its table name is empty or over 63 bytes.
target parse_target(std::string_view output);

/// `name` as an SQL identifier: in double quotes, inner quotes doubled.
std::string quote_identifier(std::string_view name);

} // namespace weft::pg
