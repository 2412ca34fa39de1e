// The cases of the WHATWG URL test data (tests/data/url/urltestdata.json) where weft knowingly
// differs from the standard, and why. Each is keyed by (base, input) as in the data.
#pragma once

#include <string_view>

namespace weft::test
{

using namespace std::string_view_literals;

struct wpt_url_exception
{
    std::string_view base; ///< as in the data
    std::string_view input;
    std::string_view reason;
};

inline constexpr std::string_view r_rfc3986 =
    "characters WHATWG leaves raw (`{}|^[]\\ and # in a fragment) are percent-encoded, as RFC 3986 requires; servers decode them to the same bytes and the fragment is never sent";
inline constexpr std::string_view r_percent =
    "a % not followed by two hex digits becomes %25: Boost.URL holds only valid percent-encoding (rare in links; the request then carries %25 where a browser sends a bare %)";
inline constexpr std::string_view r_puny =
    "an xn-- label that does not decode to a valid UTS #46 label: weft does not check xn-- labels (that needs the Unicode tables); the host then fails at DNS";
inline constexpr std::string_view r_about =
    "about:blank as base: weft resolves against a page's http(s) URL, so about:blank counts as no base";
inline constexpr std::string_view r_file =
    "file: (Windows drive letters, file hosts): a crawl never follows file: URLs";
inline constexpr std::string_view r_nonspecial =
    "a non-special scheme: parsed by RFC 3986 rules (Boost.URL), its hosts are not checked and not serialized as WHATWG says; a crawl follows http(s) only";

inline constexpr wpt_url_exception wpt_url_exceptions[] = {
    // rfc3986
    {"http://example.org/foo/bar"sv, "#\\"sv, r_rfc3986},
    {"http://example.org/foo/bar"sv, "http://foo/path;a??e#f#g"sv, r_rfc3986},
    {"http://example.org/foo/bar"sv, "[61:24:74]:98"sv, r_rfc3986},
    {"http://example.org/foo/bar"sv, "http:[61:27]/:foo"sv, r_rfc3986},
    {"http://doesnotmatter/"sv, "http://`{}:`{}@h/`{}?`{}"sv, r_rfc3986},
    // percent
    {"about:blank"sv, "http://example.com/foo/%2e%2"sv, r_percent},
    {"about:blank"sv, "http://example.com/foo%"sv, r_percent},
    {"about:blank"sv, "http://example.com/foo%2"sv, r_percent},
    {"about:blank"sv, "http://example.com/foo%2zbar"sv, r_percent},
    {"about:blank"sv, "http://example.com/foo%2\xC3\x82\xC2\xA9zbar"sv, r_percent},
    {"about:blank"sv, "http://example.org/test?%GH"sv, r_percent},
    {"about:blank"sv, "http://example.org/test?a#%GH"sv, r_percent},
    {"about:blank"sv, "wss:// !\"$%&'()*+,-.;<=>@[]^_`{|}~@host/"sv, r_percent},
    {"about:blank"sv, "wss://joe: !\"$%&'()*+,-.:;<=>@[]^_`{|}~@host/"sv, r_percent},
    {"about:blank"sv, "wss://host/ !\"$%&'()*+,-./:;<=>@[\\]^_`{|}~"sv, r_percent},
    {"about:blank"sv, "wss://host/dir/? !\"$%&'()*+,-./:;<=>?@[\\]^_`{|}~"sv, r_percent},
    {"about:blank"sv, "wss://host/dir/# !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"sv, r_percent},
    // puny
    {"about:blank"sv, "http://a.b.c.xn--pokxncvks"sv, r_puny},
    {"about:blank"sv, "http://10.0.0.xn--pokxncvks"sv, r_puny},
    {"about:blank"sv, "http://a.b.c.XN--pokxncvks"sv, r_puny},
    {"about:blank"sv, "http://a.b.c.Xn--pokxncvks"sv, r_puny},
    {"about:blank"sv, "http://10.0.0.XN--pokxncvks"sv, r_puny},
    {"about:blank"sv, "http://10.0.0.xN--pokxncvks"sv, r_puny},
    // about
    {"about:blank"sv, "#x"sv, r_about},
    // file
    {"about:blank"sv, "file://example:1/"sv, r_file},
    {"file:///tmp/mock/path"sv, "file:c:\\foo\\bar.html"sv, r_file},
    {"file:///tmp/mock/path"sv, "  File:c|////foo\\bar.html"sv, r_file},
    {"file:///tmp/mock/path"sv, "C|/foo/bar"sv, r_file},
    {"file:///tmp/mock/path"sv, "/C|\\foo\\bar"sv, r_file},
    {"file:///tmp/mock/path"sv, "//C|/foo/bar"sv, r_file},
    {"file:///C:/"sv, ".."sv, r_file},
    {"file:///C:/a/b"sv, "/"sv, r_file},
    {"file:///C:/a/b"sv, "//d:"sv, r_file},
    {"file:///C:/a/b"sv, "//d:/.."sv, r_file},
    {"file://host/dir/file"sv, "C|a"sv, r_file},
    {"file:///c:/baz/qux"sv, "/c|/foo/bar"sv, r_file},
    {"file://host/"sv, "//C:/"sv, r_file},
    {"file://host/"sv, "file://C:/"sv, r_file},
    {"about:blank"sv, "file:/C|/"sv, r_file},
    {"about:blank"sv, "file://C|/"sv, r_file},
    {"about:blank"sv, "file://xn--/p"sv, r_file},
    // nonspecial
    {"http://example.org/foo/bar"sv, "a:\x09 foo.com"sv, r_nonspecial},
    {"about:blank"sv, "lolscheme:x x#x x"sv, r_nonspecial},
    {"about:blank"sv, "sc://%/"sv, r_nonspecial},
    {"about:blank"sv, "sc://@/"sv, r_nonspecial},
    {"about:blank"sv, "sc://te@s:t@/"sv, r_nonspecial},
    {"about:blank"sv, "sc://:/"sv, r_nonspecial},
    {"about:blank"sv, "sc://:12/"sv, r_nonspecial},
    {"about:blank"sv, "sc:\\../"sv, r_nonspecial},
    {"about:blank"sv, "wow:%NBD"sv, r_nonspecial},
    {"about:blank"sv, "wow:%1G"sv, r_nonspecial},
    {"about:blank"sv, "sc://a\x00" "b/"sv, r_nonspecial},
    {"about:blank"sv, "sc://a b/"sv, r_nonspecial},
    {"about:blank"sv, "sc://a<b"sv, r_nonspecial},
    {"about:blank"sv, "sc://a>b"sv, r_nonspecial},
    {"about:blank"sv, "sc://a\\b/"sv, r_nonspecial},
    {"about:blank"sv, "sc://a^b"sv, r_nonspecial},
    {"about:blank"sv, "sc://a|b/"sv, r_nonspecial},
    {"about:blank"sv, "sc://\x01\x02\x03\x04\x05\x06\x07\x08\x0B\x0C\x0E\x0F\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1A\x1B\x1C\x1D\x1E\x1F\x7F!\"$%&'()*+,-.;=_`{}~/"sv, r_nonspecial},
    {"about:blank"sv, "asdf://%43|/"sv, r_nonspecial},
    {"about:blank"sv, "foo:// !\"$%&'()*+,-.;<=>@[\\]^_`{|}~@host/"sv, r_nonspecial},
    {"about:blank"sv, "foo://joe: !\"$%&'()*+,-.:;<=>@[\\]^_`{|}~@host/"sv, r_nonspecial},
    {"about:blank"sv, "foo://!\"$%&'()*+,-.;=_`{}~/"sv, r_nonspecial},
    {"about:blank"sv, "foo://host/ !\"$%&'()*+,-./:;<=>@[\\]^_`{|}~"sv, r_nonspecial},
    {"about:blank"sv, "foo://host/dir/? !\"$%&'()*+,-./:;<=>?@[\\]^_`{|}~"sv, r_nonspecial},
    {"about:blank"sv, "foo://host/dir/# !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"sv, r_nonspecial},
};

} // namespace weft::test
