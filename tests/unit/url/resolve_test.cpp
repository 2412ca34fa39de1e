#include <weft/url/resolve.hpp>

#include <weft/error.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace
{

struct resolve_case
{
    char const* base;
    char const* input;
    char const* expected; // nullptr: failure
};

// Cases from (or in the spirit of) the WHATWG URL standard's urltestdata.json.
resolve_case const cases[] = {
    // relative resolution (RFC 3986 section 5.4 examples, base http://a/b/c/d;p?q)
    {"http://a/b/c/d;p?q", "g", "http://a/b/c/g"},
    {"http://a/b/c/d;p?q", "./g", "http://a/b/c/g"},
    {"http://a/b/c/d;p?q", "g/", "http://a/b/c/g/"},
    {"http://a/b/c/d;p?q", "/g", "http://a/g"},
    {"http://a/b/c/d;p?q", "//g", "http://g/"},
    {"http://a/b/c/d;p?q", "?y", "http://a/b/c/d;p?y"},
    {"http://a/b/c/d;p?q", "g?y", "http://a/b/c/g?y"},
    {"http://a/b/c/d;p?q", "#s", "http://a/b/c/d;p?q#s"},
    {"http://a/b/c/d;p?q", "g#s", "http://a/b/c/g#s"},
    {"http://a/b/c/d;p?q", "g?y#s", "http://a/b/c/g?y#s"},
    {"http://a/b/c/d;p?q", ";x", "http://a/b/c/;x"},
    {"http://a/b/c/d;p?q", "g;x", "http://a/b/c/g;x"},
    {"http://a/b/c/d;p?q", "", "http://a/b/c/d;p?q"},
    {"http://a/b/c/d;p?q", ".", "http://a/b/c/"},
    {"http://a/b/c/d;p?q", "./", "http://a/b/c/"},
    {"http://a/b/c/d;p?q", "..", "http://a/b/"},
    {"http://a/b/c/d;p?q", "../", "http://a/b/"},
    {"http://a/b/c/d;p?q", "../g", "http://a/b/g"},
    {"http://a/b/c/d;p?q", "../..", "http://a/"},
    {"http://a/b/c/d;p?q", "../../g", "http://a/g"},
    // .. past the root
    {"http://a/b/c/d;p?q", "../../../g", "http://a/g"},
    {"http://a/b/c/d;p?q", "../../../../g", "http://a/g"},
    {"http://a/b/c/d;p?q", "/./g", "http://a/g"},
    {"http://a/b/c/d;p?q", "/../g", "http://a/g"},
    {"http://a/b/c/d;p?q", "g.", "http://a/b/c/g."},
    {"http://a/b/c/d;p?q", ".g", "http://a/b/c/.g"},
    {"http://a/b/c/d;p?q", "g..", "http://a/b/c/g.."},
    {"http://a/b/c/d;p?q", "./../g", "http://a/b/g"},
    {"http://a/b/c/d;p?q", "./g/.", "http://a/b/c/g/"},
    {"http://a/b/c/d;p?q", "g/./h", "http://a/b/c/g/h"},
    {"http://a/b/c/d;p?q", "g/../h", "http://a/b/c/h"},
    {"http://a/b/c/d;p?q", "g;x=1/./y", "http://a/b/c/g;x=1/y"},
    {"http://a/b/c/d;p?q", "g;x=1/../y", "http://a/b/c/y"},
    {"http://a/b/c/d;p?q", "g?y/./x", "http://a/b/c/g?y/./x"},
    {"http://a/b/c/d;p?q", "g#s/../x", "http://a/b/c/g#s/../x"},
    // urltestdata: http: against an http base is relative, against another scheme absolute
    {"http://example.org/foo/bar", "http:foo.com", "http://example.org/foo/foo.com"},
    {"http://example.org/foo/bar", "http:/example.com/", "http://example.org/example.com/"},
    {"https://example.org/foo/bar", "http:/example.com/", "http://example.com/"},
    {"https://example.org/foo/bar", "http:example.com/", "http://example.com/"},
    {"http://example.org/foo/bar", "http://example.com/", "http://example.com/"},
    {"http://example.org/foo/bar", "http:\\\\www.google.com\\foo", "http://www.google.com/foo"},
    {"http://example.org/foo/bar", "http:///example.com/", "http://example.com/"},
    // whitespace: trimmed at the ends, tabs and newlines removed anywhere
    {"http://example.org/foo/bar", "  \t http://example.com/a b  \n", "http://example.com/a%20b"},
    {"http://example.org/foo/bar", "\x01http://example.com/\x1f", "http://example.com/"},
    {"http://example.org/foo/bar", "h\tt\nt\rp://h\to\ns\rt:9\t0\n0\r/", "http://host:900/"},
    {"http://example.org/foo/bar", "  foo.html", "http://example.org/foo/foo.html"},
    {"http://example.org/foo/bar", "foo bar.html", "http://example.org/foo/foo%20bar.html"},
    {"http://example.org/foo/bar", "?a b", "http://example.org/foo/bar?a%20b"},
    {"http://example.org/foo/bar", "#a b", "http://example.org/foo/bar#a%20b"},
    // backslashes in special schemes
    {"http://example.org/foo/bar", "\\x", "http://example.org/x"},
    {"http://example.org/foo/bar", "\\\\server\\file", "http://server/file"},
    {"http://example.org/foo/bar", "a\\b\\c", "http://example.org/foo/a/b/c"},
    {"http://example.org/foo/bar", "/a?x=\\y", "http://example.org/a?x=%5Cy"},
    {"http://example.org/foo/bar", "///server/x", "http://server/x"},
    // scheme-relative
    {"https://example.org/foo/bar", "//other.example/x", "https://other.example/x"},
    {"https://example.org/foo/bar", "//other.example", "https://other.example/"},
    {"https://example.org/foo/bar", "//OTHER.Example:443/x", "https://other.example/x"},
    // ports
    {"http://example.org/", "http://f:21/b?d#e", "http://f:21/b?d#e"},
    {"http://example.org/", "http://f:80/c", "http://f/c"},
    {"http://example.org/", "https://f:443/c", "https://f/c"},
    {"http://example.org/", "https://f:80/c", "https://f:80/c"},
    {"http://example.org/", "http://f:00000000000000000000080/c", "http://f/c"},
    {"http://example.org/", "http://f:0/c", "http://f:0/c"},
    {"http://example.org/", "http://f:/c", "http://f/c"},
    {"http://example.org/", "http://f:65535/c", "http://f:65535/c"},
    {"http://example.org/", "http://f:65536/c", nullptr},
    {"http://example.org/", "http://f:b/c", nullptr},
    {"http://example.org/", "ws://f:80/c", "ws://f/c"},
    {"http://example.org/", "wss://f:443/c", "wss://f/c"},
    {"http://example.org/", "ftp://f:21/c", "ftp://f/c"},
    {"http://example.org/", "foo://f:80/c", "foo://f:80/c"},
    // case
    {"http://example.org/", "HTTP://EXAMPLE.COM/PATH", "http://example.com/PATH"},
    {"http://example.org/", "HtTpS://ExAmPlE.cOm/?Q#F", "https://example.com/?Q#F"},
    // percent-encoding, non-ASCII
    // Deliberate difference: WHATWG keeps a lone '%' raw ("foo%2%C3%82"); RFC 3986 forbids it, so it is encoded.
    {"http://example.org/", "http://example.com/foo%2Â©zbar", "http://example.com/foo%252%C3%82%C2%A9zbar"},
    {"http://example.org/", "http://example.com/\xe4\xbd\xa0\xe5\xa5\xbd", "http://example.com/%E4%BD%A0%E5%A5%BD"},
    {"http://example.org/", "http://example.com/foo%41%7a", "http://example.com/foo%41%7a"},
    {"http://example.org/", "http://example.com/?q=\xc3\xa9", "http://example.com/?q=%C3%A9"},
    {"http://example.org/", "http://example.com/#\xc3\xa9", "http://example.com/#%C3%A9"},
    {"http://example.org/", "http://example.com/\"quoted\"", "http://example.com/%22quoted%22"},
    {"http://example.org/", "http://example.com/<a>", "http://example.com/%3Ca%3E"},
    {"http://example.org/", "http://example.com/?'x'", "http://example.com/?%27x%27"},
    {"http://example.org/", "http://example.com/a#b#c", "http://example.com/a#b%23c"},
    // dot segments, encoded or not
    {"http://example.org/", "http://example.com/foo/..", "http://example.com/"},
    {"http://example.org/", "http://example.com/foo/.", "http://example.com/foo/"},
    {"http://example.org/", "http://example.com/foo/%2e", "http://example.com/foo/"},
    {"http://example.org/", "http://example.com/foo/%2e%2", "http://example.com/foo/%2e%252"},
    {"http://example.org/", "http://example.com/foo/%2E%2e/bar", "http://example.com/bar"},
    {"http://example.org/", "http://example.com/foo/bar/..", "http://example.com/foo/"},
    {"http://example.org/", "http://example.com/////../..", "http://example.com///"},
    {"http://example.org/", "http://example.com/foo/../../..", "http://example.com/"},
    {"http://example.org/", "http://example.com/foo/bar//../..", "http://example.com/foo/"},
    // hosts: IDN, percent-encoded, IPv4 forms, forbidden code points
    {"http://example.org/", "http://\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xbd\xa0\xe5\xa5\xbd/", "http://xn--6qqa088eba/"},
    {"http://example.org/",
     "http://B\xc3\xbc"
     "cher.example/",
     "http://xn--bcher-kva.example/"},
    {"http://example.org/", "http://M\xc3\x9cNCHEN.de/", "http://xn--mnchen-3ya.de/"},
    {"http://example.org/", "http://\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84/",
     "http://xn--e1afmkfd.xn--p1ai/"},
    {"http://example.org/",
     "http://www\xe3\x80\x82"
     "example\xe3\x80\x82"
     "com/",
     "http://www.example.com/"},
    {"http://example.org/", "http://%77%77%77.example.com/", "http://www.example.com/"},
    {"http://example.org/", "http://ex%41mple.com/", "http://example.com/"},
    {"http://example.org/", "http://192.168.0.1/", "http://192.168.0.1/"},
    {"http://example.org/", "http://0x7f.1/", "http://127.0.0.1/"},
    {"http://example.org/", "http://0Xc0.0250.01/", "http://192.168.0.1/"},
    {"http://example.org/", "http://4294967295/", "http://255.255.255.255/"},
    {"http://example.org/", "http://4294967296/", nullptr},
    {"http://example.org/", "http://256.0.0.1/", nullptr},
    {"http://example.org/", "http://1.2.3.4.5/", nullptr},
    {"http://example.org/", "http://example.com./", "http://example.com./"},
    {"http://example.org/", "http://[::1]/", "http://[::1]/"},
    {"http://example.org/", "http://[::1]:8080/", "http://[::1]:8080/"},
    {"http://example.org/", "http://[FE80::1]/", "http://[fe80::1]/"},
    {"http://example.org/", "http://ex ample.com/", nullptr},
    {"http://example.org/", "http://ex%20ample.com/", nullptr},
    {"http://example.org/", "http://ex<ample.com/", nullptr},
    {"http://example.org/", "http://exa%mple.com/", nullptr},
    {"http://example.org/", "http://[1::2/", nullptr},
    {"http://example.org/", "http://", nullptr},
    {"http://example.org/", "http:///", nullptr},
    {"http://example.org/", "https://", nullptr},
    {"http://example.org/", "http://:80/", nullptr},
    // userinfo
    {"http://example.org/", "http://user:pass@host/", "http://user:pass@host/"},
    {"http://example.org/", "http://@host/", "http://host/"},
    {"http://example.org/", "http://user:@host/", "http://user@host/"},
    {"http://example.org/", "http://a@b@host/", "http://a%40b@host/"},
    // other schemes
    {"http://example.org/", "mailto:user@example.com", "mailto:user@example.com"},
    {"http://example.org/", "javascript:void(0)", "javascript:void(0)"},
    {"http://example.org/", "data:text/plain,hello", "data:text/plain,hello"},
    {"http://example.org/", "urn:isbn:0451450523", "urn:isbn:0451450523"},
    {"http://example.org/", "foo://host/a/../b", "foo://host/b"},
    {"mailto:a@b", "#frag", "mailto:a@b#frag"},
    {"mailto:a@b", "other", nullptr},
    {"about:blank", "foo", nullptr},
    // file
    {"file:///usr/share/doc/index.html", "library/os.html", "file:///usr/share/doc/library/os.html"},
    {"file:///usr/share/doc/index.html", "../x", "file:///usr/share/x"},
    {"file:///usr/share/doc/index.html", "/etc/passwd", "file:///etc/passwd"},
    {"file:///usr/share/doc/index.html", "#top", "file:///usr/share/doc/index.html#top"},
    {"http://example.org/", "file:///tmp/x", "file:///tmp/x"},
    {"http://example.org/", "file://localhost/tmp/x", "file:///tmp/x"},
    // odd relative references
    {"http://example.org/dir/", "1:x", "http://example.org/dir/1:x"},
    {"http://example.org/dir/", "a:b:c", "a:b:c"},
    {"http://example.org/dir/", "?", "http://example.org/dir/?"},
    {"http://example.org/dir/", "#", "http://example.org/dir/#"},
    {"http://example.org/dir/file?x#y", "", "http://example.org/dir/file?x"},
    {"http://example.org", "x", "http://example.org/x"},
};

} // namespace

TEST_CASE("resolve follows the WHATWG URL standard's test data", "[url][resolve]")
{
    for (auto const& c : cases)
    {
        INFO("base: " << c.base << "  input: " << c.input);
        auto r = weft::url::resolve(c.base, c.input);
        if (c.expected)
        {
            REQUIRE(r.has_value());
            CHECK(*r == c.expected);
        }
        else
        {
            if (r)
                INFO("got: " << *r);
            CHECK(r.has_error());
            if (r.has_error())
                CHECK(r.error() == weft::error::bad_url);
        }
    }
}

TEST_CASE("the fast paths give what the general parser gives", "[url][resolve]")
{
    // resolve() answers plain references (no '%', spaces, backslashes...) and URLs already in
    // normal form without the general parser. A leading space is trimmed by the URL standard but
    // keeps the fast paths out, so " " + input must always give the same answer as input.
    std::vector<std::string> inputs = {
        "c.html", "../c", "./c", "..", ".", "", "?", "#", "?a=b#c", "#frag?x", "/abs/path", "/abs/../x",
        "a/b/../../..", "../../../../x", "g;x=1/../y", "a:b", "./a:b", "a/b:c", "/a:b", "//other/x",
        "http://Other.COM/x", "http://x.com:80/y", "https://x.com:0443/", "https://x.com:8443/", "http://x.com:/",
        "http://1.2.3.4/", "http://1.2.3/", "http://01.2.3.4/", "http://256.1.1.1/", "http://1.2.3.4.5/",
        "http://0x7f.1/", "http://com.1a/", "http://x..com/", "http://x.com./", "http://.x.com/", "http://a_b-c.d/",
        "HTTP://x.com/", "https://x.com:65535/", "https://x.com:65536/", "https://x.com:99999/",
        "http://x.com:8080/a/./b", "http://x.com/a/..", "http://x.com", "http://x.com?q", "http://x.com#f",
        "x?y'z", "x#y'z", "x?y#z#w", "x?y?z", "a%20b", "a%2e%2E/b", "a b", "a\\b", "@x", "a@b", "~user/x",
        "x!$&()*+,;=", "http://[::1]/x", "http://u:p@x.com/", "mailto:a@b", "file:///etc/x", "x/./y/../z/"};
    std::vector<std::string> bases = {"http://example.com/a/b/c.html?q=1#f", "https://127.0.0.1:8443/x/",
                                      "http://h/", "https://u:p@h.example/d/f?x", "http://example.org",
                                      "file:///tmp/x/y", "ftp://h/d/f", "mailto:a@b", "http://a{b/c",
                                      "ftp:{p:/.", "http://[::1]:8080/d/"};
    for (auto const& c : cases)
    {
        inputs.emplace_back(c.input);
        bases.emplace_back(c.base);
        if (c.expected)
            inputs.emplace_back(c.expected);
    }
    for (auto const& input : inputs)
    {
        INFO("input: " << input);
        auto fast = weft::url::parse(input);
        auto general = weft::url::parse(" " + input);
        REQUIRE(fast.has_value() == general.has_value());
        if (fast)
            CHECK(*fast == *general);
        for (auto const& base : bases)
        {
            INFO("base: " << base);
            auto r = weft::url::resolve(base, input);
            auto g = weft::url::resolve(base, " " + input);
            REQUIRE(r.has_value() == g.has_value());
            if (r)
                CHECK(*r == *g);
        }
    }
}

TEST_CASE("resolve without a base needs an absolute URL", "[url][resolve]")
{
    CHECK(weft::url::resolve("", "relative/path").has_error());
    CHECK(weft::url::resolve("", "//host/x").has_error());
    CHECK(weft::url::parse("HTTP://Example.COM").value() == "http://example.com/");
    CHECK(weft::url::parse("http:example.com").value() == "http://example.com/");
}

TEST_CASE("resolve rejects a base that does not parse", "[url][resolve]")
{
    CHECK(weft::url::resolve("not a url", "x").has_error());
    CHECK(weft::url::resolve("http://exa mple.com/", "x").has_error());
}

TEST_CASE("resolve normalizes the base the same way", "[url][resolve]")
{
    CHECK(weft::url::resolve("HTTP://EXAMPLE.com:80/a/./b/../c", "d").value() == "http://example.com/a/d");
    CHECK(weft::url::resolve("http://example.com/a b/c", "d").value() == "http://example.com/a%20b/d");
}

TEST_CASE("is_special_scheme knows the six special schemes", "[url][resolve]")
{
    for (auto s : {"http", "HTTPS", "ws", "wss", "ftp", "file"})
        CHECK(weft::url::is_special_scheme(s));
    for (auto s : {"mailto", "data", "javascript", "gopher", ""})
        CHECK_FALSE(weft::url::is_special_scheme(s));
}
