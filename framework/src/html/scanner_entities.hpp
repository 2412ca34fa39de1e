// Private: the named character reference table used by the streaming scanner.
#pragma once

#include <span>
#include <string_view>

namespace weft::html::detail
{

struct named_reference
{
    std::string_view name; ///< "amp;" or the legacy "amp"
    std::string_view utf8; ///< the replacement text
};

std::span<named_reference const> named_references() noexcept;
/// Exact lookup; nullptr when name is not in the table.
named_reference const* find_named_reference(std::string_view name) noexcept;

} // namespace weft::html::detail
