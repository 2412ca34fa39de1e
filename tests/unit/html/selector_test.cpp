#include <weft/html/selector.hpp>

#include <weft/html/document.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace
{

using weft::html::document;
using weft::html::element;
using weft::html::selector;

// Expected results below are derived from Selectors Level 3/4 and the HTML parsing and
// "case-sensitivity of selectors" rules, not from this implementation's output.
constexpr char const* page = R"(<!DOCTYPE html>
<html id=html lang=en>
<head id=head><title id=title>Test</title></head>
<body id=body>
<div id=d1 class="a b" data-x="foo-bar" title="Hello World">
  <p id=p1 class=a>one</p>
  <p id=p2 lang=fr-CA>two <span id=s1>x</span></p>
  <!-- a comment -->
  <span id=s2 class=B></span>
  <p id=p3 class="a  c"></p>
</div>
<ul id=ul>
  <li id=l1>1</li><li id=l2>2</li><li id=l3 class=odd>3</li><li id=l4>4</li><li id=l5>5</li><li id=l6>6</li>
</ul>
<table id=t><tr id=tr1><td id=td1>a</td></tr></table>
<form id=f>
  <input id=i1 type=checkbox checked>
  <input id=i2 type=RADIO checked disabled>
  <input id=i3 type=text required>
  <input id=i4 readonly>
  <select id=sel><option id=o1 selected>a</option><optgroup id=og disabled><option id=o2>b</option></optgroup></select>
  <fieldset id=fs disabled><legend id=lg><input id=i5></legend><input id=i6></fieldset>
  <textarea id=ta placeholder=x></textarea>
  <button id=b1>b</button>
</form>
<a id=a1 href="http://example.com/x.pdf" hreflang=en-US rel="nofollow noopener">a</a>
<a id=a2 name=anchor>b</a>
<area id=ar1 href=/x>
<img id=img alt="">
<section id=sec><h2 id=h2>h</h2><p id=sp1>x</p><p id=sp2>y</p><div id=sd><p id=sp3>z</p></div><p id=sp4></p></section>
<b id="a:b" class="1x &#xDC;n">e</b>
</body></html>)";

// "id id id": each match by id, or by tag name when it has none.
std::string names(std::vector<element> const& v)
{
    std::string out;
    for (auto const& e : v)
    {
        if (!out.empty())
            out += ' ';
        out += std::string(e.attr("id").value_or(e.tag()));
    }
    return out;
}

struct row
{
    char const* sel;
    char const* expected;
};

constexpr row rows[] = {
    // type, universal, id, class
    {"p", "p1 p2 p3 sp1 sp2 sp3 sp4"},
    {"P", "p1 p2 p3 sp1 sp2 sp3 sp4"},
    {"#p1", "p1"},
    {"#P1", ""},
    {".a", "d1 p1 p3"},
    {".b", "d1"},
    {".B", "s2"},
    {".c", "p3"},
    {".a.b", "d1"},
    {".a.c", "p3"},
    {"p.a", "p1 p3"},
    {"span.a", ""},
    {"#d1.a.b", "d1"},
    {"#d1#d1", "d1"},
    {"#d1#p1", ""},
    {"*|p", "p1 p2 p3 sp1 sp2 sp3 sp4"},
    {"|p", ""},
    {"*|*#p1", "p1"},
    {"#a\\:b", "a:b"},
    {".\\31 x", "a:b"},
    {".\\31x", "a:b"},
    {"#\\61\\3A b", "a:b"},
    {".\xC3\x9Cn", "a:b"},
    {"td", "td1"},
    {"TD", "td1"},
    // combinators
    {"div p", "p1 p2 p3 sp3"},
    {"div > p", "p1 p2 p3 sp3"},
    {"div>p", "p1 p2 p3 sp3"},
    {"section > p", "sp1 sp2 sp4"},
    {"body > p", ""},
    {"body p span", "s1"},
    {"#p1 + p", "p2"},
    {"#p1+p", "p2"},
    {"#p1 ~ p", "p2 p3"},
    {"#p1 ~ *", "p2 s2 p3"},
    {"#p2 + span", "s2"},
    {"#p2 + p", ""},
    {"h2 + p", "sp1"},
    {"h2 ~ p", "sp1 sp2 sp4"},
    {"h2 ~ p ~ p", "sp2 sp4"},
    {"h2 + p + p", "sp2"},
    {"body > *", "d1 ul t f a1 a2 ar1 img sec a:b"},
    {"html > body > section > div > p", "sp3"},
    {"head title", "title"},
    {"head > title", "title"},
    {"section div p", "sp3"},
    {"div div p", ""},
    {"div * p", ""},
    {"body * p", "p1 p2 p3 sp1 sp2 sp3 sp4"},
    {"section * p", "sp3"},
    {"body > * > p", "p1 p2 p3 sp1 sp2 sp4"},
    {"ul li + li + li", "l3 l4 l5 l6"},
    {"ul li:nth-child(2) + li", "l3"},
    {"#d1 *", "p1 p2 s1 s2 p3"},
    {"#d1 p:nth-child(2)", "p2"},
    {"p > span", "s1"},
    {"div span", "s1 s2"},
    // HTML parsing: <table><tr> gets an implied <tbody>
    {"table > tr", ""},
    {"table > tbody > tr", "tr1"},
    {"tbody", "tbody"},
    {"table td", "td1"},
    // lists: document order, no duplicates
    {"body > div, body > section", "d1 sec"},
    {"body > section, body > div", "d1 sec"},
    {"p, .a", "d1 p1 p2 p3 sp1 sp2 sp3 sp4"},
    {"#p1, #p1, p#p1", "p1"},
    {"h2 , td", "td1 h2"},
    // attributes
    {"[data-x]", "d1"},
    {"[DATA-X]", "d1"},
    {"[ data-x ]", "d1"},
    {"[data-x=foo-bar]", "d1"},
    {"[data-x='foo-bar']", "d1"},
    {"[data-x=\"foo-bar\"]", "d1"},
    {"[data-x=\"foo\"]", ""},
    {"[data-x=FOO-BAR]", ""},
    {"[data-x=FOO-BAR i]", "d1"},
    {"[data-x=FOO-BAR I]", "d1"},
    {"[data-x|=foo]", "d1"},
    {"[data-x|=fo]", ""},
    {"[data-x|='foo-bar']", "d1"},
    {"[lang|=fr]", "p2"},
    {"[lang|=FR]", "p2"},
    {"[lang=fr-ca]", "p2"},
    {"[hreflang|=en]", "a1"},
    {"[title~=World]", "d1"},
    {"[title~=world]", ""},
    {"[title~=world i]", "d1"},
    {"[title~='Hello World']", ""},
    {"[title~='']", ""},
    {"[title^=Hell]", "d1"},
    {"[title^=hell]", ""},
    {"[title^=hell i]", "d1"},
    {"[title$=rld]", "d1"},
    {"[title*='o W']", "d1"},
    {"[title^='']", ""},
    {"[title$='']", ""},
    {"[title*=\"\"]", ""},
    {"[title='Hello World']", "d1"},
    {"[href$='.pdf']", "a1"},
    {"[href$='.PDF']", ""},
    {"[href$='.PDF' i]", "a1"},
    {"[href^='http:']", "a1"},
    {"a[href]", "a1"},
    {"[href]", "a1 ar1"},
    {"a[name]", "a2"},
    {"[type=radio]", "i2"},
    {"[type=radio s]", ""},
    {"[type=RADIO s]", "i2"},
    {"[type=CHECKBOX]", "i1"},
    {"[rel~=noopener]", "a1"},
    {"[rel~=NOOPENER]", "a1"},
    {"[rel~=nofollow][rel~=noopener]", "a1"},
    {"[class=a]", "p1"},
    {"[class~=a]", "d1 p1 p3"},
    {"[class='a  c']", "p3"},
    {"[class~=c]", "p3"},
    {"[id^=l]", "l1 l2 l3 l4 l5 l6 lg"},
    {"[id$='1']", "d1 p1 s1 l1 tr1 td1 i1 o1 b1 a1 ar1 sp1"},
    {"[id*=':']", "a:b"},
    {"[id='a\\:b']", "a:b"},
    {"[*|id=p1]", "p1"},
    {"[|id=p1]", "p1"},
    {"[alt='']", "img"},
    {"[alt]", "img"},
    {"[checked]", "i1 i2"},
    {"input[type]", "i1 i2 i3"},
    {"input:not([type])", "i4 i5 i6"},
    {"[data-x=foo-bar][title]", "d1"},
    // structural pseudo-classes
    {"li:first-child", "l1"},
    {"li:last-child", "l6"},
    {"li:nth-child(2)", "l2"},
    {"li:nth-child(odd)", "l1 l3 l5"},
    {"li:nth-child(ODD)", "l1 l3 l5"},
    {"li:nth-child(even)", "l2 l4 l6"},
    {"li:nth-child(2n+1)", "l1 l3 l5"},
    {"li:nth-child(2n-1)", "l1 l3 l5"},
    {"li:nth-child( 2n - 1 )", "l1 l3 l5"},
    {"li:nth-child(2n+ 1)", "l1 l3 l5"},
    {"li:nth-child(2n +1)", "l1 l3 l5"},
    {"li:nth-child(2N+0)", "l2 l4 l6"},
    {"li:nth-child(2n)", "l2 l4 l6"},
    {"li:nth-child(-n+3)", "l1 l2 l3"},
    {"li:nth-child(n+4)", "l4 l5 l6"},
    {"li:nth-child(+n+4)", "l4 l5 l6"},
    {"li:nth-child(3n)", "l3 l6"},
    {"li:nth-child(+5)", "l5"},
    {"li:nth-child(-5)", ""},
    {"li:nth-child(0n+0)", ""},
    {"li:nth-child(0)", ""},
    {"li:nth-child(-2n+5)", "l1 l3 l5"},
    {"li:nth-child(n)", "l1 l2 l3 l4 l5 l6"},
    {"li:nth-child(N)", "l1 l2 l3 l4 l5 l6"},
    {"li:nth-child(-n)", ""},
    {"li:nth-child(n-2)", "l1 l2 l3 l4 l5 l6"},
    {"li:nth-child(3n-2)", "l1 l4"},
    {"li:nth-child(-n-1)", ""},
    {"li:nth-child(99999999999)", ""},
    {"li:nth-last-child(1)", "l6"},
    {"li:nth-last-child(-n+2)", "l5 l6"},
    {"li:nth-last-child(odd)", "l2 l4 l6"},
    {"li:nth-child(1 of .odd)", "l3"},
    {"li:nth-child(2 of .odd)", ""},
    {"li:nth-child(2 of :not(.odd))", "l2"},
    {"li:nth-child(3 of :not(.odd))", "l4"},
    {"li:nth-child(odd of li:not(.odd))", "l1 l4 l6"},
    {"li:nth-last-child(1 of :not(.odd))", "l6"},
    {"li:nth-last-child(-n+2 of .odd, #l1)", "l1 l3"},
    {"section > :first-child", "h2"},
    {"section > :last-child", "sp4"},
    {"section > p:first-child", ""},
    {"section > p:first-of-type", "sp1"},
    {"section > p:last-of-type", "sp4"},
    {"section p:last-of-type", "sp3 sp4"},
    {"section > :nth-of-type(2)", "sp2"},
    {"section > :nth-last-of-type(2)", "sp2"},
    {"section > p:nth-of-type(2n+1)", "sp1 sp4"},
    {"section > p:nth-last-of-type(odd)", "sp1 sp4"},
    {"section > :only-of-type", "h2 sd"},
    {"section > :first-of-type", "h2 sp1 sd"},
    {"#d1 > :last-of-type", "s2 p3"},
    {"#d1 > :first-of-type", "p1 s2"},
    {"td:nth-of-type(1)", "td1"},
    {":only-child", "html title s1 tbody tr1 td1 o2 i5 sp3"},
    {"p:only-child", "sp3"},
    {"p:empty", "p3 sp4"},
    {"p:empty, span:empty", "s2 p3 sp4"},
    {"div:empty", ""},
    {"select > :empty", ""},
    {":root", "html"},
    {"html:root", "html"},
    {"body:root", ""},
    {":root > body > section", "sec"},
    {":scope", "html"},
    {":scope > body > #sec", "sec"},
    {"html:first-child", "html"},
    // user-interface pseudo-classes
    {":checked", "i1 i2 o1"},
    {"input:checked", "i1 i2"},
    {":disabled", "i2 og o2 fs i6"},
    {":enabled", "i1 i3 i4 sel o1 i5 ta b1"},
    {"input:enabled", "i1 i3 i4 i5"},
    {"input:required", "i3"},
    {"input:optional", "i1 i2 i4 i5 i6"},
    {":required", "i3"},
    {":read-write", "i3 i5 ta"},
    {"input:read-only", "i1 i2 i4 i6"},
    {":placeholder-shown", "ta"},
    {":link", "a1 ar1"},
    {":any-link", "a1 ar1"},
    {"a:link", "a1"},
    {"a:visited", ""},
    {":hover", ""},
    {"a:focus, a:active, :target", ""},
    // logical pseudo-classes
    {"#d1 > :not(p)", "s2"},
    {"#d1 > :not(.a)", "p2 s2"},
    {"#d1 > :not(p, span)", ""},
    {"#d1 > :not(p.a)", "p2 s2"},
    {"#d1 > :not(:not(.a))", "p1 p3"},
    {"#d1 > :not(div p)", "s2"},
    {"#d1 > :not(body > div > p)", "s2"},
    {"#d1 > p:not(:first-child):not(:last-child)", "p2"},
    {":is(h2, #p1)", "p1 h2"},
    {":is(section, #d1) > p", "p1 p2 p3 sp1 sp2 sp4"},
    {":where(#sec) > p", "sp1 sp2 sp4"},
    {":matches(#sec) > :is(h2)", "h2"},
    {":is(ul li:first-child, td)", "l1 td1"},
    {"p:is(:nth-child(2), :last-child)", "p2 p3 sp1 sp3 sp4"},
    {":is(:is(:is(#p1)))", "p1"},
    // :has()
    {"div:has(> span)", "d1"},
    {"div:has(span)", "d1"},
    {"p:has(span)", "p2"},
    {"p:has(> span)", "p2"},
    {"section:has(> div > p)", "sec"},
    {"section:has(> p > p)", ""},
    {"body:has(> section p)", "body"},
    {"h2:has(+ p)", "h2"},
    {"h2:has(+ div)", ""},
    {"h2:has(~ div)", "h2"},
    {"h2:has(~ div > p)", "h2"},
    {"#p1:has(~ span)", "p1"},
    {"#p3:has(~ span)", ""},
    {"li:has(+ li.odd)", "l2"},
    {"li:has(~ .odd)", "l1 l2"},
    {"div:has(p):not(:has(span))", "sd"},
    {":has(> #td1)", "tr1"},
    {":has(#td1)", "html body t tbody tr1"},
    {"ul:has(li, td)", "ul"},
    {"li:has(li)", ""},
    {"section:has(:scope > h2)", ""},
    // :lang(), :contains()
    {"span:lang(fr)", "s1"},
    {"p:lang(fr)", "p2"},
    {"p:lang(fr-ca)", "p2"},
    {"p:lang(FR)", "p2"},
    {"p:lang(fr-c)", ""},
    {"p:lang(\"fr\")", "p2"},
    {"li:lang(en)", "l1 l2 l3 l4 l5 l6"},
    {"li:lang(de, en)", "l1 l2 l3 l4 l5 l6"},
    {"li:lang(e)", ""},
    {"p:contains(two)", "p2"},
    {"p:contains('z')", "sp3"},
    {"p:contains(\"t\")", "p2"},
    {"div:contains(z)", "sd"},
    // compound combos
    {"div#d1.a[data-x]:first-of-type", "d1"},
    {"*#d1", "d1"},
    {"* > #s1", "s1"},
    {"body > :nth-child(2)", "ul"},
    {"body >:nth-child( 2 )", "ul"},
    {"a /* comment */ > b", ""},
    {"p/**/.a", "p1 p3"},
    {"p/**/ .a", ""},
    {"div/**/>/**/p.a", "p1 p3"},
    {"  p.a  ", "p1 p3"},
    {"\tdiv\n>\np:last-child", "p3 sp3"},
};

} // namespace

TEST_CASE("selectors match as Selectors Level 3/4 specify", "[html][selector]")
{
    auto const doc = document::from_utf8(page);
    for (auto const& r : rows)
    {
        INFO("selector: " << r.sel);
        auto parsed = selector::parse(r.sel);
        REQUIRE(parsed.has_value());
        CHECK(names(doc.css(*parsed)) == r.expected);
        // css_first agrees with css
        auto first = doc.css_first(*parsed);
        std::string const expected = r.expected;
        CHECK(first.has_value() == !expected.empty());
        // matches() agrees with css (for selectors without :scope)
        std::vector<element> by_match;
        for (auto const& e : doc.css("*"))
            if (e.matches(*parsed))
                by_match.push_back(e);
        CHECK(names(by_match) == r.expected);
    }
}

TEST_CASE("element.css searches descendants but matches against the whole document", "[html][selector]")
{
    auto const doc = document::from_utf8(page);
    auto const sec = doc.css_first("#sec").value();
    CHECK(names(sec.css("p")) == "sp1 sp2 sp3 sp4");
    CHECK(names(sec.css("section p")) == "sp1 sp2 sp3 sp4");
    CHECK(names(sec.css("body p")) == "sp1 sp2 sp3 sp4");
    CHECK(names(sec.css("div p")) == "sp3");
    CHECK(names(sec.css(":scope > p")) == "sp1 sp2 sp4");
    CHECK(names(sec.css("> p")) == "sp1 sp2 sp4");
    CHECK(names(sec.css("> div p, > h2")) == "h2 sp3");
    CHECK(names(sec.css("+ b")) == "");
    CHECK(names(sec.css("section")) == "");
    CHECK(names(sec.css(":scope")) == "");
    CHECK(names(doc.css_first("#d1")->css("> p")) == "p1 p2 p3");
    CHECK(names(doc.css_first("#d1")->css(":scope ~ *")) == "");
    // a relative selector from the document is relative to the document node
    CHECK(names(doc.css("> body")) == "");
    CHECK(names(doc.css("> html")) == "html");
}

TEST_CASE("a compiled selector is reusable across documents", "[html][selector]")
{
    selector const s("li.x:nth-child(2)");
    auto const a = document::from_utf8("<ul><li>1<li class=x>2</ul>");
    auto const b = document::from_utf8("<ol><li class=x>1<li class=x>2<li class=x>3</ol>");
    CHECK(a.css(s).size() == 1);
    CHECK(b.css(s).size() == 1);
    CHECK(b.css(s)[0].text() == "2");
    CHECK(s.text() == "li.x:nth-child(2)");
    selector const copy = s;
    CHECK(copy.text() == s.text());
}

namespace
{

struct bad
{
    char const* sel;
    std::size_t position;
    char const* message; // the part after "invalid CSS selector '<sel>': "
};

constexpr bad bad_rows[] = {
    {"a[href", 7, "expected ']' at position 7"},
    {"", 1, "expected a selector at position 1"},
    {"   ", 4, "expected a selector at position 4"},
    {"a,", 3, "expected a selector at position 3"},
    {"a, ,b", 4, "expected a selector at position 4"},
    {"a >", 4, "expected a selector at position 4"},
    {"a > > b", 5, "expected a selector at position 5"},
    {"a < b", 3, "expected a selector at position 3"},
    {"a)", 2, "unexpected ')' at position 2"},
    {"::before", 1,
     "unknown pseudo-element '::before' (supported: parsel's '::text' and '::attr(name)'; browsers' ::before, "
     "::after, ::first-line... select nothing in a parsed page) at position 1"},
    {"p::after", 2,
     "unknown pseudo-element '::after' (supported: parsel's '::text' and '::attr(name)'; browsers' ::before, "
     "::after, ::first-line... select nothing in a parsed page) at position 2"},
    {"p:before", 2,
     "':before' is a pseudo-element of browsers and selects nothing in a parsed page (supported pseudo-elements: "
     "'::text', '::attr(name)') at position 2"},
    {"a:foo", 2, "unknown pseudo-class ':foo' at position 2"},
    {"a:foo(1)", 2, "unknown pseudo-class ':foo()' at position 2"},
    {"a:", 3, "expected a pseudo-class name at position 3"},
    {":nth-child", 11, "expected '(' at position 11"},
    {":not", 5, "expected '(' at position 5"},
    {":nth-child(2n+)", 15, "expected an integer at position 15"},
    {":nth-child(2n + -1)", 17, "expected an integer at position 17"},
    {":nth-child(+ 2)", 13, "expected An+B at position 13"},
    {":nth-child(- n)", 13, "expected An+B at position 13"},
    {":nth-child(2 n)", 14, "expected ')' at position 14"},
    {":nth-child(n1)", 13, "expected An+B at position 13"},
    {":nth-child()", 12, "expected An+B at position 12"},
    {":nth-child(foo)", 12, "expected An+B at position 12"},
    {":nth-of-type(1 of p)", 16, "expected ')' at position 16"},
    {"a[x=]", 5, "expected an attribute value at position 5"},
    {"a[x~y]", 5, "expected '=' at position 5"},
    {"a[x!=y]", 4, "expected an attribute operator or ']' at position 4"},
    {"a[x=y z]", 7, "unknown attribute flag 'z' (expected 'i' or 's') at position 7"},
    {"a[x='y]", 8, "expected \"'\" at position 8"},
    {"a[x=\"y]", 8, "expected '\"' at position 8"},
    {"a[x=y i", 8, "expected ']' at position 8"},
    {"a[1]", 3, "expected an attribute name at position 3"},
    {"[]", 2, "expected an attribute name at position 2"},
    {"#", 2, "expected an id at position 2"},
    {"#1a", 2, "expected an id at position 2"},
    {".1a", 2, "expected a class name at position 2"},
    {".", 2, "expected a class name at position 2"},
    {":not()", 6, "expected a selector at position 6"},
    {":not(> a)", 6, "expected a selector at position 6"},
    {":is(a", 6, "expected ')' at position 6"},
    {":is(a b c]", 10, "expected ')' at position 10"},
    {":has()", 6, "expected a selector at position 6"},
    {":has(>)", 7, "expected a selector at position 7"},
    {"ns|a", 1, "undeclared namespace prefix 'ns' at position 1"},
    {"[ns|a]", 2, "undeclared namespace prefix 'ns' at position 2"},
    {"a /* b", 3, "expected '*/' at position 3"},
    {"a!", 2, "unexpected '!' at position 2"},
    {":lang()", 7, "expected a language range at position 7"},
    {":contains()", 11, "expected a string at position 11"},
};

} // namespace

TEST_CASE("invalid selectors fail with bad_selector naming the position and what was expected", "[html][selector]")
{
    for (auto const& b : bad_rows)
    {
        INFO("selector: " << b.sel);
        weft::html::selector_diagnostics diag;
        auto r = selector::parse(b.sel, &diag);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error() == weft::error::bad_selector);
        CHECK(r.error() == weft::condition::parse);
        CHECK(diag.position == b.position);
        CHECK(diag.message == "invalid CSS selector '" + std::string(b.sel) + "': " + b.message);
    }
}

TEST_CASE("the throwing constructor and the string overloads throw system_error", "[html][selector]")
{
    try
    {
        selector s("a[href");
        FAIL("no exception");
    }
    catch (boost::system::system_error const& e)
    {
        CHECK(e.code() == weft::error::bad_selector);
        CHECK(std::string(e.what()) == "invalid CSS selector 'a[href': expected ']' at position 7");
    }
    auto const doc = document::from_utf8("<p>x</p>");
    CHECK_THROWS_AS(doc.css("p["), weft::html::selector_error);
    CHECK_THROWS_AS(doc.css_first(":bogus"), boost::system::system_error);
    CHECK_THROWS_AS(doc.root().css("::before"), boost::system::system_error);
}

TEST_CASE("selectors handle unusual documents", "[html][selector]")
{
    SECTION("foreign content and custom elements")
    {
        auto const doc = document::from_utf8(
            "<body><svg viewBox='0 0 1 1'><circle r=1 /><foreignObject><p>x</p></foreignObject></svg>"
            "<my-widget data-A=1>w</my-widget></body>");
        CHECK(doc.css("svg circle").size() == 1);
        CHECK(doc.css("[viewbox]").size() == 1);
        CHECK(doc.css("[viewBox='0 0 1 1']").size() == 1);
        CHECK(doc.css("my-widget").size() == 1);
        CHECK(doc.css("MY-WIDGET[data-a='1']").size() == 1);
        CHECK(doc.css_first("my-widget")->tag() == "my-widget");
    }
    SECTION("a deep chain of descendant combinators terminates")
    {
        std::string html;
        for (int i = 0; i < 200; ++i)
            html += "<div>";
        html += "<p>x</p>";
        auto const doc = document::from_utf8(html);
        CHECK(doc.css("div div div div div div div div div div p").size() == 1);
        CHECK(doc.css("div div div div div div div div div div span").empty());
        CHECK(doc.css("div:nth-child(1)").size() == 200);
        CHECK(doc.css("div:has(p)").size() == 200);
    }
    SECTION("whitespace-only text makes an element non-empty (Selectors 3)")
    {
        auto const doc = document::from_utf8("<p id=a> </p><p id=b><!--c--></p><p id=c></p>");
        CHECK(names(doc.css("p:empty")) == "b c");
    }
    SECTION("template contents are part of the tree")
    {
        auto const doc = document::from_utf8("<template><p class=t>x</p></template>");
        CHECK(doc.css("template > p.t").size() == 1);
    }
}
