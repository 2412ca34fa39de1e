#include <weft/http/headers.hpp>

#include <catch2/catch.hpp>

using weft::http::headers;

TEST_CASE("headers look names up case-insensitively and keep their order", "[http][headers]")
{
    headers h;
    h.add("Content-Type", "text/html").add("Set-Cookie", "a=1").add("set-cookie", "b=2");
    CHECK(h.size() == 3);
    CHECK(h.get("content-type") == "text/html");
    CHECK(h.get("CONTENT-TYPE") == "text/html");
    CHECK(h.contains("Set-Cookie"));
    CHECK_FALSE(h.contains("Location"));
    CHECK_FALSE(h.get("Location").has_value());
    auto cookies = h.get_all("SET-COOKIE");
    REQUIRE(cookies.size() == 2);
    CHECK(cookies[0] == "a=1");
    CHECK(cookies[1] == "b=2");
    CHECK(h.begin()->first == "Content-Type");
}

TEST_CASE("headers::set replaces every field of that name with one", "[http][headers]")
{
    headers h;
    h.add("X-A", "1").add("x-a", "2").add("X-B", "3");
    h.set("X-a", "4");
    CHECK(h.get_all("x-a") == std::vector<std::string_view>{"4"});
    CHECK(h.size() == 2);
    CHECK(h.get("X-B") == "3");
}

TEST_CASE("headers::remove removes every field of that name and counts them", "[http][headers]")
{
    headers h;
    h.add("X-A", "1").add("x-a", "2").add("X-B", "3");
    CHECK(h.remove("X-A") == 2);
    CHECK(h.remove("X-A") == 0);
    CHECK(h.size() == 1);
    h.clear();
    CHECK(h.empty());
}

TEST_CASE("headers compare equal field by field, in order", "[http][headers]")
{
    headers a, b;
    a.add("A", "1").add("B", "2");
    b.add("A", "1").add("B", "2");
    CHECK(a == b);
    headers c;
    c.add("B", "2").add("A", "1");
    CHECK_FALSE(a == c);
}

TEST_CASE("iequals compares ASCII case-insensitively", "[http][headers]")
{
    using weft::http::iequals;
    CHECK(iequals("Content-Length", "content-LENGTH"));
    CHECK_FALSE(iequals("Content-Length", "Content-Lengt"));
    CHECK_FALSE(iequals("a", "b"));
    CHECK(iequals("", ""));
    CHECK_FALSE(iequals("\xC4", "\xE4")); // not Latin-1 case folding
}
