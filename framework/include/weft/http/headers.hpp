// weft::http::headers: an ordered list of header fields with case-insensitive lookup.
#pragma once

#include <weft/text/ascii.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::http {

/// Header fields in the order they were added or received. Names compare case-insensitively;
/// repeated fields (Set-Cookie) are kept as separate entries.
class headers
{
public:
    using field = std::pair<std::string, std::string>;
    using const_iterator = std::vector<field>::const_iterator;

    headers() = default;

    /// The first value of `name`, if present.
    std::optional<std::string_view> get(std::string_view name) const;
    /// Every value of `name`, in order.
    std::vector<std::string_view> get_all(std::string_view name) const;
    bool contains(std::string_view name) const { return get(name).has_value(); }

    /// Appends a field, keeping any earlier one of the same name.
    headers& add(std::string name, std::string value);
    /// Replaces every field of that name with one.
    headers& set(std::string name, std::string value);
    /// Removes every field of that name; returns how many were removed.
    std::size_t remove(std::string_view name);
    void clear() { fields_.clear(); }

    std::size_t size() const { return fields_.size(); }
    bool empty() const { return fields_.empty(); }
    const_iterator begin() const { return fields_.begin(); }
    const_iterator end() const { return fields_.end(); }

    friend bool operator==(headers const&, headers const&) = default;

private:
    std::vector<field> fields_;
};

/// ASCII case-insensitive equality, as HTTP field names compare.
using text::iequals;

} // namespace weft::http
