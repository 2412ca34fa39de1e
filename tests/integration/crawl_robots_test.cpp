// robots.txt through `weft crawl` (docs/ARCHITECTURE.md, "robots.txt"): a site of several hosts,
// all served by one local server acting as the crawl's HTTP proxy (the host names resolve
// nowhere), which logs every request in the order it handled them.
#include "support/failing_handler.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
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

namespace
{

// A host whose robots.txt fails (503) `failures` times, then allows everything but /private/
// (failures < 0: never recovers), with two pages that link nowhere; it logs every request in order.
class flaky_robots_site
{
public:
    explicit flaky_robots_site(int failures)
    {
        robots_.body = "User-agent: *\nDisallow: /private/\n";
        server_.add_handler("/robots.txt", weft::test::failing_handler(failures, robots_));
        for (std::string path : {"/a.html", "/b.html"})
            server_.add_handler(path,
                                [this, path](weft::test::received_request const&)
                                {
                                    std::lock_guard lock(m_);
                                    pages_.push_back(path + " after " +
                                                     std::to_string(server_.request_count("/robots.txt")));
                                    return weft::test::html_response("<html><title>t</title></html>");
                                });
    }

    std::vector<std::string> argv(std::vector<std::string> extra) const
    {
        // One retry per robots.txt fetch, short backoffs: a failing file costs milliseconds.
        std::vector<std::string> a{weft::test::weft_cli_path(), "crawl", server_.url("/a.html"), server_.url("/b.html"),
                                   "--retries", "1", "-s", "retry_base_delay=10", "-s", "backoff_base=20"};
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }
    std::string origin() const // "http://127.0.0.1:PORT"
    {
        auto u = server_.url("/");
        u.pop_back();
        return u;
    }
    /// robots.txt answers from now on.
    void recover() { server_.add_handler("/robots.txt", weft::test::failing_handler(0, robots_)); }
    std::size_t robots_fetches() const { return server_.request_count("/robots.txt"); }
    std::vector<std::string> pages() const
    {
        std::lock_guard lock(m_);
        return pages_;
    }

private:
    weft::test::canned_response robots_;
    mutable std::mutex m_;
    std::vector<std::string> pages_; // "/a.html after N": N robots.txt requests came before it
    weft::test::test_server server_;
};

std::size_t occurrences(std::string const& text, std::string const& what)
{
    std::size_t n = 0;
    for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size()))
        ++n;
    return n;
}

std::vector<nlohmann::json> items_of(std::string const& out)
{
    return weft::test::json_lines(out);
}

} // namespace

TEST_CASE("weft crawl waits for a robots.txt that fails, then obeys it once it answers, fetching nothing before",
          "[cli][crawl][robots]")
{
    flaky_robots_site s(3); // 3 failures: one round of two fetches, then a 503 and a 200
    auto r = weft::test::run_process(s.argv({}));
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(s.robots_fetches() == 4);
    auto const pages = s.pages();
    CHECK(pages.size() == 2);
    for (auto const& p : pages)
        CHECK(p.ends_with(" after 4")); // nothing of the host while its robots.txt was unknown
    auto const items = items_of(r.out);
    REQUIRE(items.size() == 2);
    for (auto const& i : items)
        CHECK(i["status"] == 200);
}

TEST_CASE("weft crawl ends the URLs of a host whose robots.txt stays unreachable with an error naming the cause, "
          "says it once and exits 1",
          "[cli][crawl][robots]")
{
    flaky_robots_site s(-1);
    auto r = weft::test::run_process(s.argv({"-s", "robots_unreachable_limit=0"}));
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(s.pages().empty()); // RFC 9309: an unreachable robots.txt disallows everything
    CHECK(s.robots_fetches() == 2); // one fetch and its retry
    auto const items = items_of(r.out);
    REQUIRE(items.size() == 2);
    for (auto const& i : items)
        CHECK(i["error"] == "robots.txt unreachable: HTTP 503 (" + s.origin() + "/robots.txt)");
    CHECK(occurrences(r.err, "robots.txt of " + s.origin() + " unreachable") == 1);
}

TEST_CASE("weft crawl names a failed connection as the cause of an unreachable robots.txt", "[cli][crawl][robots]")
{
    auto const origin = "http://127.0.0.1:" + std::to_string(weft::test::unused_port());
    auto r = weft::test::run_process({weft::test::weft_cli_path(), "crawl", origin + "/x.html", "--retries", "0",
                                      "-s", "robots_unreachable_limit=0", "-q"});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    auto const items = items_of(r.out);
    REQUIRE(items.size() == 1);
    CHECK(items[0]["error"].get<std::string>().starts_with("robots.txt unreachable: "));
    // As the fetcher says it: curl's "couldn't connect to server", Beast's "Connection refused".
    auto const error = items[0]["error"].get<std::string>();
    CHECK((error.find("connect") != std::string::npos || error.find("refused") != std::string::npos));
    CHECK(occurrences(r.err, "robots.txt of " + origin + " unreachable") == 1); // said even with -q
}

TEST_CASE("a job whose host's robots.txt was unreachable fetches the host's URLs in its next run",
          "[cli][crawl][robots][job]")
{
    weft::test::temp_dir dir;
    auto const job = (dir / "job").string();
    flaky_robots_site s(-1);
    auto first = weft::test::run_process(s.argv({"-s", "robots_unreachable_limit=0", "--job-dir", job, "-q"}));
    INFO(first.err);
    CHECK(first.exit_code == 1);
    CHECK(s.pages().empty());
    CHECK(items_of(first.out).size() == 2); // the two errors

    s.recover();
    auto second = weft::test::run_process(s.argv({"--job-dir", job, "-q"}));
    INFO(second.err);
    CHECK(second.exit_code == 0);
    CHECK(s.pages().size() == 2);
    auto const items = items_of(second.out);
    REQUIRE(items.size() == 2);
    for (auto const& i : items)
        CHECK(i["status"] == 200);
}

namespace
{

// Two hosts behind one proxy: a.invalid's robots.txt always fails (503); b.invalid allows all and
// has a chain of `pages` pages (/b/0 links to /b/1 ...), which its Crawl-delay spreads out.
class busy_and_failing_site
{
public:
    explicit busy_and_failing_site(int pages)
    {
        server_.add_handler("/robots.txt",
                            [this](weft::test::received_request const& r)
                            {
                                weft::test::canned_response res;
                                if (host_of(r) == "a.invalid")
                                {
                                    ++robots_a_;
                                    res.status = 503;
                                    return res;
                                }
                                res.body = "User-agent: *\nCrawl-delay: 0.03\n";
                                return res;
                            });
        for (int i = 0; i < pages; ++i)
        {
            auto next = i + 1 < pages ? "<a href=\"/b/" + std::to_string(i + 1) + "\">next</a>" : std::string();
            server_.add_handler("/b/" + std::to_string(i),
                                [next](weft::test::received_request const&)
                                { return weft::test::html_response("<html><body>" + next + "</body></html>"); });
        }
        server_.add_handler("/a.html", [](weft::test::received_request const&)
                            { return weft::test::html_response("<html><title>a</title></html>"); });
    }

    std::string proxy() const { return server_.url(""); }
    std::size_t requests(std::string const& path) const { return server_.request_count(path); }
    int robots_a() const { return robots_a_; }

private:
    static std::string host_of(weft::test::received_request const& r)
    {
        return r.proxied_for.substr(r.proxied_for.find("://") + 3);
    }

    std::atomic<int> robots_a_{0};
    weft::test::test_server server_;
};

} // namespace

TEST_CASE("weft crawl gives up on a host whose robots.txt stays unreachable only once the crawl has nothing else "
          "to do",
          "[cli][crawl][robots]")
{
    constexpr int pages = 30;
    busy_and_failing_site s(pages);
    // robots_unreachable_limit=0: the time limit has passed at a.invalid's first failure; what
    // holds its URLs is b.invalid's work. The holds are short and capped so that the give-up
    // comes soon after b.invalid is done.
    auto r = weft::test::run_process({weft::test::weft_cli_path(), "crawl", "-q", "--proxy", s.proxy(),
                                      "http://a.invalid/a.html", "http://b.invalid/b/0", "--retries", "0", "-s",
                                      "robots_unreachable_limit=0", "-s", "backoff_base=20", "-s",
                                      "retry_max_delay=100"});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(s.requests("/a.html") == 0);
    for (int i = 0; i < pages; ++i)
        CHECK(s.requests("/b/" + std::to_string(i)) == 1);
    auto const items = items_of(r.out);
    REQUIRE(items.size() == pages + 1);
    // Items are written as requests complete: a.invalid's error comes after every page of b.invalid.
    for (int i = 0; i < pages; ++i)
        CHECK(items[i]["status"] == 200);
    CHECK(items.back()["error"] == "robots.txt unreachable: HTTP 503 (http://a.invalid/robots.txt)");
    CHECK(s.robots_a() > 1); // it was fetched again while b.invalid was being crawled
    CHECK(occurrences(r.err, "robots.txt of http://a.invalid unreachable") == 1);
}
