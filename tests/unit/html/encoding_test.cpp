#include <weft/html/encoding.hpp>

#include <weft/html/document.hpp>

#include <catch2/catch.hpp>

#include <string>

using weft::html::detect_encoding;
using weft::html::document;
using weft::html::encoding_for_label;
using weft::html::to_utf8;

TEST_CASE("labels map as the WHATWG Encoding standard says", "[html][encoding]")
{
    CHECK(encoding_for_label("latin1") == "windows-1252");
    CHECK(encoding_for_label("ISO-8859-1") == "windows-1252");
    CHECK(encoding_for_label("us-ascii") == "windows-1252");
    CHECK(encoding_for_label("ascii") == "windows-1252");
    CHECK(encoding_for_label(" utf8\t") == "UTF-8");
    CHECK(encoding_for_label("UTF-8") == "UTF-8");
    CHECK(encoding_for_label("unicode-1-1-utf-8") == "UTF-8");
    CHECK(encoding_for_label("iso-8859-9") == "windows-1254");
    CHECK(encoding_for_label("gb2312") == "GBK");
    CHECK(encoding_for_label("sjis") == "Shift_JIS");
    CHECK(encoding_for_label("utf-16") == "UTF-16LE");
    CHECK(encoding_for_label("iso-2022-kr") == "replacement");
    CHECK_FALSE(encoding_for_label("utf-7").has_value());
    CHECK_FALSE(encoding_for_label("").has_value());
    CHECK_FALSE(encoding_for_label("bogus").has_value());
}

TEST_CASE("windows-1252 bytes 0x80-0x9F decode per the WHATWG index", "[html][encoding]")
{
    auto const doc = document::parse("<p>\x93quoted\x94 \x80 \x85</p>");
    CHECK(doc.encoding() == "windows-1252");
    CHECK(doc.text("p") == "\xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x82\xAC \xE2\x80\xA6");
    // undefined bytes map to the C1 control of the same value (gumbo later turns C1 controls in
    // text into U+FFFD, a parse-error recovery)
    CHECK(to_utf8("\x81\x8D\x8F\x90\x9D", "windows-1252").value() == "\xC2\x81\xC2\x8D\xC2\x8F\xC2\x90\xC2\x9D");
}

TEST_CASE("a Latin-1 page comes out as UTF-8", "[html][encoding]")
{
    std::string_view const bytes = "<p>caf\xE9 na\xEFve \xA0!</p>";
    auto const doc = document::parse(bytes, "ISO-8859-1");
    CHECK(doc.text("p") == "caf\xC3\xA9 na\xC3\xAFve \xC2\xA0!");
    CHECK(document::parse(bytes, "text/html; charset=\"latin1\"").text("p") == doc.text("p"));
}

TEST_CASE("a BOM wins over everything", "[html][encoding]")
{
    std::string_view const utf8 = "\xEF\xBB\xBF<meta charset=windows-1251><p>\xC3\xA9</p>";
    CHECK(detect_encoding(utf8, "windows-1252") == "UTF-8");
    auto const doc = document::parse(utf8, "windows-1252");
    CHECK(doc.text("p") == "\xC3\xA9");
    CHECK(doc.source().substr(0, 1) == "<");

    std::string utf16le("\xFF\xFE", 2);
    auto ascii = [&](std::string_view s)
    {
        for (char c : s)
            utf16le += std::string{c, '\0'};
    };
    ascii("<p>x");
    utf16le += std::string("\xE9\x00\x3D\xD8\x00\xDE", 6); // U+00E9, then U+1F600 as a surrogate pair
    ascii("</p>");
    CHECK(detect_encoding(utf16le) == "UTF-16LE");
    auto const d16 = document::parse(utf16le, "utf-8");
    CHECK(d16.encoding() == "UTF-16LE");
    CHECK(d16.text("p") == "x\xC3\xA9\xF0\x9F\x98\x80");

    CHECK(detect_encoding("\xFE\xFF\x00<") == "UTF-16BE");
    CHECK(to_utf8(std::string_view("\xFE\xFF\x00\x41\xD8\x00", 6), "UTF-16BE").value() == "A\xEF\xBF\xBD");
}

TEST_CASE("the Content-Type charset wins over meta", "[html][encoding]")
{
    std::string_view const bytes = "<meta charset=utf-8><p>\xE9</p>";
    CHECK(detect_encoding(bytes) == "UTF-8");
    CHECK(detect_encoding(bytes, "iso-8859-1") == "windows-1252");
    CHECK(detect_encoding(bytes, "text/html;charset=ISO-8859-2") == "ISO-8859-2");
    // an unknown transport label is ignored
    CHECK(detect_encoding(bytes, "x-bogus") == "UTF-8");
    CHECK(weft::html::detect_encoding_ex(bytes, "latin1").source == weft::html::encoding_source::transport);
}

TEST_CASE("meta charset is honoured only in the first 1024 bytes", "[html][encoding]")
{
    std::string const meta = "<meta charset=\"utf-8\">";
    // 0xE9 alone: invalid UTF-8 (U+FFFD when the meta counts), "é" in windows-1252.
    std::string const body = "<p>\xE9</p>";
    std::string const early = "<html><head>" + std::string(900, ' ') + meta + body;
    std::string const late = "<html><head>" + std::string(1100, ' ') + meta + body;
    CHECK(detect_encoding(early) == "UTF-8");
    CHECK(document::parse(early).text("p") == "\xEF\xBF\xBD");
    CHECK(detect_encoding(late) == "windows-1252");
    CHECK(document::parse(late).text("p") == "\xC3\xA9");
    // a meta that straddles the 1024-byte boundary does not count
    std::string const straddle = std::string(1010, ' ') + meta;
    CHECK(detect_encoding(straddle) == "windows-1252");
}

TEST_CASE("the meta prescan follows the HTML algorithm", "[html][encoding]")
{
    CHECK(detect_encoding("<meta http-equiv=Content-Type content='text/html; charset=koi8-r'>") == "KOI8-R");
    CHECK(detect_encoding("<META HTTP-EQUIV=\"content-type\" CONTENT=\"text/html;charset=Shift_JIS\">") == "Shift_JIS");
    // content without the http-equiv pragma does not count
    CHECK(detect_encoding("<meta content='text/html; charset=koi8-r'>") == "windows-1252");
    // charset inside a comment or an attribute value does not count
    CHECK(detect_encoding("<!-- <meta charset=utf-8> --><p>") == "windows-1252");
    CHECK(detect_encoding("<p title='<meta charset=utf-8>'>") == "windows-1252");
    // UTF-16 in meta means UTF-8; x-user-defined means windows-1252
    CHECK(detect_encoding("<meta charset=utf-16le>") == "UTF-8");
    CHECK(detect_encoding("<meta charset=x-user-defined>") == "windows-1252");
    // unknown label: keep looking
    CHECK(detect_encoding("<meta charset=bogus><meta charset=iso-8859-5>") == "ISO-8859-5");
    CHECK(detect_encoding("<meta/charset=utf8>") == "UTF-8");
    CHECK(detect_encoding("<!doctype html><html lang=en><head><meta charset=UTF-8>") == "UTF-8");
    CHECK(weft::html::detect_encoding_ex("<p>").source == weft::html::encoding_source::fallback);
}

TEST_CASE("invalid UTF-8 becomes U+FFFD, one per maximal subpart", "[html][encoding]")
{
    auto u = [](std::string_view s) { return to_utf8(s, "utf-8").value(); };
    std::string const r = "\xEF\xBF\xBD";
    CHECK(u("a\xFF"
            "b") == "a" + r + "b");
    CHECK(u("\xE2\x82") == r);
    CHECK(u("\xE2\x82"
            "a") == r + "a");
    CHECK(u("\xED\xA0\x80") == r + r + r);
    CHECK(u("\xC0\xAF") == r + r);
    CHECK(u("\xF4\x90\x80\x80") == r + r + r + r);
    CHECK(u("\xF0\x9F\x98\x80") == "\xF0\x9F\x98\x80");
    CHECK(u("\xEF\xBB\xBFx") == "x");
    CHECK(document::from_utf8("<p>a\xFFz</p>").text("p") == "a" + r + "z");
}

TEST_CASE("legacy encodings decode through iconv", "[html][encoding]")
{
    CHECK(to_utf8("\x82\xA0", "shift_jis").value() == "\xE3\x81\x82");
    CHECK(to_utf8("\xC0", "windows-1251").value() == "\xD0\x90");
    CHECK(to_utf8("\xA4", "iso-8859-15").value() == "\xE2\x82\xAC");
    CHECK(to_utf8("\xC4\xE3", "gbk").value() == "\xE4\xBD\xA0");
    // invalid bytes in a multi-byte encoding become U+FFFD, never a crash
    auto const bad = to_utf8("a\x82", "shift_jis");
    REQUIRE(bad.has_value());
    CHECK(bad->rfind("a", 0) == 0);
    CHECK(bad->find("\xEF\xBF\xBD") != std::string::npos);
    CHECK(to_utf8("\x80\xFF", "x-user-defined").value() == "\xEF\x9E\x80\xEF\x9F\xBF");
    CHECK(to_utf8("abc", "iso-2022-kr").value() == "\xEF\xBF\xBD");
}

TEST_CASE("to_utf8 fails with bad_encoding for an unknown label", "[html][encoding]")
{
    auto const r = to_utf8("x", "utf-7");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == weft::error::bad_encoding);
    CHECK(r.error() == weft::condition::parse);
}

TEST_CASE("a page that declares no encoding but is valid UTF-8 is read as UTF-8", "[html][encoding]")
{
    // "café – 日本 😀": two-, three- and four-byte sequences, no BOM, no charset, no meta.
    std::string const page = "<html><body><p>caf\xC3\xA9 \xE2\x80\x93 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80</p>";
    CHECK(detect_encoding(page) == "UTF-8");
    CHECK(weft::html::detect_encoding_ex(page).source == weft::html::encoding_source::content);
    CHECK(document::parse(page).text("p") == "caf\xC3\xA9 \xE2\x80\x93 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80");
    // A body cut inside its last character (max_body_size) is still UTF-8.
    CHECK(detect_encoding(page.substr(0, page.size() - 6)) == "UTF-8");
    // A declaration still wins over detection.
    CHECK(detect_encoding(page, "iso-8859-1") == "windows-1252");
}

TEST_CASE("a page that declares nothing and is not valid UTF-8 falls back to windows-1252", "[html][encoding]")
{
    CHECK(detect_encoding("<p>caf\xE9</p>") == "windows-1252");                 // lone Latin-1 byte
    CHECK(document::parse("<p>caf\xE9</p>").text("p") == "caf\xC3\xA9");
    CHECK(detect_encoding("<p>\xC3\xA9 then \x93quoted\x94</p>") == "windows-1252"); // valid, then not
    CHECK(detect_encoding("<p>\xC0\xAF</p>") == "windows-1252");                // overlong '/'
    CHECK(detect_encoding("<p>\xED\xA0\x80</p>") == "windows-1252");           // a surrogate
    CHECK(detect_encoding("<p>\xF4\x90\x80\x80</p>") == "windows-1252");      // above U+10FFFF
    // Pure ASCII decodes alike either way; it keeps the fallback's name.
    CHECK(weft::html::detect_encoding_ex("<p>plain</p>").source == weft::html::encoding_source::fallback);
}
