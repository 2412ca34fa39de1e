#include <weft/engine/robots.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using weft::engine::robots;
using weft::engine::robots_from_fetch;
using weft::engine::robots_policy;

namespace
{

struct robots_case
{
    char const* name;
    std::string body;
    char const* agent;
    char const* url;
    bool allowed;
};

// RFC 9309's examples and google/robotstxt's robots_test.cc (ID_* cases; GoogleOnly_* cases
// only where RFC 9309 agrees). Where weft deliberately differs from Google (percent-encoding of
// unreserved characters and non-ASCII, which RFC 9309 §2.2.2 normalizes), the case says so.
std::vector<robots_case> const cases = {
    // GoogleOnly_SystemTest
    {"empty robots.txt allows everything", "", "FooBot", "", true},
    {"an empty agent matches no group", "user-agent: FooBot\ndisallow: /\n", "", "", true},
    {"an empty URL is /", "user-agent: FooBot\ndisallow: /\n", "FooBot", "", false},
    // ID_LineSyntax_Line
    {"correct syntax", "user-agent: FooBot\ndisallow: /\n", "FooBot", "http://foo.bar/x/y", false},
    {"unknown keys are ignored", "foo: FooBot\nbar: /\n", "FooBot", "http://foo.bar/x/y", true},
    {"a missing colon is accepted", "user-agent FooBot\ndisallow /\n", "FooBot", "http://foo.bar/x/y", false},
// ID_LineSyntax_Groups
#define GROUPS                                                                                                         \
    "allow: /foo/bar/\n\nuser-agent: FooBot\ndisallow: /\nallow: /x/\nuser-agent: BarBot\ndisallow: /\nallow: "        \
    "/y/\n\n\nallow: /w/\nuser-agent: BazBot\n\nuser-agent: FooBot\nallow: /z/\ndisallow: /\n"
    {"groups: FooBot x", GROUPS, "FooBot", "http://foo.bar/x/b", true},
    {"groups: FooBot z (merged group)", GROUPS, "FooBot", "http://foo.bar/z/d", true},
    {"groups: FooBot y", GROUPS, "FooBot", "http://foo.bar/y/c", false},
    {"groups: BarBot y", GROUPS, "BarBot", "http://foo.bar/y/c", true},
    {"groups: blank lines do not end a group", GROUPS, "BarBot", "http://foo.bar/w/a", true},
    {"groups: BarBot z", GROUPS, "BarBot", "http://foo.bar/z/d", false},
    {"groups: consecutive user-agents share rules", GROUPS, "BazBot", "http://foo.bar/z/d", true},
    {"groups: rules before any user-agent are ignored (FooBot)", GROUPS, "FooBot", "http://foo.bar/foo/bar/", false},
    {"groups: rules before any user-agent are ignored (BarBot)", GROUPS, "BarBot", "http://foo.bar/foo/bar/", false},
    {"groups: rules before any user-agent are ignored (BazBot)", GROUPS, "BazBot", "http://foo.bar/foo/bar/", false},
#undef GROUPS
    // ID_LineSyntax_Groups_OtherRules
    {"sitemap does not end a user-agent run",
     "User-agent: BarBot\nSitemap: https://foo.bar/sitemap\nUser-agent: *\nDisallow: /\n", "BarBot", "http://foo.bar/",
     false},
    {"sitemap: * too", "User-agent: BarBot\nSitemap: https://foo.bar/sitemap\nUser-agent: *\nDisallow: /\n", "FooBot",
     "http://foo.bar/", false},
    {"unknown lines do not end a user-agent run",
     "User-agent: FooBot\nInvalid-Unknown-Line: unknown\nUser-agent: *\nDisallow: /\n", "FooBot", "http://foo.bar/",
     false},
    // ID_REPLineNamesCaseInsensitive
    {"upper-case keys", "USER-AGENT: FooBot\nALLOW: /x/\nDISALLOW: /\n", "FooBot", "http://foo.bar/x/y", true},
    {"upper-case keys disallow", "USER-AGENT: FooBot\nALLOW: /x/\nDISALLOW: /\n", "FooBot", "http://foo.bar/a/b",
     false},
    {"mixed-case keys", "uSeR-aGeNt: FooBot\nAlLoW: /x/\ndIsAlLoW: /\n", "FooBot", "http://foo.bar/a/b", false},
    // ID_UserAgentValueCaseInsensitive
    {"agent value case-insensitive", "User-Agent: FOO BAR\nAllow: /x/\nDisallow: /\n", "Foo", "http://foo.bar/x/y",
     true},
    {"agent value case-insensitive 2", "User-Agent: foo bar\nAllow: /x/\nDisallow: /\n", "FOO", "http://foo.bar/a/b",
     false},
    {"agent value up to first space", "User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\nDisallow: /\n",
     "Foo", "http://foo.bar/x/y", true},
    // ID_GlobalGroups_Secondary
    {"global group applies to others", "user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n", "BarBot",
     "http://foo.bar/x/y", true},
    {"specific group wins over global", "user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n", "FooBot",
     "http://foo.bar/x/y", false},
    {"no global group: unmatched agent allowed",
     "user-agent: FooBot\nallow: /\nuser-agent: BarBot\ndisallow: /\nuser-agent: BazBot\ndisallow: /\n", "QuxBot",
     "http://foo.bar/x/y", true},
    // ID_AllowDisallow_Value_CaseSensitive
    {"paths are case-sensitive (match)", "user-agent: FooBot\ndisallow: /x/\n", "FooBot", "http://foo.bar/x/y", false},
    {"paths are case-sensitive (no match)", "user-agent: FooBot\ndisallow: /X/\n", "FooBot", "http://foo.bar/x/y",
     true},
    // ID_LongestMatch
    {"tie goes to allow", "user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/page.html\n", "FooBot",
     "http://foo.bar/x/page.html", true},
    {"longer allow wins", "user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n", "FooBot",
     "http://foo.bar/x/page.html", true},
    {"longer disallow wins", "user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n", "FooBot", "http://foo.bar/x/",
     false},
    {"empty rules match nothing", "user-agent: FooBot\ndisallow: \nallow: \n", "FooBot", "http://foo.bar/x/page.html",
     true},
    {"equal / rules: allow", "user-agent: FooBot\ndisallow: /\nallow: /\n", "FooBot", "http://foo.bar/x/page.html",
     true},
    {"/x vs /x/ on /x", "user-agent: FooBot\ndisallow: /x\nallow: /x/\n", "FooBot", "http://foo.bar/x", false},
    {"/x vs /x/ on /x/", "user-agent: FooBot\ndisallow: /x\nallow: /x/\n", "FooBot", "http://foo.bar/x/", true},
    {"wildcard counts its octets", "user-agent: FooBot\nallow: /page\ndisallow: /*.html\n", "FooBot",
     "http://foo.bar/page.html", false},
    {"wildcard not matching", "user-agent: FooBot\nallow: /page\ndisallow: /*.html\n", "FooBot", "http://foo.bar/page",
     true},
    {"longer allow beats wildcard", "user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n", "FooBot",
     "http://foo.bar/x/page.html", true},
    {"wildcard disallow", "user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n", "FooBot",
     "http://foo.bar/x/y.html", false},
    {"specific group only", "User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n", "FooBot",
     "http://foo.bar/x/page", true},
    {"specific group only 2", "User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n", "FooBot",
     "http://foo.bar/y/page", false},
    // ID_Encoding
    {"query in pattern", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar?qux=taz&baz=http://foo.bar?tar&par\n",
     "FooBot", "http://foo.bar/foo/bar?qux=taz&baz=http://foo.bar?tar&par", true},
    {"non-ASCII pattern vs encoded URL", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/\xE3\x83\x84\n", "FooBot",
     "http://foo.bar/foo/bar/%E3%83%84", true},
    // Google leaves raw non-ASCII in the URL unencoded (no match); RFC 9309 §2.2.2 encodes it.
    {"non-ASCII pattern vs raw URL (RFC)", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/\xE3\x83\x84\n", "FooBot",
     "http://foo.bar/foo/bar/\xE3\x83\x84", true},
    {"encoded pattern vs encoded URL", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%E3%83%84\n", "FooBot",
     "http://foo.bar/foo/bar/%E3%83%84", true},
    {"lower-case hex is normalized", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%e3%83%84\n", "FooBot",
     "http://foo.bar/foo/bar/%E3%83%84", true},
    // Google does not decode %62%61%7A; RFC 9309's table matches it against /foo/bar/baz.
    {"encoded unreserved decoded (RFC)", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%62%61%7A\n", "FooBot",
     "http://foo.bar/foo/bar/baz", true},
    {"encoded unreserved vs itself", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%62%61%7A\n", "FooBot",
     "http://foo.bar/foo/bar/%62%61%7A", true},
    {"encoded reserved stays distinct", "User-agent: FooBot\nDisallow: /a%2Fb\n", "FooBot", "http://foo.bar/a/b", true},
    {"encoded reserved matches itself", "User-agent: FooBot\nDisallow: /a%2fb\n", "FooBot", "http://foo.bar/a%2Fb",
     false},
    // ID_SpecialCharacters
    {"star in the middle 1", "User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot",
     "http://foo.bar/foo/bar/quz", false},
    {"star in the middle 2", "User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot",
     "http://foo.bar/foo/quz", true},
    {"star in the middle 3", "User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot",
     "http://foo.bar/foo//quz", true},
    {"star in the middle 4", "User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot",
     "http://foo.bar/foo/bax/quz", true},
    {"dollar anchors", "User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot",
     "http://foo.bar/foo/bar", false},
    {"dollar anchors 2", "User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot",
     "http://foo.bar/foo/bar/qux", true},
    {"dollar anchors 3", "User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot",
     "http://foo.bar/foo/bar/", true},
    {"dollar anchors 4", "User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot",
     "http://foo.bar/foo/bar/baz", true},
    {"comments", "User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n", "FooBot",
     "http://foo.bar/foo/bar", true},
    {"comments 2", "User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n", "FooBot",
     "http://foo.bar/foo/quz", false},
// ID_Documentation_Checks: /fish
#define FISH "user-agent: FooBot\ndisallow: /\nallow: /fish\n"
    {"fish /bar", FISH, "FooBot", "http://foo.bar/bar", false},
    {"fish /fish", FISH, "FooBot", "http://foo.bar/fish", true},
    {"fish /fish.html", FISH, "FooBot", "http://foo.bar/fish.html", true},
    {"fish /fish/salmon.html", FISH, "FooBot", "http://foo.bar/fish/salmon.html", true},
    {"fish /fishheads", FISH, "FooBot", "http://foo.bar/fishheads", true},
    {"fish /fishheads/yummy.html", FISH, "FooBot", "http://foo.bar/fishheads/yummy.html", true},
    {"fish /fish.html?id=anything", FISH, "FooBot", "http://foo.bar/fish.html?id=anything", true},
    {"fish /Fish.asp", FISH, "FooBot", "http://foo.bar/Fish.asp", false},
    {"fish /catfish", FISH, "FooBot", "http://foo.bar/catfish", false},
    {"fish /?id=fish", FISH, "FooBot", "http://foo.bar/?id=fish", false},
#undef FISH
#define FISHSTAR "user-agent: FooBot\ndisallow: /\nallow: /fish*\n"
    {"fish* /bar", FISHSTAR, "FooBot", "http://foo.bar/bar", false},
    {"fish* /fish", FISHSTAR, "FooBot", "http://foo.bar/fish", true},
    {"fish* /fishheads/yummy.html", FISHSTAR, "FooBot", "http://foo.bar/fishheads/yummy.html", true},
    {"fish* /Fish.bar", FISHSTAR, "FooBot", "http://foo.bar/Fish.bar", false},
    {"fish* /catfish", FISHSTAR, "FooBot", "http://foo.bar/catfish", false},
#undef FISHSTAR
#define FISHDIR "user-agent: FooBot\ndisallow: /\nallow: /fish/\n"
    {"fish/ /fish/", FISHDIR, "FooBot", "http://foo.bar/fish/", true},
    {"fish/ /fish/?id=anything", FISHDIR, "FooBot", "http://foo.bar/fish/?id=anything", true},
    {"fish/ /fish/salmon.htm", FISHDIR, "FooBot", "http://foo.bar/fish/salmon.htm", true},
    {"fish/ /fish", FISHDIR, "FooBot", "http://foo.bar/fish", false},
    {"fish/ /fish.html", FISHDIR, "FooBot", "http://foo.bar/fish.html", false},
    {"fish/ /Fish/Salmon.html", FISHDIR, "FooBot", "http://foo.bar/Fish/Salmon.html", false},
#undef FISHDIR
#define PHP "user-agent: FooBot\ndisallow: /\nallow: /*.php\n"
    {"*.php /filename.php", PHP, "FooBot", "http://foo.bar/filename.php", true},
    {"*.php /folder/filename.php", PHP, "FooBot", "http://foo.bar/folder/filename.php", true},
    {"*.php with query", PHP, "FooBot", "http://foo.bar/folder/filename.php?parameters", true},
    {"*.php //folder/any.php.file.html", PHP, "FooBot", "http://foo.bar//folder/any.php.file.html", true},
    {"*.php /filename.php/", PHP, "FooBot", "http://foo.bar/filename.php/", true},
    {"*.php in query", PHP, "FooBot", "http://foo.bar/index?f=filename.php/", true},
    {"*.php /php/", PHP, "FooBot", "http://foo.bar/php/", false},
    {"*.php /index?php", PHP, "FooBot", "http://foo.bar/index?php", false},
    {"*.php /windows.PHP", PHP, "FooBot", "http://foo.bar/windows.PHP", false},
#undef PHP
#define PHPEND "user-agent: FooBot\ndisallow: /\nallow: /*.php$\n"
    {"*.php$ /filename.php", PHPEND, "FooBot", "http://foo.bar/filename.php", true},
    {"*.php$ /folder/filename.php", PHPEND, "FooBot", "http://foo.bar/folder/filename.php", true},
    {"*.php$ with query", PHPEND, "FooBot", "http://foo.bar/filename.php?parameters", false},
    {"*.php$ trailing slash", PHPEND, "FooBot", "http://foo.bar/filename.php/", false},
    {"*.php$ /filename.php5", PHPEND, "FooBot", "http://foo.bar/filename.php5", false},
    {"*.php$ /php/", PHPEND, "FooBot", "http://foo.bar/php/", false},
    {"*.php$ /filename?php", PHPEND, "FooBot", "http://foo.bar/filename?php", false},
    {"*.php$ /aaaphpaaa", PHPEND, "FooBot", "http://foo.bar/aaaphpaaa", false},
    {"*.php$ //windows.PHP", PHPEND, "FooBot", "http://foo.bar//windows.PHP", false},
#undef PHPEND
#define FISHPHP "user-agent: FooBot\ndisallow: /\nallow: /fish*.php\n"
    {"fish*.php /bar", FISHPHP, "FooBot", "http://foo.bar/bar", false},
    {"fish*.php /fish.php", FISHPHP, "FooBot", "http://foo.bar/fish.php", true},
    {"fish*.php /fishheads/catfish.php?parameters", FISHPHP, "FooBot",
     "http://foo.bar/fishheads/catfish.php?parameters", true},
    {"fish*.php /Fish.PHP", FISHPHP, "FooBot", "http://foo.bar/Fish.PHP", false},
#undef FISHPHP
    // ID_Documentation_Checks: order of precedence
    {"precedence /p vs /", "user-agent: FooBot\nallow: /p\ndisallow: /\n", "FooBot", "http://example.com/page", true},
    {"precedence equal", "user-agent: FooBot\nallow: /folder\ndisallow: /folder\n", "FooBot",
     "http://example.com/folder/page", true},
    {"precedence *.htm", "user-agent: FooBot\nallow: /page\ndisallow: /*.htm\n", "FooBot",
     "http://example.com/page.htm", false},
    {"precedence /$ on /", "user-agent: FooBot\nallow: /$\ndisallow: /\n", "FooBot", "http://example.com/", true},
    {"precedence /$ on /page.html", "user-agent: FooBot\nallow: /$\ndisallow: /\n", "FooBot",
     "http://example.com/page.html", false},
// RFC 9309 §5.1 example file
#define RFC                                                                                                            \
    "User-Agent: *\nDisallow: *.gif$\nDisallow: /example/\nAllow: /publications/\n\nUser-Agent: foobot\nDisallow:/\n"  \
    "Allow:/example/page.html\nAllow:/example/allowed.gif\n\nUser-Agent: barbot\nUser-Agent: bazbot\n"                 \
    "Disallow: /example/page.html\n\nUser-Agent: quxbot\n\nEOF\n"
    {"rfc: foobot /", RFC, "foobot", "/", false},
    {"rfc: foobot page.html", RFC, "foobot", "/example/page.html", true},
    {"rfc: foobot allowed.gif", RFC, "foobot", "/example/allowed.gif", true},
    {"rfc: foobot other gif", RFC, "foobot", "/example/other.gif", false},
    {"rfc: barbot page.html", RFC, "barbot", "/example/page.html", false},
    {"rfc: bazbot page.html", RFC, "bazbot", "/example/page.html", false},
    {"rfc: bazbot other", RFC, "bazbot", "/example/other.html", true},
    {"rfc: quxbot has an empty group", RFC, "quxbot", "/example/page.html", true},
    {"rfc: others use *: gif", RFC, "otherbot", "/a/b.gif", false},
    {"rfc: others use *: /example/", RFC, "otherbot", "/example/x", false},
    {"rfc: others use *: publications", RFC, "otherbot", "/publications/x", true},
#undef RFC
    // Product tokens and specificity
    {"full user-agent string", "user-agent: weft\ndisallow: /private\n", "weft/0.1 (+https://weft.dev)",
     "http://a.b/private/x", false},
    {"group token with version", "user-agent: Googlebot/2.1\ndisallow: /\n", "googlebot", "/x", false},
    {"most specific group wins", "user-agent: googlebot\ndisallow: /a\n\nuser-agent: googlebot-news\ndisallow: /b\n",
     "Googlebot-News", "/a", true},
    {"most specific group wins 2", "user-agent: googlebot\ndisallow: /a\n\nuser-agent: googlebot-news\ndisallow: /b\n",
     "Googlebot-News", "/b", false},
    {"prefix at a hyphen", "user-agent: googlebot\ndisallow: /a\n\nuser-agent: *\ndisallow: /c\n", "Googlebot-Image",
     "/a", false},
    {"no prefix without a hyphen", "user-agent: googlebot\ndisallow: /a\n\nuser-agent: *\ndisallow: /c\n",
     "Googlebotty", "/a", true},
    {"groups for one agent merge",
     "user-agent: a\ndisallow: /x\n\nuser-agent: b\ndisallow: /y\n\nuser-agent: a\ndisallow: /z\n", "a", "/z", false},
    {"groups for one agent merge 2",
     "user-agent: a\ndisallow: /x\n\nuser-agent: b\ndisallow: /y\n\nuser-agent: a\ndisallow: /z\n", "a", "/y", true},
    // Line endings, BOM, typos, robots.txt itself
    {"CRLF", "User-Agent: foo\r\nAllow: /some/path\r\nUser-Agent: bar\r\n\r\n\r\nDisallow: /\r\n", "bar", "/x", false},
    {"CR only", "User-Agent: foo\rAllow: /some/path\rUser-Agent: bar\r\rDisallow: /\r", "bar", "/x", false},
    {"CR only 2", "User-Agent: foo\rAllow: /some/path\rUser-Agent: bar\r\rDisallow: /\r", "foo", "/x", true},
    {"mixed line ends", "User-Agent: foo\nAllow: /some/path\r\nUser-Agent: bar\r\n\nDisallow: /", "bar", "/x", false},
    {"BOM", "\xEF\xBB\xBFUser-Agent: foo\nDisallow: /x\n", "foo", "/x", false},
    {"partial BOM", "\xEF\xBBUser-Agent: foo\nDisallow: /x\n", "foo", "/x", false},
    {"broken BOM", "\xEF\x11\xBFUser-Agent: foo\nDisallow: /x\n", "foo", "/x", true},
    {"typo dissallow", "user-agent: foo\ndissallow: /x\n", "foo", "/x", false},
    {"typo useragent", "useragent: foo\ndisallow: /x\n", "foo", "/x", false},
    {"robots.txt always allowed", "user-agent: *\ndisallow: /\n", "foo", "http://a.b/robots.txt", true},
    {"robots.txt with query allowed", "user-agent: *\ndisallow: /\n", "foo", "/robots.txt?x=1", true},
    {"fragment ignored", "user-agent: *\ndisallow: /a$\n", "foo", "http://a.b/a#frag", false},
    {"query only URL", "user-agent: *\ndisallow: /?\n", "foo", "http://a.b?x=1", false},
    {"whitespace in a value is encoded", "user-agent: *\ndisallow: /a b\n", "foo", "/a%20b", false},
};

} // namespace

TEST_CASE("robots matches the RFC 9309 and google/robotstxt test table", "[engine][robots]")
{
    for (auto const& c : cases)
    {
        INFO(c.name << "\nagent: " << c.agent << "\nurl: " << c.url << "\nrobots.txt:\n" << c.body);
        CHECK(robots::parse(c.body).allowed(c.agent, c.url) == c.allowed);
    }
}

TEST_CASE("robots keeps content up to 500 KiB and ignores the rest", "[engine][robots]")
{
    std::string body = "user-agent: FooBot\ndisallow: /a\n";
    std::string filler = "# " + std::string(97, 'x') + "\n";
    while (body.size() + filler.size() < robots::max_size - 100)
        body += filler;
    body += "disallow: /b\n";
    // This rule straddles the limit: the cut line is dropped, not read as "disallow: /".
    while (body.size() < robots::max_size - 5)
        body += "#\n";
    body += "disallow: /cccccccc\n";
    body += "disallow: /d\n";
    auto r = robots::parse(body);
    CHECK_FALSE(r.allowed("FooBot", "/a"));
    CHECK_FALSE(r.allowed("FooBot", "/b"));
    CHECK(r.allowed("FooBot", "/c"));
    CHECK(r.allowed("FooBot", "/d"));
}

TEST_CASE("robots truncates very long lines like google/robotstxt", "[engine][robots]")
{
    std::string body = "user-agent: FooBot\ndisallow: /" + std::string(robots::max_line * 2, 'a') + "\n";
    auto r = robots::parse(body);
    CHECK_FALSE(r.allowed("FooBot", "/" + std::string(robots::max_line, 'a')));
    CHECK(r.allowed("FooBot", "/b"));
}

TEST_CASE("robots extracts crawl-delay per group and sitemaps globally", "[engine][robots]")
{
    auto r = robots::parse("Sitemap: https://a.b/s1.xml\n"
                           "user-agent: foo\ncrawl-delay: 2.5\ndisallow: /x\n\n"
                           "user-agent: *\nCrawl-delay: 10\n"
                           "sitemap: https://a.b/s2.xml.gz # comment\n"
                           "user-agent: bad\ncrawl-delay: -3\n"
                           "user-agent: huge\ncrawl-delay: 1e12\n");
    CHECK(r.crawl_delay("foo") == std::chrono::milliseconds(2500));
    CHECK(r.crawl_delay("other") == std::chrono::seconds(10));
    CHECK_FALSE(r.crawl_delay("bad").has_value());
    CHECK(r.crawl_delay("huge") == std::chrono::hours(24));
    REQUIRE(r.sitemaps().size() == 2);
    CHECK(r.sitemaps()[0] == "https://a.b/s1.xml");
    CHECK(r.sitemaps()[1] == "https://a.b/s2.xml.gz");
    CHECK_FALSE(robots::parse("user-agent: *\ndisallow: /\n").crawl_delay("x").has_value());
}

TEST_CASE("robots normalizes percent-encoding and extracts paths", "[engine][robots]")
{
    CHECK(robots::normalize("/a%7eb%2fc") == "/a~b%2Fc");
    CHECK(robots::normalize("/\xE3\x83\x84") == "/%E3%83%84");
    CHECK(robots::normalize("/50%") == "/50%");
    CHECK(robots::normalize("/%zz") == "/%zz");
    CHECK(robots::path_of("http://example.com") == "/");
    CHECK(robots::path_of("http://example.com?x=1") == "/?x=1");
    CHECK(robots::path_of("https://u:p@h:8080/a;b?c#d") == "/a;b?c");
    CHECK(robots::path_of("//h/x") == "/x");
    CHECK(robots::path_of("/a?b") == "/a?b");
    CHECK(robots::path_of("") == "/");
    CHECK(robots::product_token("Mozilla/5.0 (compatible)") == "Mozilla");
    CHECK(robots::product_token(" * ") == "*");
}

TEST_CASE("robots status handling follows RFC 9309 section 2.3.1", "[engine][robots]")
{
    auto ok = robots_from_fetch(200, "user-agent: *\ndisallow: /private\n");
    CHECK(ok.from == robots_policy::source::parsed);
    CHECK_FALSE(ok.rules.allowed("weft", "/private"));
    CHECK(ok.rules.allowed("weft", "/public"));
    CHECK(ok.max_age == std::chrono::hours(24));

    for (int status : {400, 401, 403, 404, 410, 301})
    {
        INFO(status);
        auto p = robots_from_fetch(status, "user-agent: *\ndisallow: /\n");
        CHECK(p.from == robots_policy::source::unavailable);
        CHECK(p.rules.allowed("weft", "/anything"));
    }
    for (int status : {500, 503, 599, 429, 0, -1})
    {
        INFO(status);
        auto p = robots_from_fetch(status, "");
        CHECK(p.from == robots_policy::source::unreachable);
        CHECK_FALSE(p.rules.allowed("weft", "/anything"));
        CHECK(p.rules.allowed("weft", "/robots.txt"));
        CHECK(p.max_age == weft::engine::unreachable_retry);
    }
    CHECK(robots::allow_all().allowed("x", "/"));
    CHECK_FALSE(robots::disallow_all().allowed("x", "/"));
}

TEST_CASE("robots handles pathological wildcard patterns quickly", "[engine][robots]")
{
    std::string pattern = "/";
    for (int i = 0; i < 2000; ++i)
        pattern += "*a";
    auto r = robots::parse("user-agent: *\ndisallow: " + pattern + "$\n");
    CHECK(r.allowed("x", "/" + std::string(5000, 'a') + "b"));
    CHECK_FALSE(r.allowed("x", "/" + std::string(5000, 'a')));
}
