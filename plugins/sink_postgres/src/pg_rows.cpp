#include "pg_rows.hpp"

#include "pg_target.hpp"

#include <limits>
#include <set>

namespace weft::pg
{
namespace
{

constexpr std::size_t max_params = 65535;

bool fixed_column(std::string const& key)
{
    return key == "id" || key == "data" || key == "weft_batch";
}

// `v` in the text form a column of `type` takes; nullopt (NULL) when it does not fit.
param column_value(item::json const& v, std::string const& type)
{
    if (v.is_null())
        return std::nullopt;
    if (type == "jsonb" || type == "json")
        return v.dump(-1, ' ', false, item::json::error_handler_t::replace);
    if (type == "text" || type.starts_with("character varying"))
        return v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, item::json::error_handler_t::replace);
    if (type == "boolean")
        return v.is_boolean() ? param(v.get<bool>() ? "true" : "false") : std::nullopt;
    if (type == "bigint")
    {
        if (v.is_number_integer() && !v.is_number_unsigned())
            return std::to_string(v.get<std::int64_t>());
        if (v.is_number_unsigned() && v.get<std::uint64_t>() <= std::uint64_t(std::numeric_limits<std::int64_t>::max()))
            return std::to_string(v.get<std::uint64_t>());
        return std::nullopt;
    }
    if (type == "double precision" || type == "real" || type.starts_with("numeric"))
        return v.is_number() ? param(v.dump()) : std::nullopt;
    return std::nullopt;
}

} // namespace

std::string type_for(item::json const& v)
{
    if (v.is_string())
        return "text";
    if (v.is_boolean())
        return "boolean";
    if (v.is_number_integer())
        return "bigint";
    if (v.is_number_float())
        return "double precision";
    return "jsonb";
}

bool key_gets_column(std::string const& key)
{
    return !key.empty() && key.size() <= 63 && !fixed_column(key) && key.find('\0') == std::string::npos;
}

bool writable_type(std::string const& type)
{
    return type == "jsonb" || type == "json" || type == "text" || type.starts_with("character varying") ||
           type == "boolean" || type == "bigint" || type == "double precision" || type == "real" ||
           type.starts_with("numeric");
}

std::vector<std::pair<std::string, std::string>> new_columns(std::vector<row> const& rows, column_types const& have)
{
    std::vector<std::pair<std::string, std::string>> out;
    std::set<std::string> added;
    std::size_t count = have.size();
    for (auto const& r : rows)
        for (auto const& [key, value] : r.value.value().items())
        {
            if (count >= max_columns + 3 || !key_gets_column(key) || have.contains(key) || added.contains(key))
                continue;
            added.insert(key);
            out.emplace_back(key, type_for(value));
            ++count;
        }
    return out;
}

std::string nul_in(item::json const& v)
{
    if (v.is_string())
        return v.get_ref<std::string const&>().find('\0') == std::string::npos ? "" : "value";
    if (v.is_object())
        for (auto const& [key, inner] : v.items())
        {
            if (key.find('\0') != std::string::npos)
                return "key";
            if (auto in = nul_in(inner); !in.empty())
                return "'" + key + "'" + (in == "value" ? "" : " > " + in);
        }
    if (v.is_array())
        for (std::size_t i = 0; i < v.size(); ++i)
            if (auto in = nul_in(v[i]); !in.empty())
                return "[" + std::to_string(i) + "]" + (in == "value" ? "" : " > " + in);
    return "";
}

std::vector<statement> insert_statements(std::string const& table, std::vector<row> const& rows,
                                         column_types const& columns, std::string const& batch)
{
    std::vector<statement> out;
    std::size_t begin = 0;
    while (begin < rows.size())
    {
        // The chunk's columns: its keys that have a writable column, in first-seen order.
        std::vector<std::pair<std::string, std::string>> cols;
        std::set<std::string> seen;
        std::size_t end = begin;
        for (; end < rows.size(); ++end)
        {
            std::size_t added = 0;
            for (auto const& [key, value] : rows[end].value.value().items())
                if (auto it = columns.find(key);
                    key_gets_column(key) && it != columns.end() && writable_type(it->second) && !seen.contains(key))
                    ++added;
            // Every row of the chunk takes 2 + cols parameters.
            if (end > begin && (end - begin + 1) * (2 + cols.size() + added) > max_params)
                break;
            for (auto const& [key, value] : rows[end].value.value().items())
                if (auto it = columns.find(key);
                    key_gets_column(key) && it != columns.end() && writable_type(it->second) && seen.insert(key).second)
                    cols.emplace_back(key, it->second);
        }
        statement st;
        st.sql = "INSERT INTO " + quote_identifier(table) + " (data, weft_batch";
        for (auto const& [name, type] : cols)
            st.sql += ", " + quote_identifier(name);
        st.sql += ") VALUES ";
        for (std::size_t i = begin; i < end; ++i)
        {
            auto const& v = rows[i].value.value();
            st.sql += i == begin ? "(" : ", (";
            st.params.emplace_back(rows[i].data);
            st.sql += "$" + std::to_string(st.params.size()) + "::jsonb";
            st.params.emplace_back(batch);
            st.sql += ", $" + std::to_string(st.params.size()) + "::text";
            for (auto const& [name, type] : cols)
            {
                auto it = v.find(name);
                st.params.push_back(it == v.end() ? std::nullopt : column_value(*it, type));
                st.sql += ", $" + std::to_string(st.params.size()) + "::" + type;
            }
            st.sql += ")";
        }
        out.push_back(std::move(st));
        begin = end;
    }
    return out;
}

} // namespace weft::pg
