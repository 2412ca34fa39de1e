// The document's arena (gumbo's tree in pooled chunks) and UTF-8 validation the decoder relies on.
#include <weft/html/document.hpp>
#include <weft/html/encoding.hpp>
#include <weft/html/selector.hpp>

#include "html/arena.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

using weft::html::document;

TEST_CASE("the arena hands out aligned, distinct memory of any size", "[html][document][arena]")
{
    weft::html::detail::arena a;
    std::vector<char*> blocks;
    for (std::size_t n : {0, 1, 7, 16, 100, 5000, 16 * 1024, 20 * 1024, 200 * 1024, 3})
    {
        auto* p = static_cast<char*>(a.allocate(n));
        REQUIRE(p != nullptr);
        CHECK(reinterpret_cast<std::uintptr_t>(p) % 16 == 0);
        for (std::size_t i = 0; i < n; ++i)
            p[i] = static_cast<char>(n);
        blocks.push_back(p);
    }
    // Every block still holds what was written: none overlaps another.
    std::size_t k = 0;
    for (std::size_t n : {0, 1, 7, 16, 100, 5000, 16 * 1024, 20 * 1024, 200 * 1024, 3})
    {
        for (std::size_t i = 0; i < n; ++i)
            REQUIRE(blocks[k][i] == static_cast<char>(n));
        ++k;
    }
    auto* big = a.allocate(100 * 1024);
    a.deallocate(big); // the latest large block goes back at once
    CHECK(a.bytes_used() >= 200 * 1024);
}

TEST_CASE("documents parsed one after another in reused memory stay independent", "[html][document][arena]")
{
    // Many pages through the chunk pool; each document alive at once keeps its own tree.
    std::vector<document> docs;
    for (int i = 0; i < 300; ++i)
    {
        std::string html = "<title>page " + std::to_string(i) + "</title><ul>";
        for (int j = 0; j < i % 50; ++j)
            html += "<li class=c" + std::to_string(j) + ">item " + std::to_string(j) + "</li>";
        html += "</ul><pre>" + std::string(static_cast<std::size_t>(i) * 997, 'x') + "</pre><x-custom>u</x-custom>";
        docs.push_back(document::from_utf8(html));
        if (i % 3 == 0)
            docs.erase(docs.begin()); // chunks go back to the pool while others are alive
    }
    for (auto const& d : docs)
    {
        auto const title = d.title();
        int const i = std::stoi(title.substr(5));
        CHECK(d.css("li").size() == static_cast<std::size_t>(i % 50));
        CHECK(d.text("pre").size() == static_cast<std::size_t>(i) * 997);
        CHECK(d.css("x-custom").size() == 1);
        CHECK(d.html().find("<x-custom>u</x-custom>") != std::string::npos);
    }
}

TEST_CASE("a borrowed text parses like an owned copy", "[html][document]")
{
    std::string const text = "<!DOCTYPE html><title>caf\xc3\xa9</title><h1 id=a>One<a id=b></a></h1><pre class='x'>1 < 2</pre>";
    auto const owned = document::from_utf8(text);
    auto const borrowed = document::borrow_valid_utf8(text, "UTF-8");
    CHECK(borrowed.html() == owned.html());
    CHECK(borrowed.source().data() == text.data()); // no copy
    CHECK(borrowed.encoding() == "UTF-8");
    CHECK(borrowed.title() == "caf\xc3\xa9");
    CHECK(borrowed.css("h1 a[id]").size() == 1);
}

TEST_CASE("valid_utf8_prefix stops at the first byte that is not UTF-8", "[html][encoding]")
{
    using weft::html::valid_utf8_prefix;
    CHECK(valid_utf8_prefix("") == 0);
    CHECK(valid_utf8_prefix("plain ascii text, longer than eight bytes") == 41);
    CHECK(valid_utf8_prefix("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == 14);
    CHECK(valid_utf8_prefix("abcdefghij\xc3") == 10);           // cut short at the end
    CHECK(valid_utf8_prefix("abcdefghijkl\xe9 x") == 12);       // latin-1 byte
    CHECK(valid_utf8_prefix("ab\xc0\xaf") == 2);                // overlong
    CHECK(valid_utf8_prefix("ab\xed\xa0\x80") == 2);            // surrogate
    CHECK(valid_utf8_prefix("ab\xf4\x90\x80\x80") == 2);        // above U+10FFFF
    CHECK(valid_utf8_prefix(std::string_view("a\0b", 3)) == 3); // NUL is ASCII
    // to_utf8 keeps valid text as it is and replaces the rest
    CHECK(weft::html::to_utf8("abcdefghijkl\xe9 x", "UTF-8").value() == "abcdefghijkl\xef\xbf\xbd x");
    CHECK(weft::html::to_utf8("caf\xc3\xa9", "utf8").value() == "caf\xc3\xa9");
}

TEST_CASE("a selector given as text compiles once and behaves the same every time", "[html][selector]")
{
    auto const doc = document::from_utf8("<h1>a</h1><h2>b</h2><p>c</p>");
    for (int i = 0; i < 3; ++i)
    {
        auto hs = doc.css("h1, h2");
        REQUIRE(hs.size() == 2);
        CHECK(hs[1].text() == "b");
        CHECK(weft::html::selector("h1, h2").text() == "h1, h2");
        // A bad selector fails every time, with its message (failures are not cached).
        CHECK_THROWS_AS(doc.css("a[href"), weft::html::selector_error);
    }
}
