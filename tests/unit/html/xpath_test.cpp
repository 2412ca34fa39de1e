// weft::html::xpath: the API (document, element, strings), parse errors and their messages,
// hostile input, and the edge cases of the core functions that the lxml comparison
// (xpath_lxml_test.cpp) cannot cover.
#include <weft/html/xpath.hpp>

#include <weft/error.hpp>
#include <weft/html/document.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <string>

namespace
{

using weft::html::document;
using weft::html::xpath;
using weft::html::xpath_diagnostics;
using weft::html::xpath_error;

document const& page()
{
    static auto const doc = document::from_utf8(
        R"(<!DOCTYPE html><html lang="en"><head><title>T</title></head><body>)"
        R"(<div id="a" class="x"><p>one <a href="/1">first</a></p><!--note--><p>two <a href="/2" class="n">second</a></p></div>)"
        R"(<ul><li>1</li><li>2</li><li>3</li></ul><p lang="de-AT">Servus</p></body></html>)");
    return doc;
}

std::string str(std::string_view x)
{
    return page().evaluate(x).string();
}

double num(std::string_view x)
{
    return page().evaluate(x).number();
}

xpath_diagnostics diagnose(std::string_view text)
{
    xpath_diagnostics d;
    auto const r = xpath::parse(text, &d);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == weft::error::bad_xpath);
    CHECK(r.error() == weft::condition::parse);
    return d;
}

} // namespace

TEST_CASE("xpath() gives elements, xpath_texts() strings as parsel's getall() does", "[html][xpath]")
{
    auto const& doc = page();
    auto const links = doc.xpath("//div[@class='x']/p/a");
    REQUIRE(links.size() == 2);
    CHECK(links[1].text() == "second");
    CHECK(doc.xpath_texts("//a/@href") == std::vector<std::string>{"/1", "/2"});
    CHECK(doc.xpath_texts("//p/text()") == std::vector<std::string>{"one ", "two ", "Servus"});
    CHECK(doc.xpath_texts("//a[@class]") == std::vector<std::string>{R"(<a href="/2" class="n">second</a>)"});
    CHECK(doc.xpath_texts("//comment()") == std::vector<std::string>{"<!--note-->"});
    CHECK(doc.xpath_text("//li[2]/text()") == "2");
    CHECK(doc.xpath_text("//nothing/@here") == "");
    CHECK(doc.xpath_texts("count(//li)") == std::vector<std::string>{"3"});
    CHECK(doc.xpath_texts("//li = 2") == std::vector<std::string>{"true"});
    CHECK(doc.xpath_texts("//a/@href").re_first(R"(\d)") == "1");
    CHECK(doc.xpath_texts("/").front().starts_with("<!DOCTYPE html><html lang=\"en\">"));
}

TEST_CASE("xpath() from an element is relative to it; // still searches the whole document", "[html][xpath]")
{
    auto const& doc = page();
    auto const second = doc.xpath("//p[2]").at(0);
    CHECK(second.xpath_text("a/@href") == "/2");
    CHECK(second.xpath_text("./a/text()") == "second");
    CHECK(second.xpath(".//a").size() == 1);
    CHECK(second.xpath("//a").size() == 2);
    CHECK(second.xpath("..").at(0).id() == "a");
    CHECK(second.xpath_text("preceding-sibling::comment()") == "<!--note-->");
    CHECK(second.evaluate("count(preceding::a)").number() == 1);
    CHECK(second.xpath_text("name()") == "p");
}

TEST_CASE("xpath() of attributes, text or a number throws an error that names xpath_texts()", "[html][xpath]")
{
    auto const& doc = page();
    CHECK_THROWS_WITH(doc.xpath("//a/@href"),
                      Catch::Contains("selects attributes") && Catch::Contains("xpath_texts()"));
    CHECK_THROWS_WITH(doc.xpath("//p/text()"), Catch::Contains("selects text nodes"));
    CHECK_THROWS_WITH(doc.xpath("count(//a)"), Catch::Contains("gives a number"));
    try
    {
        (void)doc.xpath("//a/@href");
        FAIL("no exception");
    }
    catch (weft::html::selector_error const& e) // xpath_error is one
    {
        CHECK(e.code() == weft::error::bad_xpath);
    }
}

TEST_CASE("evaluation errors name the sub-expression that is not a node-set", "[html][xpath]")
{
    CHECK_THROWS_AS(page().evaluate("count('a')"), xpath_error);
    CHECK_THROWS_WITH(page().evaluate("count('a')"),
                      "XPath 'count('a')': this argument must be a node-set (a path, like //a or @href) at position 7");
    CHECK_THROWS_WITH(page().evaluate("'a'/b"),
                      Catch::Contains("this is a string, where a node-set is needed") && Catch::Contains("position 1"));
    CHECK_THROWS_WITH(page().evaluate("(1)[1]"), Catch::Contains("this is a number"));
    CHECK_THROWS_WITH(page().evaluate("//a | 'x'"), Catch::Contains("at position 7"));
}

TEST_CASE("XPath parse errors say where and what was expected", "[html][xpath][errors]")
{
    auto d = diagnose("//a[");
    CHECK(d.position == 5);
    CHECK(d.expected == "an expression");
    CHECK(d.message == "invalid XPath '//a[': expected an expression at position 5");
    CHECK(diagnose("//a/[1]").expected == "a node test (a name, '*', text(), node(), comment())");
    d = diagnose("//a[@href");
    CHECK(d.message == "invalid XPath '//a[@href': expected ']' at position 10");
    d = diagnose("count(//a");
    CHECK(d.expected == "')'");
    d = diagnose("");
    CHECK(d.message == "invalid XPath '': expected an expression at position 1");
    d = diagnose("//a[@x='1]");
    CHECK(d.message.find("the closing ' of the string at position 8") != std::string::npos);
    CHECK(diagnose("//a/").position == 5);
    CHECK(diagnose("foo(1)").message.find("unknown function 'foo()'") != std::string::npos);
    CHECK(diagnose("count()").message.find("count() takes 1 argument, not 0") != std::string::npos);
    CHECK(diagnose("substring('a')").message.find("substring() takes 2 to 3 arguments, not 1") != std::string::npos);
    CHECK(diagnose("concat('a')").message.find("at least 2") != std::string::npos);
    CHECK(diagnose("$x").message.find("variables are not supported") != std::string::npos);
    CHECK(diagnose("//svg:rect").message.find("namespace prefix") != std::string::npos);
    CHECK(diagnose("//a/sideways::b").message.find("unknown axis 'sideways'") != std::string::npos);
    CHECK(diagnose("//a ! b").message.find("'!' is not an operator") != std::string::npos);
    CHECK(diagnose("1 2").message.find("expected an operator") != std::string::npos);
    CHECK(diagnose("//a b").message.find("'b' cannot follow an operand") != std::string::npos);
    CHECK(diagnose("a::b").position == 1);
    CHECK(diagnose(".e(").message.find("'e' cannot follow an operand") != std::string::npos); // found by fuzzing
    CHECK(diagnose("//a[1]]").message ==
          "invalid XPath '//a[1]]': unexpected ']': expected an operator or the end at position 7");
    CHECK_THROWS_AS(xpath("//a["), xpath_error);
    CHECK_THROWS_WITH(page().xpath("//a["), Catch::Contains("invalid XPath '//a['"));
}

TEST_CASE("the lexer tells operators from names as XPath 1.0 says", "[html][xpath]")
{
    auto const doc = document::from_utf8("<div><and>1</and><div>2</div><mod>3</mod></div>");
    CHECK(doc.xpath("//and").size() == 1);
    CHECK(doc.xpath("//div/mod").size() == 1);
    CHECK(doc.evaluate("//and * 2").number() == 2);
    CHECK(doc.evaluate("count(//*) div 2").number() == 3.5);
    CHECK(doc.evaluate("//mod mod 2").number() == 1);
    CHECK(doc.evaluate("count(child :: *)").number() == 1);
    CHECK(doc.evaluate("count(//div / *)").number() == 3);
    CHECK(doc.xpath("//div[div]").size() == 1);
}

TEST_CASE("numbers become strings as XPath 1.0 says", "[html][xpath][functions]")
{
    CHECK(str("string(1 div 0)") == "Infinity");
    CHECK(str("string(-1 div 0)") == "-Infinity");
    CHECK(str("string(0 div 0)") == "NaN");
    CHECK(str("string(0.5)") == "0.5");
    CHECK(str("string(-0.5)") == "-0.5");
    CHECK(str("string(-0)") == "0");
    CHECK(str("string(round(-0.4))") == "0");
    CHECK(str("string(1000000000000)") == "1000000000000");
    CHECK(str("string(123456789012345678901234567890)") == "123456789012345680000000000000");
    CHECK(str("string(0.000001)") == "0.000001");
    CHECK(str("string(0.1 + 0.2)") == "0.30000000000000004");
    CHECK(str("string(1 div 3)") == "0.3333333333333333");
    CHECK(str("string(-12.5)") == "-12.5");
    CHECK(str("string(2)") == "2");
}

TEST_CASE("strings become numbers as XPath 1.0 says", "[html][xpath][functions]")
{
    CHECK(num("number(' 12.5 ')") == 12.5);
    CHECK(num("number('-.5')") == -0.5);
    CHECK(num("number('5.')") == 5);
    CHECK(std::isnan(num("number('1e3')")));
    CHECK(std::isnan(num("number('+1')")));
    CHECK(std::isnan(num("number('')")));
    CHECK(std::isnan(num("number('1 2')")));
    CHECK(std::isnan(num("number('.')")));
    CHECK(std::isnan(num("number('--1')")));
    CHECK(num("number(true())") == 1);
    CHECK(num("number(//li[3])") == 3);
}

TEST_CASE("round, floor and ceiling keep XPath's signs and specials", "[html][xpath][functions]")
{
    double const r = num("round(-0.5)");
    CHECK(r == 0);
    CHECK(std::signbit(r));
    CHECK(std::signbit(num("round(-0.2)")));
    CHECK_FALSE(std::signbit(num("round(0.2)")));
    CHECK(num("round(0.5)") == 1);
    CHECK(num("round(-1.5)") == -1);
    CHECK(num("round(2.4999)") == 2);
    CHECK(std::isnan(num("round(0 div 0)")));
    CHECK(std::isinf(num("round(1 div 0)")));
    CHECK(num("floor(-0.5)") == -1);
    CHECK(num("ceiling(-0.5)") == 0);
    CHECK(std::signbit(num("ceiling(-0.5)")));
}

TEST_CASE("the string functions count characters, not bytes", "[html][xpath][functions]")
{
    CHECK(num("string-length('café')") == 4);
    CHECK(str("substring('café!', 4, 1)") == "é");
    CHECK(str("substring('12345', 1.5, 2.6)") == "234");
    CHECK(str("substring('12345', 0, 3)") == "12");
    CHECK(str("substring('12345', 0 div 0, 3)") == "");
    CHECK(str("substring('12345', 1, 0 div 0)") == "");
    CHECK(str("substring('12345', -42, 1 div 0)") == "12345");
    CHECK(str("substring('12345', -1 div 0, 1 div 0)") == "");
    CHECK(str("translate('bar', 'abc', 'ABC')") == "BAr");
    CHECK(str("translate('--aaa--', 'abc-', 'ABC')") == "AAA");
    CHECK(str("translate('aba', 'aa', 'xy')") == "xbx");
    CHECK(str("translate('ça', 'ç', 'c')") == "ca");
    CHECK(str("normalize-space('  a\t\n b  ')") == "a b");
    CHECK(str("substring-before('a/b/c', '/')") == "a");
    CHECK(str("substring-after('a/b/c', '/')") == "b/c");
    CHECK(str("substring-after('abc', 'x')") == "");
    CHECK(str("concat('a', 1, true())") == "a1true");
    CHECK(page().evaluate("starts-with('abc', 'ab')").boolean());
    CHECK_FALSE(page().evaluate("contains('abc', 'd')").boolean());
}

TEST_CASE("node-set functions: name, local-name, namespace-uri, id, count, sum, lang", "[html][xpath][functions]")
{
    CHECK(str("name(//a/@href)") == "href");
    CHECK(str("local-name(//ul)") == "ul");
    CHECK(str("name(//nothing)") == "");
    CHECK(str("namespace-uri(//ul)") == "");
    CHECK(page().xpath("id('a')").size() == 1);
    CHECK(page().xpath("id('nope a  a')").size() == 1);
    CHECK(page().xpath("id(//nothing)").empty());
    CHECK(num("count(//li)") == 3);
    CHECK(num("sum(//li)") == 6);
    CHECK(std::isnan(num("sum(//li | //title)")));
    // lang() reads HTML's lang attribute (lxml.html reads only xml:lang)
    CHECK(num("count(//*[lang('en')])") == page().size() - 1);
    CHECK(num("count(//p[lang('de')])") == 1);
    CHECK(num("count(//p[lang('DE-at')])") == 1);
    CHECK(num("count(//p[lang('d')])") == 0);
    CHECK(str("string(//a/@href)") == "/1");
    CHECK(page().evaluate("re:test((//a)[2], '^s.c')").boolean());
    CHECK(page().evaluate("re:test('ABC', 'b', 'i')").boolean());
    CHECK_FALSE(page().evaluate("re:test('ABC', 'b')").boolean());
    CHECK_THROWS_WITH(page().evaluate("re:test('a', '(')"), Catch::Contains("does not compile"));
    CHECK(page().xpath("//li[re:test(., '[23]')]").size() == 2);
}

TEST_CASE("position and last count backward on reverse axes and forward in filters", "[html][xpath]")
{
    auto const& doc = page();
    auto const third = doc.xpath("//li[3]").at(0);
    CHECK(third.xpath_text("preceding-sibling::li[1]") == "<li>2</li>");
    CHECK(third.xpath_text("(preceding-sibling::li)[1]") == "<li>1</li>");
    CHECK(third.xpath_text("ancestor::*[last()]/@lang") == "en");
    CHECK(third.xpath_text("ancestor::*[1]/li[last()]/text()") == "3");
    CHECK(doc.xpath_texts("//li[position() > 1]/text()") == std::vector<std::string>{"2", "3"});
    CHECK(doc.xpath_texts("//li[last() - 1]/text()") == std::vector<std::string>{"2"});
    CHECK(doc.xpath_texts("//li[position() = last()][1]/text()") == std::vector<std::string>{"3"});
}

TEST_CASE("the following axis of an attribute starts with its element's children", "[html][xpath]")
{
    auto const& doc = page();
    CHECK(doc.xpath_texts("//a[@class]/@href/following::text()[1]") == std::vector<std::string>{"second"});
    CHECK(doc.evaluate("count(//a[@class]/@href/preceding::a)").number() == 1);
    CHECK(doc.evaluate("count(//a/@href/parent::a)").number() == 2);
    CHECK(doc.evaluate("count(//@href/ancestor::div)").number() == 1);
    CHECK(doc.evaluate("count(//a/@href/following-sibling::node())").number() == 0);
    CHECK(doc.evaluate("count(//a/attribute::*/child::node())").number() == 0);
    CHECK(doc.evaluate("count(//ul/namespace::*)").number() == 0);
}

TEST_CASE("node-sets are in document order without duplicates", "[html][xpath]")
{
    auto const& doc = page();
    auto const v = doc.evaluate("//li/text() | //li | //ul | //li/.. | //ul/@*");
    REQUIRE(v.nodes().size() == 7);
    CHECK(v.nodes()[0].name() == "ul");
    CHECK(v.nodes()[1].name() == "li");
    CHECK(v.nodes()[2].string_value() == "1");
    CHECK(v.nodes()[2].type() == weft::html::xpath_node::kind::text);
    CHECK(doc.evaluate("count(//li/ancestor::*)").number() == 3);
    CHECK(doc.evaluate("count(//*/..)").number() == 8); // the document node too
    CHECK(doc.xpath_texts("(//p/node())[last()]") == std::vector<std::string>{"Servus"});
    CHECK(doc.xpath_texts("//comment()/preceding::text()") == std::vector<std::string>{"T", "one ", "first"});
}

TEST_CASE("hostile expressions fail to parse instead of exhausting the stack", "[html][xpath][hostile]")
{
    std::string deep(10'000, '(');
    deep += "1";
    deep += std::string(10'000, ')');
    CHECK(diagnose(deep).message.find("nests deeper than 100 levels") != std::string::npos);
    std::string preds = "//a";
    for (int i = 0; i < 5'000; ++i)
        preds += "[a";
    CHECK_FALSE(xpath::parse(preds).has_value());
    std::string minus(100'000, '-');
    CHECK_FALSE(xpath::parse(minus + "1").has_value());
    std::string sum = "1";
    for (int i = 0; i < 10'000; ++i)
        sum += "+1";
    CHECK(diagnose(sum).message.find("deeper than 256 levels") != std::string::npos);
    // flat chains stay flat: a long union and a long `or` parse and run
    std::string uni = "//li";
    for (int i = 0; i < 5'000; ++i)
        uni += "|//li";
    CHECK(page().evaluate(uni).nodes().size() == 3);
    std::string ors = "0";
    for (int i = 0; i < 5'000; ++i)
        ors += " or 0";
    CHECK_FALSE(page().evaluate(ors).boolean());
    std::string steps = "/html";
    for (int i = 0; i < 5'000; ++i)
        steps += "/..";
    CHECK(page().evaluate(steps).nodes().empty());
    CHECK_FALSE(xpath::parse(std::string(1'000'000, '"')).has_value());
}

TEST_CASE("a deep tree with repeated descendant steps stays polynomial", "[html][xpath][hostile]")
{
    // 2000 nested divs: `//*//*//*//*` would enumerate depth^4 paths without de-duplication per step.
    std::string html;
    for (int i = 0; i < 2'000; ++i)
        html += "<div>x";
    auto const doc = document::from_utf8(html);
    auto const start = std::chrono::steady_clock::now();
    auto const n = doc.evaluate("count(//*//*//*//*//div)").number();
    CHECK(n > 100);
    CHECK(n == doc.evaluate("count(//div[count(ancestor::*) >= 4])").number());
    auto const divs = doc.evaluate("count(//div)").number();
    CHECK(doc.evaluate("count(//div/ancestor::div)").number() >= 500); // weft caps nesting at 512
    CHECK(doc.evaluate("count(//div//text())").number() == divs);
    // generous: a quadratic walk takes milliseconds here, an exponential one would not end
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
}

TEST_CASE("a step without predicates gives what the same step with a true predicate gives", "[html][xpath]")
{
    // Steps without predicates take shortcuts (fewer context nodes, ancestors walked once); a
    // predicate turns them off, so the two must agree on every axis and context set.
    auto const doc =
        document::from_utf8("<!--a--><div id=d><p>x<b>y<i>z</i></b>w<!--c--></p><p q=1 r=2><span>s</span>t</p></div>"
                            "<ul><li>1<ul><li>2</li><li>3<b>4</b></li></ul></li><li>5</li></ul><p>v</p>");
    char const* const contexts[] = {"//node()", "//*",          "//text()",
                                    "//@*",     "//comment()",  "//b | //@q",
                                    "/",        "//li//node()", "//p/node() | //p/@*",
                                    "//li[1]",  "//*[last()]"};
    char const* const axes[] = {
        "ancestor",  "ancestor-or-self",  "attribute", "child",  "descendant", "descendant-or-self",
        "following", "following-sibling", "namespace", "parent", "preceding",  "preceding-sibling",
        "self"};
    char const* const tests[] = {"node()", "*", "text()", "b"};
    for (auto const* c : contexts)
        for (auto const* a : axes)
            for (auto const* t : tests)
            {
                std::string const plain = std::string("(") + c + ")/" + a + "::" + t;
                INFO(plain);
                auto const fast = doc.evaluate(plain);
                auto const slow = doc.evaluate(plain + "[true()]");
                CHECK(fast.nodes() == slow.nodes());
            }
}
