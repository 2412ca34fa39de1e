#include <weft/http/request.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace std::chrono_literals;
using weft::http::request;

TEST_CASE("a request defaults to GET with no body and no per-request settings", "[http][request]")
{
    request r("http://127.0.0.1/");
    CHECK(r.url() == "http://127.0.0.1/");
    CHECK(r.method() == "GET");
    CHECK(r.body().empty());
    CHECK(r.headers().empty());
    CHECK(r.priority() == 0);
    CHECK_FALSE(r.timeout());
    CHECK_FALSE(r.max_redirects());
    CHECK(r.meta_if() == nullptr);
}

TEST_CASE("request's fluent setters chain and header() replaces a field", "[http][request]")
{
    auto r = request{"http://a/"}
                 .method("POST")
                 .header("Accept", "text/html")
                 .header("accept", "application/json")
                 .body("x=1")
                 .priority(5)
                 .timeout(250ms)
                 .max_redirects(3);
    CHECK(r.method() == "POST");
    CHECK(r.headers().get_all("Accept") == std::vector<std::string_view>{"application/json"});
    CHECK(r.body() == "x=1");
    CHECK(r.priority() == 5);
    CHECK(r.timeout() == 250ms);
    CHECK(r.max_redirects() == 3);
    r.url("http://b/");
    CHECK(r.url() == "http://b/");
}

TEST_CASE("request::meta is allocated on first use and deep-copied", "[http][request]")
{
    request a("http://a/");
    a.meta()["depth"] = 2;
    REQUIRE(a.meta_if() != nullptr);
    request b = a;
    b.meta()["depth"] = 3;
    CHECK(a.meta()["depth"] == 2);
    CHECK(b.meta()["depth"] == 3);

    request c;
    c = a;
    CHECK((*c.meta_if())["depth"] == 2);
    c = c; // self-assignment keeps the value
    CHECK((*c.meta_if())["depth"] == 2);

    request moved = std::move(b);
    CHECK(moved.meta()["depth"] == 3);
}
