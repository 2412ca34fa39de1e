// The weft executable's select command: files, stdin and URLs; output forms; exit codes.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using weft::test::run_process;
using weft::test::weft_cli_path;

namespace {

char const* const page = R"(<!doctype html>
<html><head><title>Shop</title><base href="/catalog/"></head>
<body>
  <ul id="items">
    <li class="item"><a href="a.html">Apple</a> <span class="price">1.20</span></li>
    <li class="item sale"><a href="b.html">Banana
      split</a> <span class="price">0.50</span></li>
    <li class="item"><a href="https://other.example/c">Cherry</a></li>
  </ul>
  <p>caf&eacute;</p>
</body></html>)";

std::string write_page(weft::test::temp_dir const& dir, std::string const& content = page)
{
    auto path = (dir / "page.html").string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

} // namespace

TEST_CASE("weft select prints each match's outer HTML on one line by default", "[cli][select]")
{
    weft::test::temp_dir dir;
    auto r = run_process({weft_cli_path(), "select", write_page(dir), "li.sale > a"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "<a href=\"b.html\">Banana\\n      split</a>\n");
}

TEST_CASE("weft select --text prints collapsed text in document order", "[cli][select]")
{
    weft::test::temp_dir dir;
    auto r = run_process({weft_cli_path(), "select", write_page(dir), "li a", "--text"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "Apple\nBanana split\nCherry\n");
    auto first = run_process({weft_cli_path(), "select", write_page(dir), "li a", "--text", "--first"});
    CHECK(first.out == "Apple\n");
}

TEST_CASE("weft select --attr prints raw values, absolute ones with --base", "[cli][select]")
{
    weft::test::temp_dir dir;
    auto raw = run_process({weft_cli_path(), "select", write_page(dir), "a", "--attr", "href"});
    CHECK(raw.out == "a.html\nb.html\nhttps://other.example/c\n");
    auto based = run_process(
        {weft_cli_path(), "select", write_page(dir), "a", "--attr", "href", "--base", "http://shop.test/x/y.html"});
    CHECK(based.out == "http://shop.test/catalog/a.html\nhttp://shop.test/catalog/b.html\nhttps://other.example/c\n");
}

TEST_CASE("weft select reads stdin and decodes the document's encoding", "[cli][select]")
{
    std::string latin1 = "<meta charset=iso-8859-1><p>caf\xe9 \x93quoted\x94</p>";
    auto r = run_process({weft_cli_path(), "select", "-", "p", "--text"}, latin1);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d\n");
}

TEST_CASE("weft select fetches a URL source and resolves against its final URL", "[cli][select]")
{
    weft::test::test_server server;
    server.add_handler("/shop/index.html", [](weft::test::received_request const&) {
        weft::test::canned_response res;
        res.headers.set("Content-Type", "text/html; charset=utf-8");
        res.body = R"(<a href="next.html">next</a>)";
        return res;
    });
    auto r = run_process({weft_cli_path(), "select", server.url("/shop/index.html"), "a", "--attr", "href"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == server.url("/shop/next.html") + "\n");
}

TEST_CASE("weft select exits 1 with no match and 2 on a bad selector or source", "[cli][select]")
{
    weft::test::temp_dir dir;
    auto none = run_process({weft_cli_path(), "select", write_page(dir), "table"});
    CHECK(none.exit_code == 1);
    CHECK(none.out.empty());

    auto bad = run_process({weft_cli_path(), "select", write_page(dir), "a[href"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("position") != std::string::npos);

    auto missing = run_process({weft_cli_path(), "select", (dir / "missing.html").string(), "a"});
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("missing.html") != std::string::npos);

    auto unreachable = run_process(
        {weft_cli_path(), "select", "http://127.0.0.1:" + std::to_string(weft::test::unused_port()) + "/", "a"});
    CHECK(unreachable.exit_code == 2);
}

TEST_CASE("weft select and weft links refuse a directory as their source with a sentence", "[cli][select][links]")
{
    weft::test::temp_dir dir;
    for (auto const& cmd : {std::vector<std::string>{"select", dir.path().string(), "a"},
                            std::vector<std::string>{"links", dir.path().string()}})
    {
        std::vector<std::string> argv{weft_cli_path()};
        argv.insert(argv.end(), cmd.begin(), cmd.end());
        auto r = run_process(argv);
        INFO(cmd.front());
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Catch::Contains(dir.path().string() + " is a directory; give a file"));
    }
}

TEST_CASE("weft select prints the strings of parsel's ::text and ::attr() as they are", "[cli][select][pseudo]")
{
    weft::test::temp_dir dir;
    auto const path = write_page(dir);
    auto text = run_process({weft_cli_path(), "select", path, "li > a::text"});
    CHECK(text.exit_code == 0);
    CHECK(text.out == "Apple\nBanana\\n      split\nCherry\n");
    auto all = run_process({weft_cli_path(), "select", path, "li.sale ::text"});
    CHECK(all.out == "Banana\\n      split\n \n0.50\n");
    // Raw values, as parsel gives them (--attr resolves URLs, ::attr() does not).
    auto hrefs = run_process({weft_cli_path(), "select", path, "a::attr(href)", "--base", "http://shop.test/"});
    CHECK(hrefs.out == "a.html\nb.html\nhttps://other.example/c\n");
    auto first = run_process({weft_cli_path(), "select", path, "span.price::text", "--first"});
    CHECK(first.out == "1.20\n");
    auto none = run_process({weft_cli_path(), "select", path, "a::attr(title)"});
    CHECK(none.exit_code == 1);
    CHECK(none.out.empty());
    auto mixed = run_process({weft_cli_path(), "select", path, "a::text", "--text"});
    CHECK(mixed.exit_code == 2);
    CHECK_THAT(mixed.err, Catch::Contains("selects strings"));
}

TEST_CASE("weft select names XPath as XPath and gives the CSS", "[cli][select][hint]")
{
    weft::test::temp_dir dir;
    auto r = run_process({weft_cli_path(), "select", write_page(dir), "//li/a/@href"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("looks like XPath") && Catch::Contains("in CSS: 'li > a::attr(href)'") &&
                          Catch::Contains("--xpath"));
    auto unknown = run_process({weft_cli_path(), "select", write_page(dir), "a::before"});
    CHECK(unknown.exit_code == 2);
    CHECK_THAT(unknown.err, Catch::Contains("supported: parsel's '::text' and '::attr(name)'"));
}

TEST_CASE("weft select --xpath prints elements, strings and values as parsel's getall() does", "[cli][select][xpath]")
{
    weft::test::temp_dir dir;
    auto const path = write_page(dir);
    auto hrefs = run_process({weft_cli_path(), "select", path, "--xpath", "//li/a/@href"});
    CHECK(hrefs.exit_code == 0);
    CHECK(hrefs.out == "a.html\nb.html\nhttps://other.example/c\n");
    auto text = run_process({weft_cli_path(), "select", path, "--xpath", "//li[contains(@class, 'sale')]/a/text()"});
    CHECK(text.out == "Banana\\n      split\n");
    auto elements = run_process({weft_cli_path(), "select", path, "--xpath", "//span[@class='price']", "--first"});
    CHECK(elements.out == "<span class=\"price\">1.20</span>\n");
    // elements take --attr (URLs resolved against <base>) and --text as with a selector
    auto resolved = run_process(
        {weft_cli_path(), "select", path, "--xpath", "//a[1]", "--attr", "href", "--base", "http://shop.test/x"});
    CHECK(resolved.out == "http://shop.test/catalog/a.html\nhttp://shop.test/catalog/b.html\nhttps://other.example/c\n");
    auto count = run_process({weft_cli_path(), "select", path, "--xpath", "count(//li)"});
    CHECK(count.exit_code == 0);
    CHECK(count.out == "3\n");
    auto none = run_process({weft_cli_path(), "select", path, "--xpath", "//table"});
    CHECK(none.exit_code == 1);
    auto bad = run_process({weft_cli_path(), "select", path, "--xpath", "//li["});
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Catch::Contains("invalid XPath '//li[': expected an expression at position 6"));
    auto both = run_process({weft_cli_path(), "select", path, "li", "--xpath", "//li"});
    CHECK(both.exit_code == 2);
    CHECK_THAT(both.err, Catch::Contains("either a CSS SELECTOR or --xpath EXPR"));
    auto strings_text = run_process({weft_cli_path(), "select", path, "--xpath", "//a/@href", "--text"});
    CHECK(strings_text.exit_code == 2);
    CHECK_THAT(strings_text.err, Catch::Contains("--attr and --text apply to elements"));
}
