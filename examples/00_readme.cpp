// 00_readme: the program of README.md's "Using the library", as it is there (a test checks that
// they are the same): download the URLs given as arguments, 16 at a time, each with a timeout.
//
//   weft_example_00_readme URL...

#include <weft/async.hpp>
#include <weft/http/client.hpp>

#include <iostream>
#include <string>
#include <vector>

using namespace std::chrono_literals;

weft::task<void> download(weft::http::client& client, std::string url)
{
    auto res = co_await weft::with_timeout(client.async_get(url), 10s, url);  // weft::condition::timeout
    std::cout << res.status << ' ' << res.body.size() << '\n';
}

weft::task<void> download_all(std::vector<std::string> urls)
{
    weft::http::client client;                       // default fetcher, one connection pool
    auto one = [&client](std::string url) { return download(client, std::move(url)); };
    co_await weft::gather(urls, one, {.concurrency = 16});   // bounded; the first error cancels the rest
}

int main(int argc, char** argv) { return weft::run(download_all({argv + 1, argv + argc})); }
