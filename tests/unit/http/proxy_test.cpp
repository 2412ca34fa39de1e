#include <weft/http/proxy.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using weft::http::checked_proxy_url;
using weft::http::fetch_options;
using weft::http::proxy_for;
using weft::http::redact_credentials;
using weft::http::request;

TEST_CASE("a request's meta \"proxy\" string overrides the fetcher's proxy, \"\" meaning none", "[http][proxy]")
{
    fetch_options opts;
    opts.proxy = "http://crawl-proxy:3128";
    request plain("http://a.test/");
    CHECK(proxy_for(plain, opts) == "http://crawl-proxy:3128");

    request own("http://a.test/");
    own.meta()["proxy"] = "socks5h://other:1080";
    CHECK(proxy_for(own, opts) == "socks5h://other:1080");

    request direct("http://a.test/");
    direct.meta()["proxy"] = "";
    CHECK(proxy_for(direct, opts).empty());

    request not_a_string("http://a.test/"); // a number or null is no proxy URL: ignored
    not_a_string.meta()["proxy"] = 3128;
    CHECK(proxy_for(not_a_string, opts) == "http://crawl-proxy:3128");
    CHECK(proxy_for(plain, fetch_options{}).empty());
}

TEST_CASE("checked_proxy_url takes the schemes libcurl speaks and names the bad one without its password",
          "[http][proxy]")
{
    for (char const* ok : {"http://p:3128", "HTTPS://p:443", "socks4://p:1080", "socks4a://p:1080", "socks5://p:1080",
                           "socks5h://bob:pw@p:1080", "p:3128", ""})
        CHECK(checked_proxy_url(ok) == ok);
    CHECK_THROWS_AS(checked_proxy_url("ftp://p:21"), std::invalid_argument);
    CHECK_THROWS_WITH(checked_proxy_url("gopher://bob:s3cret@p:70"),
                      Catch::Contains("gopher://bob:***@p:70") && Catch::Contains("socks5h://"));
}

TEST_CASE("redact_credentials hides a proxy password and nothing else", "[http][proxy]")
{
    CHECK(redact_credentials("http://bob:s3cret@proxy:3128") == "http://bob:***@proxy:3128");
    CHECK(redact_credentials("http://bob:s3:cr@t@proxy:3128/x") == "http://bob:***@proxy:3128/x");
    CHECK(redact_credentials("bob:s3cret@proxy:3128") == "bob:***@proxy:3128");
    CHECK(redact_credentials("http://bob@proxy:3128") == "http://bob@proxy:3128");
    CHECK(redact_credentials("http://proxy:3128") == "http://proxy:3128");
    CHECK(redact_credentials("http://bob:pa/ss@proxy:3128") == "http://bob:***@proxy:3128");
    CHECK(redact_credentials("http://proxy:3128/a") == "http://proxy:3128/a");
    CHECK(redact_credentials("") == "");
}
