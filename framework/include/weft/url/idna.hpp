// Host names to ASCII: RFC 3492 punycode and IDNA's `xn--` labels.
#pragma once

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace weft::url
{

/// RFC 3492 punycode encoding of a sequence of code points (without the `xn--` prefix).
/// Errors: `weft::error::bad_url` on overflow or an invalid code point.
boost::system::result<std::string> punycode_encode(std::u32string_view code_points);

/// RFC 3492 punycode decoding (input without the `xn--` prefix).
/// Errors: `weft::error::bad_url` on malformed input.
boost::system::result<std::u32string> punycode_decode(std::string_view ascii);

/// A UTF-8 host name to its ASCII form: lower-cased (ASCII, Latin, Greek, Cyrillic; no full
/// UTS #46 mapping), ideographic full stops to `.`, non-ASCII labels to `xn--` punycode.
/// Errors: `weft::error::bad_url` on invalid UTF-8 or a label that does not encode.
boost::system::result<std::string> domain_to_ascii(std::string_view utf8_host);

} // namespace weft::url
