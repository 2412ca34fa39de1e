#include <weft/url/idna.hpp>

#include <catch2/catch.hpp>

TEST_CASE("punycode_encode matches RFC 3492's samples", "[url][idna]")
{
    // RFC 3492 7.1 (B) Chinese (simplified) and (L) Japanese with ASCII.
    std::u32string chinese = {0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48, 0x4E0D, 0x8BF4, 0x4E2D, 0x6587};
    CHECK(weft::url::punycode_encode(chinese).value() == "ihqwcrb4cv8a8dqg056pqjye");
    std::u32string mixed = {'3', 0x5E74, 'B', 0x7D44, 0x91D1, 0x516B, 0x5148, 0x751F};
    CHECK(weft::url::punycode_encode(mixed).value() == "3B-ww4c5e180e575a65lsy2b");
    CHECK(weft::url::punycode_encode(U"b\u00FCcher").value() == "bcher-kva");
    CHECK(weft::url::punycode_encode(U"abc").value() == "abc-");
}

TEST_CASE("punycode_decode inverts punycode_encode", "[url][idna]")
{
    CHECK(weft::url::punycode_decode("bcher-kva").value() == U"b\u00FCcher");
    CHECK(weft::url::punycode_decode("ihqwcrb4cv8a8dqg056pqjye").value() ==
          std::u32string{0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48, 0x4E0D, 0x8BF4, 0x4E2D, 0x6587});
    CHECK(weft::url::punycode_decode("99999999999").has_error());
    CHECK(weft::url::punycode_decode("a-!").has_error());
}

TEST_CASE("domain_to_ascii lower-cases and converts non-ASCII labels", "[url][idna]")
{
    CHECK(weft::url::domain_to_ascii("WWW.Example.COM").value() == "www.example.com");
    CHECK(weft::url::domain_to_ascii("B\xc3\x9c"
                                     "CHER.de")
              .value() == "xn--bcher-kva.de");
    CHECK(weft::url::domain_to_ascii("\xe4\xbe\x8b\xe3\x81\x88.jp").value() == "xn--r8jz45g.jp");
    CHECK(weft::url::domain_to_ascii("\xce\x95\xce\xbb\xce\xbb\xce\xac\xce\xb4\xce\xb1.gr").has_value());
    CHECK(weft::url::domain_to_ascii("bad\xff.com").has_error());
}
