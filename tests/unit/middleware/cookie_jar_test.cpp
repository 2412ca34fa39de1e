#include <weft/middleware/cookie_jar.hpp>

#include <catch2/catch.hpp>

using weft::middleware::cookie_jar;
using weft::middleware::store_result;
using namespace std::chrono_literals;

namespace
{

cookie_jar::clock::time_point const t0 = std::chrono::sys_days(std::chrono::year(2026) / 12 / 5);

} // namespace

TEST_CASE("a Domain that is a public suffix is refused, so one site cannot plant cookies in all", "[cookies]")
{
    cookie_jar jar;
    for (auto const* line : {"a=1; Domain=.com", "b=1; Domain=com", "c=1; Domain=co.uk", "d=1; Domain=github.io"})
    {
        auto host = std::string(line).find("co.uk") != std::string::npos      ? "http://evil.co.uk/"
                    : std::string(line).find("github.io") != std::string::npos ? "http://evil.github.io/"
                                                                               : "http://evil.com/";
        auto r = jar.store(host, line, t0);
        INFO(line << ": " << r.reason);
        CHECK(r.what == store_result::kind::rejected);
        CHECK(r.reason.find("public suffix") != std::string::npos);
    }
    CHECK(jar.size() == 0);
    CHECK(jar.cookie_header("http://victim.com/", t0).empty());
    CHECK(jar.cookie_header("http://evil.com/", t0).empty());
}

TEST_CASE("a Domain the setting host does not domain-match is refused", "[cookies]")
{
    cookie_jar jar;
    auto r = jar.store("http://evil.example/", "s=1; Domain=victim.example", t0);
    CHECK(r.what == store_result::kind::rejected);
    CHECK(r.reason.find("does not domain-match the host evil.example") != std::string::npos);
    // A longer suffix that is not at a label boundary does not match either.
    CHECK_FALSE(jar.store("http://notvictim.example/", "s=1; Domain=victim.example", t0).stored());
    // A subdomain may not scope a cookie to its sibling or to its child.
    CHECK_FALSE(jar.store("http://a.victim.example/", "s=1; Domain=b.victim.example", t0).stored());
    CHECK_FALSE(jar.store("http://victim.example/", "s=1; Domain=www.victim.example", t0).stored());
    CHECK(jar.cookie_header("http://victim.example/", t0).empty());
    CHECK(jar.cookie_header("http://www.victim.example/", t0).empty());
}

TEST_CASE("a Domain cookie reaches the domain and its subdomains only", "[cookies]")
{
    cookie_jar jar;
    REQUIRE(jar.store("http://www.shop.example/", "d=1; Domain=.Shop.Example", t0).stored());
    CHECK(jar.cookie_header("http://shop.example/", t0) == "d=1");
    CHECK(jar.cookie_header("http://a.b.shop.example/x", t0) == "d=1");
    CHECK(jar.cookie_header("http://othershop.example/", t0).empty());
    CHECK(jar.cookie_header("http://example/", t0).empty());
}

TEST_CASE("a cookie without Domain goes back to exactly the host that set it", "[cookies]")
{
    cookie_jar jar;
    REQUIRE(jar.store("http://shop.example/login", "h=1", t0).stored());
    CHECK(jar.cookie_header("http://shop.example/", t0) == "h=1");
    CHECK(jar.cookie_header("http://www.shop.example/", t0).empty());
    CHECK(jar.cookie_header("http://example/", t0).empty());
    // A host that is itself a public suffix (localhost, by the "*" rule) gets a host-only cookie.
    REQUIRE(jar.store("http://localhost:8080/", "l=1; Domain=localhost", t0).stored());
    CHECK(jar.cookie_header("http://localhost:9090/", t0) == "l=1");
    CHECK(jar.cookie_header("http://a.localhost/", t0).empty());
    // IP addresses match exactly, never by suffix.
    REQUIRE(jar.store("http://127.0.0.1/", "ip=1", t0).stored());
    CHECK(jar.cookie_header("http://127.0.0.1/x", t0) == "ip=1");
    CHECK_FALSE(jar.store("http://127.0.0.1/", "ip=1; Domain=0.0.1", t0).stored());
}

TEST_CASE("Path defaults to the request's directory and matches at segment boundaries", "[cookies]")
{
    CHECK(weft::middleware::default_cookie_path("") == "/");
    CHECK(weft::middleware::default_cookie_path("/") == "/");
    CHECK(weft::middleware::default_cookie_path("/login") == "/");
    CHECK(weft::middleware::default_cookie_path("/account/login") == "/account");
    CHECK(weft::middleware::default_cookie_path("/a/b/") == "/a/b");
    CHECK(weft::middleware::path_matches("/account", "/account"));
    CHECK(weft::middleware::path_matches("/account/x", "/account"));
    CHECK(weft::middleware::path_matches("/account/x", "/account/"));
    CHECK_FALSE(weft::middleware::path_matches("/accounting", "/account"));
    CHECK_FALSE(weft::middleware::path_matches("/", "/account"));

    cookie_jar jar;
    REQUIRE(jar.store("http://site.example/account/login?next=/", "p=1", t0).stored());
    REQUIRE(jar.store("http://site.example/", "root=1; Path=/", t0 + 1s).stored());
    REQUIRE(jar.store("http://site.example/", "bad=1; Path=relative", t0 + 2s).stored()); // default path: "/"
    CHECK(jar.cookie_header("http://site.example/account/page", t0) == "p=1; root=1; bad=1");
    CHECK(jar.cookie_header("http://site.example/accounting", t0) == "root=1; bad=1");
}

TEST_CASE("Secure cookies come only from https and go only to https", "[cookies]")
{
    cookie_jar jar;
    auto r = jar.store("http://site.example/", "s=1; Secure", t0);
    CHECK(r.what == store_result::kind::rejected);
    REQUIRE(jar.store("https://site.example/", "s=1; Secure; HttpOnly; SameSite=Strict", t0).stored());
    CHECK(jar.cookie_header("https://site.example/", t0) == "s=1");
    CHECK(jar.cookie_header("http://site.example/", t0).empty());
    // Plain http cannot overwrite it.
    CHECK_FALSE(jar.store("http://site.example/", "s=2", t0).stored());
    auto all = jar.all(t0);
    REQUIRE(all.size() == 1);
    CHECK(all[0].http_only);
    CHECK(all[0].same_site == weft::middleware::same_site_policy::strict);
    CHECK(all[0].value == "1");
    // The name prefixes hold what they promise.
    CHECK_FALSE(jar.store("https://site.example/", "__Secure-x=1", t0).stored());
    CHECK_FALSE(jar.store("https://site.example/", "__Host-x=1; Secure; Domain=site.example", t0).stored());
    CHECK(jar.store("https://site.example/", "__Host-x=1; Secure; Path=/", t0).stored());
}

TEST_CASE("Expires and Max-Age end a cookie; Max-Age=0 deletes it; Max-Age wins", "[cookies]")
{
    cookie_jar jar;
    REQUIRE(jar.store("http://site.example/", "a=1; Max-Age=60", t0).stored());
    REQUIRE(jar.store("http://site.example/", "b=1; Expires=Sat, 05 Dec 2026 01:00:00 GMT", t0).stored());
    REQUIRE(jar.store("http://site.example/", "c=1; Expires=Sat, 05 Dec 2026 01:00:00 GMT; Max-Age=7200", t0).stored());
    REQUIRE(jar.store("http://site.example/", "d=1", t0).stored()); // a session cookie
    CHECK(jar.cookie_header("http://site.example/", t0 + 59s) == "a=1; b=1; c=1; d=1");
    CHECK(jar.cookie_header("http://site.example/", t0 + 61s) == "b=1; c=1; d=1");
    CHECK(jar.cookie_header("http://site.example/", t0 + 1h + 1s) == "c=1; d=1");
    CHECK(jar.cookie_header("http://site.example/", t0 + 2h + 1s) == "d=1");

    auto r = jar.store("http://site.example/", "d=; Max-Age=0", t0);
    CHECK(r.what == store_result::kind::deleted);
    CHECK(jar.store("http://site.example/", "c=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT", t0).what ==
          store_result::kind::deleted);
    CHECK(jar.cookie_header("http://site.example/", t0) == "a=1; b=1");
    // An unparsable Max-Age or Expires is ignored, not taken as "expired".
    REQUIRE(jar.store("http://site.example/", "e=1; Max-Age=soon; Expires=tomorrow", t0).stored());
    CHECK(jar.cookie_header("http://site.example/", t0 + 24h * 365) == "e=1");
}

TEST_CASE("cookie dates parse in the forms servers send", "[cookies]")
{
    using weft::middleware::parse_cookie_date;
    auto const expected = std::chrono::sys_days(std::chrono::year(2021) / 6 / 9) + 10h + 18min + 14s;
    CHECK(parse_cookie_date("Wed, 09 Jun 2021 10:18:14 GMT") == expected);
    CHECK(parse_cookie_date("Wednesday, 09-Jun-21 10:18:14 GMT") == expected);
    CHECK(parse_cookie_date("Wed Jun  9 10:18:14 2021") == expected);
    CHECK(parse_cookie_date("9 june 2021 10:18:14") == expected);
    CHECK_FALSE(parse_cookie_date("Wed, 31 Feb 2021 10:18:14 GMT"));
    CHECK_FALSE(parse_cookie_date("Wed, 09 Jun 2021 25:18:14 GMT"));
    CHECK_FALSE(parse_cookie_date("tomorrow"));
    CHECK_FALSE(parse_cookie_date(""));
}

TEST_CASE("a cookie replaces the one of the same name, domain and path, keeping its age", "[cookies]")
{
    cookie_jar jar;
    REQUIRE(jar.store("http://site.example/", "first=1", t0).stored());
    REQUIRE(jar.store("http://site.example/", "second=1", t0 + 1s).stored());
    REQUIRE(jar.store("http://site.example/", "first=2", t0 + 2s).stored());
    CHECK(jar.cookie_header("http://site.example/", t0 + 3s) == "first=2; second=1");
    // Another path is another cookie.
    REQUIRE(jar.store("http://site.example/", "first=3; Path=/x", t0 + 4s).stored());
    CHECK(jar.cookie_header("http://site.example/x", t0 + 5s) == "first=3; first=2; second=1");
    CHECK(jar.size() == 3);
}

TEST_CASE("malformed Set-Cookie headers are refused with the reason", "[cookies]")
{
    cookie_jar jar;
    CHECK(jar.store("http://site.example/", "novalue", t0).reason.find("no '='") != std::string::npos);
    CHECK(jar.store("http://site.example/", "=1", t0).reason.find("empty cookie name") != std::string::npos);
    CHECK_FALSE(jar.store("http://site.example/", std::string("a=\x01"), t0).stored());
    CHECK_FALSE(jar.store("http://site.example/", "a=" + std::string(5000, 'x'), t0).stored());
    CHECK_FALSE(jar.store("not a url", "a=1", t0).stored());
    CHECK(jar.size() == 0);
}

TEST_CASE("the jar holds at most 180 cookies per domain, dropping the least recently used", "[cookies]")
{
    cookie_jar jar;
    for (int i = 0; i < 200; ++i)
        REQUIRE(jar.store("http://site.example/", "c" + std::to_string(i) + "=1", t0 + std::chrono::seconds(i)).stored());
    CHECK(jar.size() == cookie_jar::max_per_domain);
    auto header = jar.cookie_header("http://site.example/", t0 + 1h);
    CHECK(header.find("c0=1") == std::string::npos);
    CHECK(header.find("c199=1") != std::string::npos);
}
