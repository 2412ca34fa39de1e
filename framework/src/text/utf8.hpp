// Private: appending a code point as UTF-8, shared by the decoders, the selector parser, the
// scanner and the sitemap reader.
#pragma once

#include <cstdint>
#include <string>

namespace weft::detail
{

/// Appends `cp` encoded as UTF-8. The caller decides what an invalid code point becomes.
inline void append_utf8(std::string& out, std::uint32_t cp)
{
    if (cp < 0x80)
        out += static_cast<char>(cp);
    else if (cp < 0x800)
    {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    else if (cp < 0x10000)
    {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    else
    {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// Appends `cp` as UTF-8, with NUL, surrogates and values past U+10FFFF replaced by U+FFFD
/// (the CSS and XML rules for character references).
inline void append_utf8_or_replacement(std::string& out, std::uint32_t cp)
{
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = 0xFFFD;
    append_utf8(out, cp);
}

} // namespace weft::detail
