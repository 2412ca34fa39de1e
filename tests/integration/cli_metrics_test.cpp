// `weft crawl --metrics HOST:PORT`: the real binary serves Prometheus metrics while it crawls.
#include "support/process.hpp"
#include "support/prometheus_text.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <thread>

using namespace std::chrono_literals;

namespace
{

// n linked pages: index.html links p1 ... p(n-1).
void make_site(std::filesystem::path const& root, int n)
{
    std::string index = "<html><body>";
    for (int i = 1; i < n; ++i)
    {
        index += "<a href=\"p" + std::to_string(i) + ".html\">p</a>";
        std::ofstream(root / ("p" + std::to_string(i) + ".html")) << "<html><body>page " << i << "</body></html>";
    }
    std::ofstream(root / "index.html") << index << "</body></html>";
}

// The weft executable running in the background, its stderr in a file.
struct child
{
    pid_t pid = -1;

    child(std::vector<std::string> args, std::filesystem::path const& err)
    {
        args.insert(args.begin(), weft::test::weft_cli_path());
        pid = weft::test::spawn_process(std::move(args), err);
    }
    int wait() { return *weft::test::poll_exit(pid, true); }
};

std::string slurp(std::filesystem::path const& p)
{
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
}

// The port of "weft: metrics on http://127.0.0.1:PORT/metrics", once the child said it.
int metrics_port(std::filesystem::path const& err)
{
    std::regex const line(R"(weft: metrics on http://127\.0\.0\.1:(\d+)/metrics)");
    for (int i = 0; i < 200; ++i)
    {
        std::smatch m;
        auto const text = slurp(err);
        if (std::regex_search(text, m, line))
            return std::stoi(m[1]);
        std::this_thread::sleep_for(50ms);
    }
    FAIL("no metrics address on stderr: " << slurp(err));
    return 0;
}

// GET path over one HTTP/1.0 connection: the status code and the body.
std::pair<int, std::string> http_get(int port, std::string const& path)
{
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    auto const req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    REQUIRE(::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size()));
    std::string all;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
        all.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    REQUIRE(all.size() > 12);
    auto const body = all.find("\r\n\r\n");
    return {std::stoi(all.substr(9, 3)), body == std::string::npos ? "" : all.substr(body + 4)};
}

} // namespace

TEST_CASE("weft crawl --metrics serves valid Prometheus metrics that grow during the crawl", "[cli][crawl][metrics]")
{
    weft::test::temp_dir dir;
    auto const root = dir / "site";
    std::filesystem::create_directories(root);
    make_site(root, 25);
    weft::test::test_server server;
    server.set_root(root);
    auto const err = dir / "stderr";
    // One request at a time, 250 ms apart (0.5x-1.5x): about six seconds of crawling.
    child c({"crawl", server.url("/"), "-o", (dir / "out.jsonl").string(), "-q", "--ignore-robots", "-c", "1",
             "--per-host", "1", "--delay", "250", "--metrics", "127.0.0.1:0"},
            err);
    auto const port = metrics_port(err);

    std::this_thread::sleep_for(1s);
    auto const [status1, first] = http_get(port, "/metrics");
    std::this_thread::sleep_for(1500ms);
    auto const [status2, second] = http_get(port, "/metrics");
    auto const [status404, ignored] = http_get(port, "/nothing");
    CHECK(status1 == 200);
    CHECK(status2 == 200);
    CHECK(status404 == 404);

    auto const a = weft::test::parse_exposition(first);
    auto const b = weft::test::parse_exposition(second);
    INFO(second);
    CHECK(a.problems.empty());
    CHECK(b.problems.empty());
    for (auto const& p : b.problems)
        UNSCOPED_INFO(p);
    REQUIRE(a.samples.count("weft_pages_total"));
    REQUIRE(b.samples.count("weft_pages_total"));
    CHECK(a.samples.at("weft_pages_total") >= 1);
    CHECK(b.samples.at("weft_pages_total") > a.samples.at("weft_pages_total"));
    CHECK(b.samples.at("weft_pages_total") < 25); // still running
    CHECK(b.samples.count("weft_response_status_total{status=\"200\"}"));
    CHECK(b.samples.count("weft_host_delay_seconds{host=\"127.0.0.1\"}"));
    CHECK(b.samples.at("weft_pending_requests") > 0);
    CHECK(b.types.at("weft_pages_total") == "counter");
    CHECK(c.wait() == 0);
}

TEST_CASE("weft crawl --metrics with a bad address exits 2 before fetching anything", "[cli][crawl][metrics]")
{
    weft::test::test_server server;
    for (auto bad : {"nonsense", "127.0.0.1:99999", "example.com:9100"})
    {
        auto r = weft::test::run_process({weft::test::weft_cli_path(), "crawl", server.url("/html"), "-q", "--metrics", bad});
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("HOST:PORT") != std::string::npos);
    }
    // Taken: the address is named, nothing is fetched.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, 1) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    auto const taken = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
    auto r = weft::test::run_process({weft::test::weft_cli_path(), "crawl", server.url("/html"), "-q", "--metrics", taken});
    ::close(fd);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(taken) != std::string::npos);
    CHECK(server.total_requests() == 0);
}
