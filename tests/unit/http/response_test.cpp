#include <weft/http/response.hpp>

#include <catch2/catch.hpp>

using weft::http::response;

TEST_CASE("response::ok is true for 2xx only", "[http][response]")
{
    response r;
    for (int s : {200, 204, 299})
    {
        r.status = s;
        CHECK(r.ok());
    }
    for (int s : {0, 199, 301, 404, 500})
    {
        r.status = s;
        CHECK_FALSE(r.ok());
    }
}

TEST_CASE("response::media_type is the lower-cased Content-Type without parameters", "[http][response]")
{
    response r;
    CHECK(r.media_type().empty());
    r.headers.add("Content-Type", " Text/HTML ; charset=UTF-8");
    CHECK(r.media_type() == "text/html");
    r.headers.set("content-type", "application/json");
    CHECK(r.media_type() == "application/json");
}

TEST_CASE("response::charset reads the charset parameter, quoted or not", "[http][response]")
{
    response r;
    CHECK(r.charset().empty());
    r.headers.set("Content-Type", "text/html; charset=UTF-8");
    CHECK(r.charset() == "utf-8");
    r.headers.set("Content-Type", "text/html; charset=\"ISO-8859-1\"; q=1");
    CHECK(r.charset() == "iso-8859-1");
    r.headers.set("Content-Type", "text/html");
    CHECK(r.charset().empty());
}

TEST_CASE("a default response has empty timings and no redirects", "[http][response]")
{
    response r;
    CHECK(r.status == 0);
    CHECK(r.redirects == 0);
    CHECK(r.wire_bytes == 0);
    CHECK(r.timing.total.count() == 0);
    CHECK(r.body.empty());
}
