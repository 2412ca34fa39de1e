#include <weft/engine/fingerprint.hpp>

#include <weft/http/request.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <string>

using weft::engine::fingerprint;
using weft::engine::make_fingerprint;

TEST_CASE("siphash128 matches the reference test vectors", "[engine][fingerprint]")
{
    // Key 00 01 .. 0f; vectors_sip128[0] (empty message) and [1] (message 00) of the reference
    // implementation's vectors.h.
    constexpr std::uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
    auto empty = weft::engine::siphash128(k0, k1, "");
    CHECK(empty.hi == 0xe6a825ba047f81a3ULL);
    CHECK(empty.lo == 0x930255c71472f66dULL);
}

TEST_CASE("fingerprints ignore what canonicalization removes and keep what matters", "[engine][fingerprint]")
{
    auto a = make_fingerprint("GET", "HTTP://Example.COM:80/a/./b?x=1#frag", "");
    auto b = make_fingerprint("get", "http://example.com/a/b?x=1", "");
    CHECK(a == b);
    CHECK(a != make_fingerprint("POST", "http://example.com/a/b?x=1", ""));
    CHECK(a != make_fingerprint("GET", "http://example.com/a/b?x=2", ""));
    CHECK(a != make_fingerprint("GET", "http://example.com/a/b?x=1", "body"));
    // Field boundaries are length-prefixed: moving bytes between fields changes the hash.
    CHECK(make_fingerprint("GE", "Thttp://a.b/", "") != make_fingerprint("GET", "http://a.b/", ""));

    weft::engine::fingerprint_options sorted;
    sorted.canonical.sort_query = true;
    CHECK(make_fingerprint("GET", "http://a.b/?y=2&x=1", "", sorted) ==
          make_fingerprint("GET", "http://a.b/?x=1&y=2", "", sorted));
    CHECK(make_fingerprint("GET", "http://a.b/?y=2&x=1", "") != make_fingerprint("GET", "http://a.b/?x=1&y=2", ""));
    // A URL that does not parse is still fingerprinted, verbatim.
    CHECK(make_fingerprint("GET", "not a url", "") == make_fingerprint("GET", "not a url", ""));
}

TEST_CASE("fingerprints include opt-in headers only", "[engine][fingerprint]")
{
    weft::http::request en{"https://a.b/page"};
    en.header("Accept-Language", "en");
    weft::http::request fr{"https://a.b/page"};
    fr.header("Accept-Language", "fr");
    weft::http::request none{"https://a.b/page"};
    CHECK(make_fingerprint(en) == make_fingerprint(fr));

    weft::engine::fingerprint_options opts;
    opts.headers = {"accept-language"};
    CHECK(make_fingerprint(en, opts) != make_fingerprint(fr, opts));
    CHECK(make_fingerprint(en, opts) != make_fingerprint(none, opts));
    CHECK(make_fingerprint(none, opts) != make_fingerprint(none));
}

TEST_CASE("fingerprints print and parse as 32 hex digits", "[engine][fingerprint]")
{
    auto fp = weft::engine::hash128("x");
    auto hex = fp.to_hex();
    CHECK(hex.size() == 32);
    fingerprint back;
    REQUIRE(fingerprint::from_hex(hex, back));
    CHECK(back == fp);
    CHECK_FALSE(fingerprint::from_hex("xyz", back));
    CHECK(fingerprint{0x0123456789abcdefULL, 0xfedcba9876543210ULL}.to_hex() == "0123456789abcdeffedcba9876543210");
}

TEST_CASE("fingerprints of distinct URLs do not collide", "[engine][fingerprint]")
{
    std::set<fingerprint> seen;
    for (int i = 0; i < 100000; ++i)
        seen.insert(make_fingerprint("GET", "https://example.com/item/" + std::to_string(i), ""));
    CHECK(seen.size() == 100000);
}
