#include <weft/url/domain.hpp>

#include <catch2/catch.hpp>

TEST_CASE("registered_domain returns eTLD+1 from the public suffix list", "[url][domain]")
{
    struct
    {
        char const* host;
        char const* expected; // nullptr: none
    } const cases[] = {
        {"a.b.example.co.uk", "example.co.uk"},
        {"example.co.uk", "example.co.uk"},
        {"www.example.com", "example.com"},
        {"WWW.EXAMPLE.COM", "example.com"},
        {"www.example.com.", "example.com"},
        {"example.com", "example.com"},
        {"foo.bar.example.org", "example.org"},
        {"user.github.io", "user.github.io"},
        {"a.user.github.io", "user.github.io"},
        {"shop.example.com.au", "example.com.au"},
        {"www.b\xc3\xbc"
         "cher.de",
         "xn--bcher-kva.de"},
        {"co.uk", nullptr},
        {"com", nullptr},
        {"github.io", nullptr},
        {"127.0.0.1", nullptr},
        {"[::1]", nullptr},
        {"", nullptr},
    };
    for (auto const& c : cases)
    {
        INFO(c.host);
        auto r = weft::url::registered_domain(c.host);
        if (c.expected)
        {
            REQUIRE(r.has_value());
            CHECK(*r == c.expected);
        }
        else
            CHECK_FALSE(r.has_value());
    }
}

TEST_CASE("public_suffix returns the longest public suffix", "[url][domain]")
{
    CHECK(weft::url::public_suffix("a.b.example.co.uk").value() == "co.uk");
    CHECK(weft::url::public_suffix("www.example.com").value() == "com");
}

TEST_CASE("host_of returns the normalized host", "[url][domain]")
{
    CHECK(weft::url::host_of("HTTP://WWW.Example.COM:8080/x?y").value() == "www.example.com");
    CHECK(weft::url::host_of("http://0x7f.1/").value() == "127.0.0.1");
    CHECK(weft::url::host_of("https://b\xc3\xbc"
                             "cher.de/")
              .value() == "xn--bcher-kva.de");
    CHECK(weft::url::host_of("http://[::1]:80/").value() == "[::1]");
    CHECK(weft::url::host_of("mailto:a@b.c").has_error());
    CHECK(weft::url::host_of("not a url").has_error());
    CHECK(weft::url::host_of("file:///etc/passwd").has_error());
}
