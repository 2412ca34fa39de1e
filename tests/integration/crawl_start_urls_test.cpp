// Every start URL of `weft crawl` ends in an item or a clear error: a malformed one is refused
// before anything is fetched (exit 2, naming it), and one redirected where the crawl does not go
// (another scheme, another host) ends with an item saying so instead of vanishing.
#include "support/process.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace
{

std::map<std::string, nlohmann::json> items_by_url(std::string const& out)
{
    std::map<std::string, nlohmann::json> items;
    std::size_t pos = 0;
    while (pos < out.size())
    {
        auto eol = out.find('\n', pos);
        auto line = out.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
        if (!line.empty())
        {
            auto j = nlohmann::json::parse(line);
            items[j["url"].get<std::string>()] = j;
        }
        pos = eol == std::string::npos ? out.size() : eol + 1;
    }
    return items;
}

weft::test::canned_response redirect_to(std::string location)
{
    weft::test::canned_response r;
    r.status = 302;
    r.headers.add("Location", std::move(location));
    return r;
}

} // namespace

TEST_CASE("weft crawl refuses a malformed start URL before crawling, naming it", "[cli][crawl]")
{
    weft::test::test_server server;
    for (std::string bad : {"http://a b/", "http://127.0.0.1:99999/"})
    {
        INFO(bad);
        auto r = weft::test::run_process({weft::test::weft_cli_path(), "crawl", server.url("/"), bad, "-q"});
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("'" + bad + "'") != std::string::npos);
        CHECK(r.out.empty());
        CHECK(server.total_requests() == 0); // refused before the crawl started
    }
}

TEST_CASE("a start URL redirected to another scheme or an offsite host ends in an item with the error",
          "[cli][crawl]")
{
    weft::test::test_server server;
    server.add_handler("/to-ftp", [](auto const&) { return redirect_to("ftp://127.0.0.1/file.txt"); });
    server.add_handler("/to-file", [](auto const&) { return redirect_to("file:///etc/passwd"); });
    server.add_handler("/to-js", [](auto const&) { return redirect_to("javascript:alert(1)"); });
    server.add_handler("/offsite", [](auto const&) { return redirect_to("http://elsewhere.invalid/"); });
    std::vector<std::string> const starts{server.url("/to-ftp"), server.url("/to-file"), server.url("/to-js"),
                                          server.url("/offsite")};
    std::vector<std::string> argv{weft::test::weft_cli_path(), "crawl", "--ignore-robots"};
    argv.insert(argv.end(), starts.begin(), starts.end());
    auto r = weft::test::run_process(argv);
    INFO(r.err);
    CHECK(r.exit_code == 1); // all four failed

    auto const items = items_by_url(r.out);
    CHECK(items.size() == starts.size());
    for (auto const& u : starts)
    {
        INFO(u);
        REQUIRE(items.count(u) == 1);
        auto const& error = items.at(u)["error"];
        REQUIRE(error.is_string());
        CHECK(error.get<std::string>().find("redirected to") != std::string::npos);
    }
    CHECK(items.at(server.url("/offsite"))["error"].get<std::string>().find("--allow-host") != std::string::npos);
    // The summary counts what was dropped, bad URLs included.
    CHECK(r.err.find("offsite 1") != std::string::npos);
    CHECK(r.err.find("bad_url 3") != std::string::npos);
}
