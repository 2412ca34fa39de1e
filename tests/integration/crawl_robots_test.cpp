// robots.txt through `weft crawl` (docs/ARCHITECTURE.md, "robots.txt"): a site of several hosts,
// all served by one local server acting as the crawl's HTTP proxy (the host names resolve
// nowhere), which logs every request in the order it handled them.
#include "support/process.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace
{

using clock_type = std::chrono::steady_clock;

struct hit
{
    std::string host; ///< "a.invalid"
    std::string path;
    clock_type::time_point at;
};

// Every host has the same pages: / links to p1..p3 and to /private/x.html, each page links back.
class site
{
public:
    site()
    {
        robots_["a.invalid"] = "User-agent: *\nDisallow: /private/\n";
        robots_["b.invalid"] = "User-agent: *\nCrawl-delay: 0.3\n"; // no robots_ entry for c: a 404
        for (std::string path : {"/", "/p1.html", "/p2.html", "/p3.html", "/private/x.html"})
            server_.add_handler(path, [this](weft::test::received_request const& r) { return page(r); });
        server_.add_handler("/robots.txt",
                            [this](weft::test::received_request const& r)
                            {
                                auto const host = log(r);
                                weft::test::canned_response res;
                                auto it = robots_.find(host);
                                res.status = it == robots_.end() ? 404 : 200;
                                if (it != robots_.end())
                                    res.body = it->second;
                                return res;
                            });
    }

    std::string proxy() const { return server_.url(""); }
    std::vector<hit> hits_of(std::string const& host) const
    {
        std::lock_guard lock(m_);
        std::vector<hit> out;
        for (auto const& h : hits_)
            if (h.host == host)
                out.push_back(h);
        return out;
    }

private:
    std::string log(weft::test::received_request const& r)
    {
        auto host = r.proxied_for.substr(r.proxied_for.find("://") + 3);
        std::lock_guard lock(m_);
        hits_.push_back(hit{host, r.path, clock_type::now()});
        return host;
    }

    weft::test::canned_response page(weft::test::received_request const& r)
    {
        log(r);
        return weft::test::html_response("<html><body><a href=\"/\">home</a><a href=\"/p1.html\">1</a>"
                                         "<a href=\"/p2.html\">2</a><a href=\"/p3.html\">3</a>"
                                         "<a href=\"/private/x.html\">x</a></body></html>");
    }

    std::map<std::string, std::string> robots_;
    mutable std::mutex m_;
    std::vector<hit> hits_;
    weft::test::test_server server_; // last: stopped before the log it writes to goes
};

std::size_t count(std::vector<hit> const& hits, std::string const& path)
{
    return static_cast<std::size_t>(
        std::count_if(hits.begin(), hits.end(), [&](hit const& h) { return h.path == path; }));
}

} // namespace

TEST_CASE("weft crawl fetches each host's robots.txt once, before any other request of the host, and obeys it",
          "[cli][crawl][robots]")
{
    site s;
    // Three start URLs per host: the first leased opens the host, the others wait for its robots.txt.
    std::vector<std::string> argv{weft::test::weft_cli_path(), "crawl", "-q", "--proxy", s.proxy(), "-c", "16"};
    for (std::string host : {"a.invalid", "b.invalid", "c.invalid"})
        for (std::string path : {"/", "/p1.html", "/p2.html"})
            argv.push_back("http://" + host + path);
    auto r = weft::test::run_process(argv);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 4 + 5 + 5); // a.invalid's /private/ is disallowed

    for (std::string host : {"a.invalid", "b.invalid", "c.invalid"})
    {
        INFO(host);
        auto const hits = s.hits_of(host);
        REQUIRE(!hits.empty());
        CHECK(count(hits, "/robots.txt") == 1);
        CHECK(hits.front().path == "/robots.txt"); // nothing of the host before it
        for (auto const* path : {"/", "/p1.html", "/p2.html", "/p3.html"})
            CHECK(count(hits, path) == 1);
        CHECK(count(hits, "/private/x.html") == (host == "a.invalid" ? 0 : 1));
    }

    // b.invalid's Crawl-delay (0.3 s) holds between every two of its pages, the first two included
    // (the first started before the Crawl-delay was known). The margin is the time a request takes
    // from its start to the server (the first one: from when the Crawl-delay was learnt).
    auto const b = s.hits_of("b.invalid");
    for (std::size_t i = 2; i < b.size(); ++i)
    {
        auto const gap = std::chrono::duration_cast<std::chrono::milliseconds>(b[i].at - b[i - 1].at);
        INFO(b[i - 1].path << " -> " << b[i].path << ": " << gap.count() << " ms");
        CHECK(gap >= 250ms);
    }
}
