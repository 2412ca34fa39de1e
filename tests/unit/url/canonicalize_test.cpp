#include <weft/url/canonicalize.hpp>

#include <catch2/catch.hpp>

using weft::url::canonical_options;
using weft::url::canonicalize;

TEST_CASE("canonicalize normalizes case, port, path, encoding and fragment", "[url][canonicalize]")
{
    struct
    {
        char const* in;
        char const* out;
    } const cases[] = {
        {"HTTP://WWW.Example.COM/a", "http://www.example.com/a"},
        {"http://example.com", "http://example.com/"},
        {"http://example.com:80/", "http://example.com/"},
        {"https://example.com:443/x", "https://example.com/x"},
        {"https://example.com:8443/x", "https://example.com:8443/x"},
        {"http://example.com/a/./b/../c", "http://example.com/a/c"},
        {"http://example.com/../../a", "http://example.com/a"},
        {"http://example.com/%7euser/%41%62c", "http://example.com/~user/Abc"},
        {"http://example.com/a%2fb", "http://example.com/a%2Fb"},
        {"http://example.com/a%2Fb%3a", "http://example.com/a%2Fb%3A"},
        {"http://example.com/?q=%7e%2f", "http://example.com/?q=~%2F"},
        {"http://example.com/page#section", "http://example.com/page"},
        {"http://example.com/page?#", "http://example.com/page"},
        {"http://example.com/%41?", "http://example.com/A"},   // empty query with percent-encoding
        {"file:///x?#", "file:///x"},                          // and in a non-http scheme
        {"http://example.com/a b", "http://example.com/a%20b"},
        {"http://Ex%41mple.com/", "http://example.com/"},
        {"http://b\xc3\xbc"
         "cher.de/",
         "http://xn--bcher-kva.de/"},
        {"HTTP://user:Pass@Example.com:8080/P?Q=1#f", "http://user:Pass@example.com:8080/P?Q=1"},
        {"file:///usr/share/doc/x.html#top", "file:///usr/share/doc/x.html"},
        {"http://example.com/?b=2&a=1", "http://example.com/?b=2&a=1"},
    };
    for (auto const& c : cases)
    {
        INFO(c.in);
        auto r = canonicalize(c.in);
        REQUIRE(r.has_value());
        CHECK(*r == c.out);
    }
}

TEST_CASE("canonicalize sorts query parameters stably on request", "[url][canonicalize]")
{
    canonical_options o;
    o.sort_query = true;
    CHECK(canonicalize("http://e.com/?b=2&a=1&c=3", o).value() == "http://e.com/?a=1&b=2&c=3");
    CHECK(canonicalize("http://e.com/?b=2&a=9&b=1&a=1", o).value() == "http://e.com/?a=9&a=1&b=2&b=1");
    CHECK(canonicalize("http://e.com/?b&&a", o).value() == "http://e.com/?a&b");
    CHECK(canonicalize("http://e.com/?%7a=1&y=2", o).value() == "http://e.com/?y=2&z=1");
}

TEST_CASE("canonicalize strips tracking parameters on request", "[url][canonicalize]")
{
    canonical_options o;
    o.strip_tracking = true;
    CHECK(canonicalize("http://e.com/p?utm_source=x&id=5&utm_medium=y", o).value() == "http://e.com/p?id=5");
    CHECK(canonicalize("http://e.com/p?gclid=1&fbclid=2&mc_cid=3&mc_eid=4", o).value() == "http://e.com/p");
    CHECK(canonicalize("http://e.com/p?UTM_Campaign=1&keep=utm_source", o).value() == "http://e.com/p?keep=utm_source");
    CHECK(canonicalize("http://e.com/p?utm_source=x", canonical_options{}).value() == "http://e.com/p?utm_source=x");
    o.sort_query = true;
    CHECK(canonicalize("http://e.com/p?z=1&utm_term=t&a=2#x", o).value() == "http://e.com/p?a=2&z=1");
}

TEST_CASE("canonicalize fails on what does not parse as an absolute URL", "[url][canonicalize]")
{
    CHECK(canonicalize("").has_error());
    CHECK(canonicalize("/relative").has_error());
    CHECK(canonicalize("http://").has_error());
    CHECK(canonicalize("http://exa mple.com").has_error());
}

TEST_CASE("canonicalize is idempotent", "[url][canonicalize]")
{
    canonical_options o;
    o.sort_query = true;
    o.strip_tracking = true;
    for (auto u : {"HTTP://A.com:80/%7e/./x/../y?b=%2f&a=1&utm_x=2#f", "http://xn--bcher-kva.de/a%20b",
                   "file:///a/b/../c", "mailto:Someone@Example.com"})
    {
        auto once = canonicalize(u, o).value();
        CHECK(canonicalize(once, o).value() == once);
    }
}

TEST_CASE("is_tracking_parameter knows the usual trackers", "[url][canonicalize]")
{
    for (auto p : {"utm_source", "utm_medium", "UTM_CONTENT", "gclid", "fbclid", "mc_cid", "mc_eid", "msclkid"})
        CHECK(weft::url::is_tracking_parameter(p));
    for (auto p : {"id", "q", "page", "utm", "source"})
        CHECK_FALSE(weft::url::is_tracking_parameter(p));
}
