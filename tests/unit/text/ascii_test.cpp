#include <weft/text/ascii.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace text = weft::text;

TEST_CASE("only A-Z and a-z change case; other bytes, UTF-8 included, pass through", "[text][ascii]")
{
    CHECK(text::lower_copy("Content-TYPE: Text/HTML") == "content-type: text/html");
    CHECK(text::lower_copy("\xC3\x89T\xC3\xA9") == "\xC3\x89t\xC3\xA9"); // "ÉTé": only the T changes
    CHECK(text::to_upper('q') == 'Q');
    CHECK(text::to_upper('@') == '@');
    CHECK(text::to_lower('[') == '['); // just past 'Z'
    std::string host = "WWW.Example.ORG";
    host = text::to_lower(std::move(host));
    CHECK(host == "www.example.org");
    static_assert(text::to_lower('A') == 'a' && text::to_lower('@') == '@');
}

TEST_CASE("iequals and istarts_with ignore ASCII case only", "[text][ascii]")
{
    CHECK(text::iequals("Set-Cookie", "set-COOKIE"));
    CHECK_FALSE(text::iequals("Set-Cookie", "Set-Cookie2"));
    CHECK_FALSE(text::iequals("\xC3\x89", "\xC3\xA9")); // É and é are not ASCII
    CHECK(text::iequals("", ""));
    CHECK(text::istarts_with("HTTPS://example.org", "https:"));
    CHECK_FALSE(text::istarts_with("http", "https"));
    static_assert(text::iequals("ABC", "abc") && text::istarts_with("Robots.txt", "ROBOTS"));
}

TEST_CASE("the HTTP, HTML and C whitespace sets differ as their formats do", "[text][ascii]")
{
    CHECK(text::is_http_space(' '));
    CHECK(text::is_http_space('\t'));
    CHECK_FALSE(text::is_http_space('\n'));
    CHECK(text::is_html_space('\f'));
    CHECK(text::is_html_space('\r'));
    CHECK_FALSE(text::is_html_space('\v')); // not HTML whitespace
    CHECK(text::is_c_space('\v'));
    CHECK_FALSE(text::is_c_space('\0'));
    CHECK_FALSE(text::is_c_space('\xA0')); // no-break space is no ASCII whitespace
}

TEST_CASE("trim removes only the whitespace of the set it is given", "[text][ascii]")
{
    CHECK(text::trim(" \t gzip\t ", text::is_http_space) == "gzip");
    CHECK(text::trim("\n gzip", text::is_http_space) == "\n gzip");
    CHECK(text::trim("\v\r\n x \f", text::is_c_space) == "x");
    CHECK(text::trim(" \t ", text::is_http_space).empty());
    static_assert(text::trim("  a b  ", text::is_http_space) == "a b");
}

TEST_CASE("hex digits of either case have their values", "[text][ascii]")
{
    CHECK(text::is_hex_digit('0'));
    CHECK(text::is_hex_digit('f'));
    CHECK(text::is_hex_digit('F'));
    CHECK_FALSE(text::is_hex_digit('g'));
    CHECK_FALSE(text::is_hex_digit('G'));
    CHECK_FALSE(text::is_hex_digit('/')); // just before '0'
    CHECK_FALSE(text::is_hex_digit('`')); // just before 'a'
    CHECK(text::hex_value('9') == 9);
    CHECK(text::hex_value('a') == 10);
    CHECK(text::hex_value('F') == 15);
    static_assert(text::hex_value('C') == 12 && text::is_digit('7') && !text::is_digit('a'));
}
