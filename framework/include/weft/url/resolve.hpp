// WHATWG-style URL parsing and reference resolution, on top of Boost.URL.
//
// Browsers accept far more than RFC 3986: `resolve` first brings the input into a form Boost.URL
// parses (as the WHATWG URL standard's parser would read it), then resolves and serializes:
//
//   - leading/trailing C0 controls and spaces are trimmed; tabs and newlines anywhere are removed;
//   - spaces, controls and non-ASCII (UTF-8) are percent-encoded, per component;
//   - in special schemes (http, https, ws, wss, ftp, file) `\` is a `/`, and `http:x` relative
//     to an http base is a relative reference; extra slashes before the authority are ignored;
//   - `..` past the root is dropped; `%2e` segments count as dots;
//   - hosts of special schemes are percent-decoded, lower-cased, IDN labels converted to
//     punycode (`xn--`), IPv4 in any WHATWG notation (`0x7f.1`) normalized; default ports dropped;
//     an empty path becomes `/`;
//   - IPv6 hosts are serialized as WHATWG says (compressed, lower case, IPv4 part in hex).
//
// Known differences from the standard (tests/unit/url/wpt_exceptions.hpp lists each case of the
// WHATWG test data they touch): no full UTS #46 mapping (lower-casing, fullwidth ASCII, and the
// noncharacters refused, only), xn-- labels not validated; characters RFC 3986 forbids but
// WHATWG leaves raw (`|`, `^`, `{`, `}`, `[`, `]`, a lone `%`) are percent-encoded; non-special
// schemes and file: URLs follow RFC 3986 rather than WHATWG's special cases.
#pragma once

#include <boost/system/result.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace weft::url
{

/// Resolves `reference` against the absolute URL `base` as a browser does; returns the absolute URL.
/// Pass the document's effective base (its `<base href>` resolved against the page URL).
/// An empty `base` means `reference` must itself be absolute.
/// Errors: `weft::error::bad_url` when either does not parse (or a relative reference meets a base
/// that cannot be a base, such as `mailto:x`).
boost::system::result<std::string> resolve(std::string_view base, std::string_view reference);

/// Parses an absolute URL the same way (resolve with no base).
boost::system::result<std::string> parse(std::string_view absolute_url);

/// A base URL parsed once, for resolving many references against it (a page's links).
/// Copies share the parsed form.
class base_url
{
public:
    /// Errors: `weft::error::bad_url` when absolute_url does not parse as an absolute URL.
    static boost::system::result<base_url> make(std::string_view absolute_url);
    /// Same as weft::url::resolve(href(), reference).
    boost::system::result<std::string> resolve(std::string_view reference) const;
    /// The normalized base.
    std::string const& href() const noexcept;

private:
    struct impl;
    explicit base_url(std::shared_ptr<impl const> p) noexcept : impl_(std::move(p)) {}
    std::shared_ptr<impl const> impl_;
};

/// True for http, https, ws, wss, ftp and file (case-insensitive): the WHATWG "special" schemes.
bool is_special_scheme(std::string_view scheme) noexcept;

} // namespace weft::url
