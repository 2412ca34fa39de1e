// Character encodings as browsers decide them (WHATWG Encoding and HTML "determining the
// character encoding"), and conversion to UTF-8.
//
// Names returned are the WHATWG canonical names: "UTF-8", "windows-1252", "UTF-16LE",
// "ISO-8859-2", "Shift_JIS", ... Labels are matched as WHATWG says (ASCII case-insensitive, ends
// trimmed), so "latin1", "iso-8859-1" and "ascii" all mean "windows-1252" and "utf8" means "UTF-8".
#pragma once

#include <weft/error.hpp>

#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace weft::html
{

/// Where detect_encoding found its answer.
enum class encoding_source
{
    bom,       ///< a byte order mark at the start
    transport, ///< the Content-Type charset
    meta,      ///< <meta charset> or <meta http-equiv=Content-Type> in the first 1024 bytes
    content,   ///< nothing said, but the bytes are valid UTF-8 with non-ASCII in them: UTF-8
    fallback,  ///< nothing said: windows-1252
};

struct detected_encoding
{
    std::string_view name; ///< canonical WHATWG name (static storage)
    encoding_source source;
};

/// The canonical encoding name for a WHATWG label, or nullopt for an unknown label.
std::optional<std::string_view> encoding_for_label(std::string_view label) noexcept;

/// Decides the encoding of an HTML byte stream: BOM, then the Content-Type charset (either the
/// bare charset or a whole header value such as "text/html; charset=ISO-8859-1"), then a meta
/// prescan of the first 1024 bytes, then UTF-8 when the bytes are valid UTF-8 and not all ASCII
/// (browsers detect it), else windows-1252. Unknown labels are ignored.
detected_encoding detect_encoding_ex(std::string_view bytes, std::string_view content_type_charset = {}) noexcept;
inline std::string_view detect_encoding(std::string_view bytes, std::string_view content_type_charset = {}) noexcept
{
    return detect_encoding_ex(bytes, content_type_charset).name;
}

/// The length of the longest prefix of bytes that is valid UTF-8 (bytes.size() when all of it
/// is; a sequence cut short by the end counts as invalid, as to_utf8 would replace it).
std::size_t valid_utf8_prefix(std::string_view bytes) noexcept;

/// Converts bytes in the encoding named by label to UTF-8. A leading BOM of that encoding is
/// dropped; invalid or unmappable bytes become U+FFFD. Fails with weft::error::bad_encoding only
/// when the label is unknown or the encoding cannot be converted on this system.
boost::system::result<std::string> to_utf8(std::string_view bytes, std::string_view label);

} // namespace weft::html
