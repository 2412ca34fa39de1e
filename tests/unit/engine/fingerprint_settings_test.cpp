// The URL canonicalization settings reach the crawl's de-duplication (scheduler fingerprints).
#include <weft/engine/scheduler.hpp>
#include <weft/url/canonicalize.hpp>

#include <catch2/catch.hpp>

namespace
{

weft::engine::fingerprint fp_of(weft::engine::settings const& s, std::string url)
{
    weft::engine::stats st;
    weft::engine::scheduler sch(s, st);
    auto a = sch.admit(weft::request{std::move(url)}, true);
    REQUIRE(a.request);
    return a.request->fp;
}

} // namespace

TEST_CASE("by default a crawl sees reordered queries and tracking parameters as the same page", "[url][engine][fingerprint]")
{
    weft::engine::settings const s;
    CHECK(s.fingerprint_sort_query);
    CHECK(s.fingerprint_strip_tracking);
    auto const plain = fp_of(s, "http://site.test/list?a=1&b=2");
    CHECK(fp_of(s, "http://site.test/list?b=2&a=1") == plain);
    CHECK(fp_of(s, "http://site.test/list?utm_source=news&a=1&fbclid=x&b=2&gclid=y") == plain);
    CHECK(fp_of(s, "http://site.test/list?a=1&b=3") != plain); // a real parameter still counts
    CHECK(fp_of(s, "http://site.test/list?a=1&a=2") != fp_of(s, "http://site.test/list?a=2&a=1"));
}

TEST_CASE("fingerprint_sort_query and fingerprint_strip_tracking turn each rule off", "[url][engine][fingerprint]")
{
    weft::engine::settings s;
    s.set("fingerprint_sort_query", "false");
    CHECK(fp_of(s, "http://site.test/?b=2&a=1") != fp_of(s, "http://site.test/?a=1&b=2"));
    CHECK(fp_of(s, "http://site.test/?a=1&utm_medium=x") == fp_of(s, "http://site.test/?a=1"));
    s.set("FINGERPRINT_STRIP_TRACKING", "0");
    CHECK(fp_of(s, "http://site.test/?a=1&utm_medium=x") != fp_of(s, "http://site.test/?a=1"));
    CHECK(s.to_json()["fingerprint_sort_query"] == false);
    CHECK(s.to_json()["fingerprint_strip_tracking"] == false);
    CHECK_THROWS_WITH(s.set("fingerprint_sort_query", "maybe"),
                      Catch::Contains("fingerprint_sort_query") && Catch::Contains("true or false"));
}

TEST_CASE("the tracking parameters README lists are the ones stripped", "[url][canonicalize]")
{
    for (auto name : {"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "UTM_Source", "gclid",
                      "gclsrc", "dclid", "gbraid", "wbraid", "fbclid", "msclkid", "mc_cid", "mc_eid", "yclid",
                      "igshid", "twclid", "ttclid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "li_fat_id",
                      "oly_anon_id", "oly_enc_id", "vero_id"})
    {
        INFO(name);
        CHECK(weft::url::is_tracking_parameter(name));
    }
    for (auto name : {"id", "page", "q", "ga", "utm", "ref", "source"})
    {
        INFO(name);
        CHECK_FALSE(weft::url::is_tracking_parameter(name));
    }
}
