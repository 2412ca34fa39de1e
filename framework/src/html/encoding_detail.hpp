// Private to the encoding code: the pieces encoding.cpp shares with its neighbours.
#pragma once

#include <optional>
#include <string_view>

namespace weft::html::detail
{

/// The glibc iconv name for a WHATWG encoding decoded through iconv ("Shift_JIS" -> "CP932"),
/// nullopt for those decoded without it (UTF-8, UTF-16, windows-1252, ...).
std::optional<std::string_view> iconv_name_for(std::string_view whatwg_name) noexcept;

/// True when `bytes` hold at least one non-ASCII character and are valid UTF-8 throughout (a
/// sequence cut short by the end of `bytes` is allowed: a body may be truncated).
bool looks_like_utf8(std::string_view bytes) noexcept;

} // namespace weft::html::detail
