#!/usr/bin/python3
"""Writes expected.json: parsel's answers for the selector-of-strings differential test
(tests/unit/html/selector_parsel_test.cpp). Run with Debian's python3-parsel (1.7):

    /usr/bin/python3 tests/data/selector/make_expected.py

The pages are copies of Python's documentation (python3.11-doc, PSF license) so that the answers
do not move with the installed package.
"""
import json
import os

import parsel

HERE = os.path.dirname(os.path.abspath(__file__))
PAGES = ["about.html", "bugs.html", "keyword.html"]
SELECTORS = [
    "title::text",
    "h1::text",
    "h1 ::text",
    "p::text",
    "p *::text",
    "li > a::text",
    "a::attr(href)",
    "a.reference::attr(title)",
    "a::attr(href), img::attr(src)",
    "link::attr(rel)",
    "meta::attr(content)",
    "script::attr(src)",
    "div.body ::attr(class)",
    "div.body p ::text",
    "dt ::text",
    "code span::text",
    "ul li:first-child > a::text",
    "a::attr('href')",
    "h1::text, h2::text, h3::text",
    "[role=navigation] a::text",
]
# (html, selector, pattern): the list re() gives and re_first().
RE_CASES = [
    ("<p>Price: 12.50 EUR, was 15.00</p>", "p::text", r"\d+\.\d+"),
    ("<p>Price: 12.50 EUR, was 15.00</p>", "p::text", r"(\d+)\.(\d+)"),
    ("<p>Price: 12.50 EUR, was 15.00</p>", "p::text", r"(\d+)\.\d+"),
    ("<p>Price: 12.50 EUR, was 15.00</p>", "p::text", r"(?P<extract>\d+)\.(\d+)"),
    ("<p>Price: 12.50 EUR, was 15.00</p>", "p::text", r"(?P<a>\d+)\.(?P<extract>\d+)"),
    ("<p>Price: 12.50 EUR</p>", "p::text", r"(?P<extract>x)?EUR"),
    ("<p>a1b22c</p>", "p::text", r"\d*"),
    ("<p>a1b22c</p>", "p::text", r"(a)|(b)"),
    ("<p>no digits</p>", "p::text", r"\d+"),
    ("<ul><li>id=1</li><li>x</li><li>id=2 id=3</li></ul>", "li::text", r"id=(\d)"),
    ("<a href='/p?page=4'>n</a><a href='/p?page=5'>m</a>", "a::attr(href)", r"page=(\d+)"),
    ("<p>caf\u00e9 na\u00efve</p>", "p::text", r"\w+"),
    ("<p>caf\u00e9 na\u00efve</p>", "p::text", r"caf."),
    ("<p>line one\nline two</p>", "p::text", r"line (\w+)"),
    ("<p></p>", "p::text", r"x"),
]
# Small documents: the shapes whose meaning is easy to get wrong.
SHAPE_HTML = (
    "<html><head><title>T</title></head><body>"
    "<div id=d class=box>d1<p class=a>p1<b>b1</b>p2<i>i1<b>b2</b></i>p3</p>d2"
    "<a href='/x' title=X>ax</a><p>p4</p><img src=i.png alt=''></div>"
    "<ul><li>l1</li><li><a href='/y'>ay</a> l2</li></ul>"
    "<script>var s = '<p>';</script><style>p{}</style><!-- c --></body></html>"
)
SHAPES = [
    "p::text", "p ::text", "p *::text", "p > *::text", "p > ::text", "div::text", "div ::text",
    "::text", "*::text", "body > *::text", "b::text", "p b::text", "p + p::text", "p ~ *::text",
    "a::attr(href)", "::attr(href)", "*::attr(href)", "div ::attr(href)", "div *::attr(class)",
    "a::attr(HREF)", "img::attr(alt)", "img::attr(missing)", "p:first-child::text", ":not(p)::text",
    "script::text", "style::text", "li::text", "li a::text, li::text", "p::text, p::attr(class)",
    "#d > p.a::text", "P::TEXT", "a::attr(\"title\")",
]


def main():
    out = {"pages": {}, "shapes": {}, "re": []}
    for name in PAGES:
        with open(os.path.join(HERE, "pages", name), encoding="utf-8") as f:
            sel = parsel.Selector(text=f.read())
        out["pages"][name] = {s: sel.css(s).getall() for s in SELECTORS}
    shape = parsel.Selector(text=SHAPE_HTML)
    out["shape_html"] = SHAPE_HTML
    out["shapes"] = {s: shape.css(s).getall() for s in SHAPES}
    # From an element, parsel searches descendant-or-self.
    div = shape.css("div")[0]
    out["from_div"] = {s: div.css(s).getall() for s in ["::text", "::attr(class)", "div::text", "p::text"]}
    for html, s, pattern in RE_CASES:
        sl = parsel.Selector(text=html).css(s)
        out["re"].append({"html": html, "selector": s, "pattern": pattern, "re": sl.re(pattern),
                          "re_first": sl.re_first(pattern)})
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
