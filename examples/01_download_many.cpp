// 01_download_many: download a list of URLs concurrently, each with its own timeout, streaming
// every body straight to a file. The classic first program, in about forty lines of logic.
//
//   weft_example_01_download_many OUT_DIR [CONCURRENCY] < urls.txt
//
// Reads one URL per line on stdin, mirrors each into OUT_DIR/<host>/<path> and prints one line
// per URL. Exits 1 if any download failed.
#include <weft/async.hpp>
#include <weft/http/client.hpp>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The file a URL is saved to. Built from the URL alone (never from page content), and only from
// segments that cannot climb out of OUT_DIR.
fs::path local_path(fs::path const& out_dir, std::string const& url)
{
    auto rest = url.substr(url.find("://") + 3);
    rest = rest.substr(0, rest.find_first_of("?#"));
    fs::path path = out_dir;
    for (auto segment : fs::path(rest))
        if (segment != ".." && segment != "." && segment != "/" && !segment.empty())
            path /= segment;
    if (rest.empty() || rest.back() == '/')
        path /= "index.html";
    return path;
}

struct totals
{
    std::atomic<int> ok = 0, failed = 0;
};

// One download. Errors are reported here, so one bad URL does not stop the others.
weft::task<void> download(weft::http::client& client, std::string url, fs::path out_dir, totals& t)
{
    auto path = local_path(out_dir, url);
    fs::create_directories(path.parent_path());
    try
    {
        // with_timeout cancels the transfer beneath it (its socket is closed) after 10 s.
        auto res = co_await weft::with_timeout(client.async_download(weft::http::request{url}, path), 10s, url);
        std::cout << res.status << ' ' << url << " -> " << path.string() << '\n';
        ++t.ok;
    }
    catch (std::exception const& e)
    {
        std::cout << "ERR " << e.what() << '\n';
        ++t.failed;
    }
}

weft::task<int> download_all(std::vector<std::string> urls, fs::path out_dir, int concurrency)
{
    weft::http::client client; // the default fetcher; one connection pool for every download
    totals t;
    auto one = [&](std::string url) { return download(client, std::move(url), out_dir, t); };
    co_await weft::gather(urls, one, {.concurrency = static_cast<std::size_t>(concurrency)});
    std::cerr << t.ok << " downloaded, " << t.failed << " failed\n";
    co_return t.failed == 0 ? 0 : 1;
}

int main(int argc, char** argv)
{
    if (argc < 2)
    {
        std::cerr << "usage: " << argv[0] << " OUT_DIR [CONCURRENCY] < urls.txt\n";
        return 2;
    }
    std::vector<std::string> urls;
    for (std::string line; std::getline(std::cin, line);)
        if (!line.empty())
            urls.push_back(line);
    int const concurrency = argc > 2 ? std::stoi(argv[2]) : 16;
    return weft::run(download_all(std::move(urls), argv[1], concurrency));
}
