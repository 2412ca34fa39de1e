// `weft crawl` end to end: the real binary against real local sites.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

using namespace std::chrono_literals;

namespace
{

std::string page_name(int k)
{
    return k == 0 ? std::string("index.html") : "p" + std::to_string(k) + ".html";
}

// n pages in a binary tree from index.html, plus links every crawler must not follow twice or at all.
void make_site(std::filesystem::path const& root, int n)
{
    for (int i = 0; i < n; ++i)
    {
        std::string body = "<html><head><title>Page " + std::to_string(i) + "</title></head><body>";
        for (int c : {2 * i + 1, 2 * i + 2})
            if (c < n)
                body += "<a href=\"" + page_name(c) + "\">child</a>";
        body += "<a href=\"/\">home</a><a href=\"p1.html#x\">frag</a><a href=\"http://offsite.invalid/\">off</a>";
        body += "</body></html>";
        std::ofstream(root / page_name(i)) << body;
    }
}

std::vector<nlohmann::json> read_items(std::filesystem::path const& p)
{
    std::vector<nlohmann::json> out;
    std::ifstream in(p);
    for (std::string line; std::getline(in, line);)
        out.push_back(nlohmann::json::parse(line)); // a torn line throws: the sink must not leave one
    return out;
}

std::multiset<std::string> urls(std::vector<nlohmann::json> const& items)
{
    std::multiset<std::string> out;
    for (auto const& j : items)
        out.insert(j["url"].get<std::string>());
    return out;
}

// A blocking thread-per-connection HTTP server that generates /p<i> pages (a binary tree of n) and
// measures how many requests it handles at once.
class counting_server
{
public:
    counting_server(int pages, std::chrono::milliseconds latency) : pages_(pages), latency_(latency)
    {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(fd_, 128) == 0);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { accept_loop(); });
    }
    ~counting_server()
    {
        stop_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
        while (live_ > 0)
            std::this_thread::sleep_for(5ms);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/p0"; }
    int max_active() const { return max_active_; }
    int requests() const { return requests_; }

private:
    void accept_loop()
    {
        while (!stop_)
        {
            int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0)
                continue;
            ++live_;
            std::thread(
                [this, c]
                {
                    serve(c);
                    --live_;
                })
                .detach();
        }
    }

    void serve(int c)
    {
        std::string req;
        char buf[4096];
        while (req.find("\r\n\r\n") == std::string::npos)
        {
            auto n = ::read(c, buf, sizeof buf);
            if (n <= 0)
            {
                ::close(c);
                return;
            }
            req.append(buf, static_cast<std::size_t>(n));
        }
        auto sp1 = req.find(' ');
        auto path = req.substr(sp1 + 1, req.find(' ', sp1 + 1) - sp1 - 1);
        int now = ++active_;
        ++requests_;
        int prev = max_active_;
        while (now > prev && !max_active_.compare_exchange_weak(prev, now))
        {
        }
        std::this_thread::sleep_for(latency_);
        std::string status = "200 OK", body;
        if (path == "/robots.txt")
            status = "404 Not Found";
        else if (path.starts_with("/p"))
        {
            int i = std::atoi(path.c_str() + 2);
            body = "<html><title>p" + std::to_string(i) + "</title>";
            for (int k : {2 * i + 1, 2 * i + 2})
                if (k < pages_)
                    body += "<a href=\"/p" + std::to_string(k) + "\">x</a>";
            body += "</html>";
        }
        else
            status = "404 Not Found";
        --active_;
        std::string res = "HTTP/1.1 " + status +
                          "\r\nContent-Type: text/html\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\nConnection: close\r\n\r\n" + body;
        ::write(c, res.data(), res.size());
        ::shutdown(c, SHUT_WR);
        while (::read(c, buf, sizeof buf) > 0)
        {
        }
        ::close(c);
    }

    int pages_;
    std::chrono::milliseconds latency_;
    int fd_ = -1;
    unsigned short port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> active_{0};
    std::atomic<int> max_active_{0};
    std::atomic<int> requests_{0};
    std::atomic<int> live_{0};
    std::thread thread_;
};

// Starts the weft binary in the background with stdout/stderr to files.
struct child
{
    pid_t pid = -1;

    child(std::vector<std::string> args, std::filesystem::path const& out, std::filesystem::path const& err)
    {
        args.insert(args.begin(), weft::test::weft_cli_path());
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0)
        {
            int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(o, 1);
            ::dup2(e, 2);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
    }

    // The exit code, or 128 + signal.
    int wait()
    {
        int status = 0;
        ::waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
};

std::string slurp(std::filesystem::path const& p)
{
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

TEST_CASE("weft crawl URL finds every reachable page exactly once, with each fetcher", "[cli][crawl]")
{
    weft::test::temp_dir dir;
    std::filesystem::create_directory(dir / "site");
    make_site(dir / "site", 60);
    weft::test::test_server server({.tls = false, .root = dir / "site"});
    auto fetcher = GENERATE(as<std::string>{}, "curl", "beast");
    auto out = dir / ("out-" + fetcher + ".jsonl");
    auto stats = dir / "stats.json";
    auto r = weft::test::run_process({weft::test::weft_cli_path(), "crawl", server.url("/"), "-o", out.string(),
                                      "--fetcher", fetcher, "--stats", stats.string()});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    auto items = read_items(out);
    CHECK(items.size() == 60);
    auto u = urls(items);
    CHECK(std::set<std::string>(u.begin(), u.end()).size() == 60);
    for (auto const& j : items)
    {
        CHECK(j["status"] == 200);
        CHECK(j["error"].is_null());
        CHECK(j.contains("title"));
        CHECK(j.contains("fetched_at"));
        CHECK(j.contains("elapsed_ms"));
    }
    auto st = nlohmann::json::parse(slurp(stats));
    CHECK(st["pages"] == 60);
    CHECK(st["items"] == 60);
    CHECK(st["reason"] == "finished");
    CHECK(r.err.find("crawl finished") != std::string::npos);
}

TEST_CASE("weft crawl writes JSON lines to stdout by default and respects the limits", "[cli][crawl]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 31);
    weft::test::test_server server({.tls = false, .root = dir.path()});
    auto r = weft::test::run_process({weft::test::weft_cli_path(), "crawl", server.url("/"), "--max-depth", "1", "-q"});
    CHECK(r.exit_code == 0);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 3);
    CHECK(r.err.empty());
    auto m = weft::test::run_process({weft::test::weft_cli_path(), "crawl", server.url("/"), "--max-pages", "5", "-q"});
    CHECK(m.exit_code == 0);
    CHECK(std::count(m.out.begin(), m.out.end(), '\n') == 5);
    // Repeatable options take one value each: the URL after them is not swallowed as another.
    auto before = weft::test::run_process({weft::test::weft_cli_path(), "crawl", "--allow-host", "other.test",
                                           "--deny", "p9", "-s", "max_pages=2", "-q", server.url("/")});
    CHECK(before.exit_code == 0);
    CHECK(std::count(before.out.begin(), before.out.end(), '\n') == 2);
}

TEST_CASE("weft crawl obeys robots.txt unless --ignore-robots", "[cli][crawl][robots]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 7);
    std::ofstream(dir / "robots.txt") << "User-agent: weft\nDisallow: /p2.html\n";
    weft::test::test_server server({.tls = false, .root = dir.path()});
    auto r = weft::test::run_process({weft::test::weft_cli_path(), "crawl", server.url("/"), "-q"});
    CHECK(r.exit_code == 0);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 4); // p2, p5, p6 are behind the rule
    CHECK(server.request_count("/p2.html") == 0);
    auto all =
        weft::test::run_process({weft::test::weft_cli_path(), "crawl", server.url("/"), "-q", "--ignore-robots"});
    CHECK(std::count(all.out.begin(), all.out.end(), '\n') == 7);
}

TEST_CASE("weft crawl keeps to --per-host concurrency, measured by the server", "[cli][crawl][politeness]")
{
    counting_server server(40, 30ms);
    for (int per_host : {1, 3})
    {
        auto r = weft::test::run_process({weft::test::weft_cli_path(), "crawl", server.url(), "-q", "-c", "16",
                                          "--per-host", std::to_string(per_host), "--fetcher", "beast"});
        CHECK(r.exit_code == 0);
        CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 40);
    }
    CHECK(server.max_active() <= 3);
    CHECK(server.max_active() >= 2);
}

TEST_CASE("weft crawl names the bad flag and exits 2", "[cli][crawl]")
{
    auto bad_regex =
        weft::test::run_process({weft::test::weft_cli_path(), "crawl", "http://127.0.0.1:1/", "--deny", "(("});
    CHECK(bad_regex.exit_code == 2);
    CHECK(bad_regex.err.find("--deny") != std::string::npos);
    auto bad_spider = weft::test::run_process({weft::test::weft_cli_path(), "crawl", "no-such-spider"});
    CHECK(bad_spider.exit_code == 2);
    CHECK(bad_spider.err.find("no-such-spider") != std::string::npos);
    auto bad_set = weft::test::run_process(
        {weft::test::weft_cli_path(), "crawl", "http://127.0.0.1:1/", "-s", "concurrency=lots"});
    CHECK(bad_set.exit_code == 2);
    CHECK(bad_set.err.find("concurrency") != std::string::npos);
    auto bad_fetcher = weft::test::run_process(
        {weft::test::weft_cli_path(), "crawl", "http://127.0.0.1:1/", "--fetcher", "carrier-pigeon"});
    CHECK(bad_fetcher.exit_code == 2);
    CHECK(bad_fetcher.err.find("--fetcher") != std::string::npos);
}

TEST_CASE("weft crawl --proxy sends every request, robots.txt included, through the proxies in turn",
          "[cli][crawl][proxy]")
{
    weft::test::temp_dir dir;
    make_site(dir.path(), 7);
    std::ofstream(dir / "robots.txt") << "User-agent: weft\nDisallow: /p2.html\n";
    weft::test::test_server proxy({.tls = false, .root = dir.path()});
    // The site's host resolves nowhere: each page and robots.txt can only come through the proxy.
    auto r = weft::test::run_process({weft::test::weft_cli_path(), "crawl", "http://weft-site.invalid/", "-q",
                                      "--proxy", "http://bob:s3cret@127.0.0.1:" + std::to_string(proxy.port())});
    CHECK(r.exit_code == 0);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 4);
    CHECK(proxy.request_count("/robots.txt") == 1);
    CHECK(proxy.request_count("/p2.html") == 0);
    REQUIRE(proxy.last_request("/p1.html"));
    CHECK(proxy.last_request("/p1.html")->proxied_for == "http://weft-site.invalid");
    CHECK(proxy.last_request("/p1.html")->headers.get("Proxy-Authorization") == "Basic Ym9iOnMzY3JldA==");

    // Two proxies: the attempts alternate between them, and every page still comes once.
    weft::test::test_server second({.tls = false, .root = dir.path()});
    proxy.reset_counters();
    auto both = weft::test::run_process({weft::test::weft_cli_path(), "crawl", "http://weft-site.invalid/", "-q",
                                         "--proxy", proxy.url(""), "--proxy", second.url("")});
    CHECK(both.exit_code == 0);
    CHECK(std::count(both.out.begin(), both.out.end(), '\n') == 4);
    CHECK(proxy.total_requests() + second.total_requests() == 5); // robots.txt and 4 pages
    CHECK(proxy.total_requests() >= 2);
    CHECK(second.total_requests() >= 2);

    // One proxy of the two is dead: the attempts it fails are retried through the other, which
    // the next attempts prefer while the dead one backs off. Nothing is lost.
    auto const dead = "http://127.0.0.1:" + std::to_string(weft::test::unused_port());
    auto survive = weft::test::run_process(
        {weft::test::weft_cli_path(), "crawl", "http://weft-site.invalid/", "--proxy", dead, "--proxy", second.url("")});
    CHECK(survive.exit_code == 0);
    CHECK(survive.err.find("could not be reached") != std::string::npos);
    int ok = 0;
    std::istringstream lines(survive.out);
    for (std::string line; std::getline(lines, line);)
        ok += nlohmann::json::parse(line)["status"] == 200;
    CHECK(ok == 4);

    auto bad = weft::test::run_process(
        {weft::test::weft_cli_path(), "crawl", "http://weft-site.invalid/", "--proxy", "ftp://bob:s3cret@proxy.test"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("--proxy") != std::string::npos);
    CHECK(bad.err.find("s3cret") == std::string::npos);
    auto beast = weft::test::run_process({weft::test::weft_cli_path(), "crawl", "http://weft-site.invalid/",
                                          "--proxy", "http://127.0.0.1:1", "--fetcher", "beast"});
    CHECK(beast.exit_code == 2);
    CHECK(beast.err.find("--fetcher curl") != std::string::npos);
}

TEST_CASE("weft crawl exits 1 when most requests fail", "[cli][crawl]")
{
    auto port = weft::test::unused_port();
    auto r =
        weft::test::run_process({weft::test::weft_cli_path(), "crawl", "http://127.0.0.1:" + std::to_string(port) + "/",
                                 "--retries", "0", "--ignore-robots", "-q"});
    CHECK(r.exit_code == 1);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["status"].is_null());
    CHECK_FALSE(j["error"].is_null());
}

TEST_CASE("SIGINT, SIGTERM or SIGHUP stops the crawl with 130, sinks flushed; the job directory resumes it",
          "[cli][crawl][resume][job]")
{
    auto const sig = GENERATE(SIGINT, SIGTERM, SIGHUP);
    INFO("signal " << sig);
    counting_server server(120, 60ms);
    weft::test::temp_dir dir;
    auto out = dir / "out.jsonl";
    auto job = dir / "job";
    std::vector<std::string> args{"crawl", server.url(), "-o",         out.string(), "--job-dir", job.string(),
                                  "-c",    "4",          "--per-host", "4",          "-q"};
    child c(args, dir / "stdout", dir / "stderr");
    // Stopped once its first items are out (a loaded machine may take longer than the 2 s the
    // crawl needs at the least).
    auto const nothing_yet = [&]
    {
        std::error_code ec;
        auto const n = std::filesystem::file_size(out, ec);
        return ec || n == 0;
    };
    for (int i = 0; i < 600 && nothing_yet(); ++i)
        std::this_thread::sleep_for(50ms);
    ::kill(c.pid, sig);
    CHECK(c.wait() == 130);
    auto first = read_items(out);
    INFO(slurp(dir / "stderr"));
    CHECK(first.size() > 0);
    CHECK(first.size() < 120);

    auto r = weft::test::run_process({weft::test::weft_cli_path(), "crawl", server.url(), "-o", out.string(),
                                      "--job-dir", job.string(), "-c", "8", "-q"});
    CHECK(r.exit_code == 0);
    auto all = urls(read_items(out));
    CHECK(all.size() == 120);
    CHECK(std::set<std::string>(all.begin(), all.end()).size() == 120);
}

TEST_CASE("after kill -9 a re-run completes the crawl: the same URLs, none twice", "[cli][crawl][resume]")
{
    counting_server server(150, 60ms);
    weft::test::temp_dir dir;
    auto out = dir / "out.jsonl";
    auto job = dir / "job";
    std::vector<std::string> args{"crawl",
                                  server.url(),
                                  "-o",
                                  out.string(),
                                  "--job-dir",
                                  job.string(),
                                  "-c",
                                  "4",
                                  "--per-host",
                                  "4",
                                  "-q",
                                  "-s",
                                  "sink_flush_interval=50"};
    for (auto wait : {500ms, 700ms})
    {
        child c(args, dir / "stdout", dir / "stderr");
        std::this_thread::sleep_for(wait);
        ::kill(c.pid, SIGKILL);
        CHECK(c.wait() == 128 + SIGKILL);
    }
    auto partial = urls(read_items(out));
    CHECK(partial.size() < 150);

    auto r = weft::test::run_process(
        {weft::test::weft_cli_path(), "crawl", server.url(), "-o", out.string(), "--job-dir", job.string(), "-q"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    auto all = urls(read_items(out));
    std::map<std::string, int> twice;
    for (auto const& u : all)
        if (all.count(u) > 1)
            twice[u] = static_cast<int>(all.count(u));
    CHECK(twice.empty());
    CHECK(std::set<std::string>(all.begin(), all.end()).size() == 150);
}
