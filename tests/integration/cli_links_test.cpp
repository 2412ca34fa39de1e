// The weft executable's links command.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using weft::test::run_process;
using weft::test::weft_cli_path;

namespace {

char const* const page = R"html(<html><head><base href="/docs/"><link rel="next" href="p2.html"></head><body>
<a href="a.html#top">A</a>
<a href="./a.html">A again</a>
<a href="../up.html" rel="nofollow">Up</a>
<a href="mailto:x@example.org">mail</a><a href="javascript:void(0)">js</a>
<script>var s = '<a href="not-a-link.html">';</script>
<!-- <a href="commented.html"> -->
<a href="HTTP://Other.Example:80/%7euser/">other</a>
</body></html>)html";

} // namespace

TEST_CASE("weft links prints absolute canonical links once each, in document order", "[cli][links]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "page.html").string();
    std::ofstream(path) << page;
    auto r = run_process({weft_cli_path(), "links", path, "--base", "http://site.test/start/index.html"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "http://site.test/docs/p2.html\n"
                   "http://site.test/docs/a.html\n"
                   "http://site.test/up.html\n"
                   "http://other.example/~user/\n");

    auto marked = run_process({weft_cli_path(), "links", path, "--base", "http://site.test/", "--nofollow"});
    CHECK(marked.out.find("http://site.test/up.html\tnofollow\n") != std::string::npos);
}

TEST_CASE("weft links resolves against a fetched URL and reads stdin with --base", "[cli][links]")
{
    weft::test::test_server server;
    server.add_handler("/dir/page.html", [](weft::test::received_request const&) {
        weft::test::canned_response res;
        res.headers.set("Content-Type", "text/html");
        res.body = R"(<a href="x.html">x</a>)";
        return res;
    });
    auto r = run_process({weft_cli_path(), "links", server.url("/dir/page.html")});
    CHECK(r.exit_code == 0);
    CHECK(r.out == server.url("/dir/x.html") + "\n");

    auto in = run_process({weft_cli_path(), "links", "-", "--base", "http://a.test/b/"}, R"(<a href="c">c</a>)");
    CHECK(in.out == "http://a.test/b/c\n");
    CHECK(run_process({weft_cli_path(), "links", "-"}, "<a href=x>").exit_code == 2);
}

TEST_CASE("weft links exits 2 on an unreadable source", "[cli][links]")
{
    auto r = run_process({weft_cli_path(), "links", "/nonexistent/page.html"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("/nonexistent/page.html") != std::string::npos);
}

TEST_CASE("weft links --base that is not an absolute URL exits 2 saying so", "[cli][links]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "page.html").string();
    std::ofstream(path) << page;
    auto r = run_process({weft_cli_path(), "links", path, "--base", "notaurl"});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains("--base 'notaurl' is not an absolute URL"));
}
