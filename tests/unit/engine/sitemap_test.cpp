#include <weft/engine/sitemap.hpp>

#include "support/compress.hpp"

#include <weft/error.hpp>

#include <catch2/catch.hpp>

namespace sitemap = weft::engine::sitemap;

using weft::test::gzip;

TEST_CASE("sitemap reads a urlset with every field", "[engine][sitemap]")
{
    auto doc = sitemap::parse(R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment with <url><loc>http://not/</loc></url> inside -->
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc> http://www.example.com/?a=1&amp;b=2 </loc>
    <lastmod>2005-01-01</lastmod>
    <changefreq>Monthly</changefreq>
    <priority>0.8</priority>
    <image:image><image:loc>http://www.example.com/image.jpg</image:loc></image:image>
  </url>
  <url><loc><![CDATA[http://www.example.com/cdata?x=<y>]]></loc><priority>7</priority></url>
  <url><lastmod>2005-01-01</lastmod></url>
  <url><loc>http://www.example.com/&#x41;&#66;&unknown;</loc></url>
</urlset>)");
    REQUIRE(doc.has_value());
    CHECK(doc->format == sitemap::format::urlset);
    REQUIRE(doc->urls.size() == 3);
    CHECK(doc->urls[0].loc == "http://www.example.com/?a=1&b=2");
    CHECK(doc->urls[0].lastmod == "2005-01-01");
    CHECK(doc->urls[0].changefreq == "monthly");
    CHECK(doc->urls[0].priority == Approx(0.8));
    CHECK(doc->urls[1].loc == "http://www.example.com/cdata?x=<y>");
    CHECK_FALSE(doc->urls[1].priority.has_value()); // out of range
    CHECK(doc->urls[2].loc == "http://www.example.com/AB&unknown;");
    CHECK(doc->sitemaps.empty());
    CHECK_FALSE(doc->truncated);
}

TEST_CASE("sitemap reads a sitemapindex with namespace prefixes", "[engine][sitemap]")
{
    auto doc = sitemap::parse(
        "\xEF\xBB\xBF<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e 'boom'>]>"
        "<sm:sitemapindex xmlns:sm='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        "<sm:sitemap><sm:loc>https://a.b/s1.xml.gz</sm:loc><sm:lastmod>2024-01-01</sm:lastmod></sm:sitemap>"
        "<sm:sitemap attr=\"a>b\"><sm:loc>https://a.b/s2.xml&e;</sm:loc></sm:sitemap>"
        "</sm:sitemapindex>");
    REQUIRE(doc.has_value());
    CHECK(doc->format == sitemap::format::sitemapindex);
    REQUIRE(doc->sitemaps.size() == 2);
    CHECK(doc->sitemaps[0].loc == "https://a.b/s1.xml.gz");
    CHECK(doc->sitemaps[0].lastmod == "2024-01-01");
    CHECK(doc->sitemaps[1].loc == "https://a.b/s2.xml&e;"); // DOCTYPE entities are never expanded
    CHECK(doc->urls.empty());
}

TEST_CASE("sitemap reads plain-text sitemaps", "[engine][sitemap]")
{
    auto doc = sitemap::parse("http://a.b/1\r\n\r\n  https://a.b/2  \nnot a url\nftp://a.b/x\nHTTPS://A.B/3");
    REQUIRE(doc.has_value());
    CHECK(doc->format == sitemap::format::text);
    REQUIRE(doc->urls.size() == 3);
    CHECK(doc->urls[1].loc == "https://a.b/2");
    CHECK(doc->urls[2].loc == "HTTPS://A.B/3");
}

TEST_CASE("sitemap decompresses gzip within the size limit", "[engine][sitemap]")
{
    std::string xml = "<urlset>";
    for (int i = 0; i < 100; ++i)
        xml += "<url><loc>https://a.b/" + std::to_string(i) + "</loc></url>";
    xml += "</urlset>";
    auto doc = sitemap::parse(gzip(xml));
    REQUIRE(doc.has_value());
    CHECK(doc->gzipped);
    CHECK(doc->urls.size() == 100);

    // Two concatenated members are one gzip file.
    auto two = sitemap::gunzip(gzip("abc") + gzip("def"), 100);
    REQUIRE(two.has_value());
    CHECK(*two == "abcdef");

    sitemap::limits small;
    small.max_bytes = 100;
    auto bomb = sitemap::parse(gzip(std::string(1'000'000, ' ')), small);
    REQUIRE_FALSE(bomb.has_value());
    CHECK(bomb.error() == weft::error::decompressed_too_large);

    auto corrupt = gzip(xml);
    corrupt.resize(corrupt.size() / 2);
    auto bad = sitemap::parse(corrupt);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error() == weft::error::bad_content_encoding);

    auto big = sitemap::parse(std::string(200, 'x'), small);
    REQUIRE_FALSE(big.has_value());
    CHECK(big.error() == weft::error::body_too_large);
}

TEST_CASE("sitemap keeps at most max_urls entries", "[engine][sitemap]")
{
    std::string xml = "<urlset>";
    for (int i = 0; i < 20; ++i)
        xml += "<url><loc>https://a.b/" + std::to_string(i) + "</loc></url>";
    xml += "</urlset>";
    sitemap::limits lim;
    lim.max_urls = 5;
    auto doc = sitemap::parse(xml, lim);
    REQUIRE(doc.has_value());
    CHECK(doc->urls.size() == 5);
    CHECK(doc->truncated);

    std::string text;
    for (int i = 0; i < 20; ++i)
        text += "https://a.b/" + std::to_string(i) + "\n";
    auto t = sitemap::parse(text, lim);
    REQUIRE(t.has_value());
    CHECK(t->urls.size() == 5);
    CHECK(t->truncated);
}

TEST_CASE("sitemap stops cleanly on malformed or foreign XML", "[engine][sitemap]")
{
    auto rss = sitemap::parse("<rss><channel><item><link>http://a.b/</link></item></channel></rss>");
    REQUIRE(rss.has_value());
    CHECK(rss->format == sitemap::format::unknown);
    CHECK(rss->urls.empty());

    auto cut = sitemap::parse("<urlset><url><loc>http://a.b/1</loc></url><url><loc>http://a.b/2</lo");
    REQUIRE(cut.has_value());
    CHECK(cut->urls.size() == 1);

    for (char const* junk :
         {"<", "<!", "<!--", "<![CDATA[", "<?", "</", "<a", "<a b='", "<urlset><url><loc>&#xFFFFFFFFFF;</loc></url>",
          "<urlset></urlset></urlset>", "<urlset/>", ""})
    {
        INFO(junk);
        CHECK(sitemap::parse(junk).has_value());
    }
    auto huge_ref = sitemap::parse("<urlset><url><loc>http://a.b/&#xFFFFFFFFFF;&#0;&#xD800;</loc></url></urlset>");
    REQUIRE(huge_ref.has_value());
    REQUIRE(huge_ref->urls.size() == 1);
    CHECK(huge_ref->urls[0].loc == "http://a.b/\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}
