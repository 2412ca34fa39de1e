// fetch_bench: requests/s and CPU time per request of one fetcher at a fixed concurrency.
//
//   weft_fetch_bench FETCHER CONCURRENCY SECONDS < urls.txt
//
// CONCURRENCY workers share the URL list (cycled) for SECONDS; prints one JSON line:
// {"fetcher":..., "concurrency":..., "requests":..., "errors":..., "seconds":..., "cpu_s":...,
//  "req_per_s":..., "cpu_us_per_req":..., "bytes":...}
#include <weft/async.hpp>
#include <weft/http/fetcher_registry.hpp>

#include <boost/asio/as_tuple.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

double cpu_seconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct shared_state
{
    std::vector<std::string> urls;
    std::size_t next = 0;
    std::size_t requests = 0, errors = 0, bytes = 0;
    clock_type::time_point deadline;
    weft::http::fetcher* fetcher = nullptr;
};

weft::task<void> worker(shared_state& s)
{
    while (clock_type::now() < s.deadline)
    {
        weft::http::request req{s.urls[s.next++ % s.urls.size()]};
        auto [ec, res] = co_await s.fetcher->async_fetch(req, nullptr, boost::asio::as_tuple(boost::asio::use_awaitable));
        ++s.requests;
        if (ec || res.status != 200)
            ++s.errors;
        s.bytes += res.body.size();
    }
}

weft::task<int> bench(std::string name, int concurrency, double seconds, std::vector<std::string> urls)
{
    weft::http::fetch_options options;
    options.max_connections_per_host = static_cast<std::size_t>(concurrency);
    options.max_connections = static_cast<std::size_t>(concurrency);
    auto fetcher = weft::http::make_fetcher(name, co_await boost::asio::this_coro::executor, options);
    shared_state s;
    s.urls = std::move(urls);
    s.fetcher = fetcher.get();
    std::vector<int> workers(static_cast<std::size_t>(concurrency));
    auto one = [&s](int) { return worker(s); };

    auto const cpu0 = cpu_seconds();
    auto const t0 = clock_type::now();
    s.deadline = t0 + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
    co_await weft::gather(workers, one, {.concurrency = workers.size()});
    double const wall = std::chrono::duration<double>(clock_type::now() - t0).count();
    double const cpu = cpu_seconds() - cpu0;
    std::printf("{\"fetcher\":\"%s\",\"concurrency\":%d,\"requests\":%zu,\"errors\":%zu,\"seconds\":%.3f,"
                "\"cpu_s\":%.3f,\"req_per_s\":%.1f,\"cpu_us_per_req\":%.2f,\"bytes\":%zu}\n",
                name.c_str(), concurrency, s.requests, s.errors, wall, cpu, s.requests / wall,
                s.requests ? cpu / s.requests * 1e6 : 0.0, s.bytes);
    co_return s.errors == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 4)
    {
        std::cerr << "usage: " << argv[0] << " FETCHER CONCURRENCY SECONDS < urls.txt\n";
        return 2;
    }
    std::vector<std::string> urls;
    for (std::string line; std::getline(std::cin, line);)
        if (!line.empty())
            urls.push_back(line);
    if (urls.empty())
    {
        std::cerr << "fetch_bench: no URLs on stdin\n";
        return 2;
    }
    return weft::run(bench(argv[1], std::stoi(argv[2]), std::stod(argv[3]), std::move(urls)));
}
