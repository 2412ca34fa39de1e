// Items as rows of a PostgreSQL table: which keys get a column and of which type, each value in
// its column's text form, and the multi-row INSERT statements of a batch.
//
// Fixed columns: id bigserial primary key, data jsonb (the whole item), weft_batch text (the batch
// that wrote the row, for exactly once). A key gets a column typed by its first value: text for a
// string, bigint for an integer, double precision for a float, boolean, jsonb for null, arrays and
// objects. A later value that does not fit its column's type is NULL there (it stays in `data`).
// Keys named like the fixed columns, empty, over 63 bytes (PostgreSQL would cut them) or past
// max_columns get no column. Columns of other types that a user made are never written.
#pragma once

#include <weft/spider/item.hpp>

#include "pg_connection.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace weft::pg
{

inline constexpr std::size_t max_columns = 1000;

/// One item, serialized.
struct row
{
    std::string data; ///< the item as JSON text (invalid UTF-8 replaced by U+FFFD)
    item value;
};

/// Column name -> type as format_type() spells it ("text", "bigint", "double precision").
using column_types = std::map<std::string, std::string>;

/// The column type a key's first value `v` gets.
std::string type_for(item::json const& v);

/// True when `key` may get a column of its own.
bool key_gets_column(std::string const& key);

/// True when weft writes values into a column of `type`.
bool writable_type(std::string const& type);

/// Keys of `rows` (first seen first) without a column yet, with the type of their first value;
/// at most max_columns columns in all.
std::vector<std::pair<std::string, std::string>> new_columns(std::vector<row> const& rows, column_types const& have);

/// The first key or string value holding a NUL character (jsonb cannot store one), as
/// "'key'" or "'key' > 'inner'"; empty when none.
std::string nul_in(item::json const& v);

/// A statement and its parameters.
struct statement
{
    std::string sql;
    std::vector<param> params;
};

/// INSERT statements writing `rows` (each under PostgreSQL's 65535 parameters) into `table`, the
/// rows tagged with `batch`.
std::vector<statement> insert_statements(std::string const& table, std::vector<row> const& rows,
                                         column_types const& columns, std::string const& batch);

} // namespace weft::pg
