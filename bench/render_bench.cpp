// render_bench: pages rendered per second through a chromium::page_pool, and the time from
// goto to a matched wait_for_selector. bench/render.sh runs it beside puppeteer-core on the same
// local pages.
//
//   weft_render_bench BASE_URL [PAGES=200] [CONCURRENCY=4] [DISTINCT=20]
//
// Renders BASE_URL/page_<i % DISTINCT>.html, each: goto (load), wait_for_selector("#ready"),
// content(). Prints one JSON line.
#include <weft/async.hpp>
#include <weft/chromium/chromium.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace chromium = weft::chromium;
using clock_type = std::chrono::steady_clock;

struct stats
{
    std::vector<double> ready_ms; // goto start -> #ready matched
    std::size_t bytes = 0;
};

weft::task<void> render_one(chromium::page& p, std::string url, stats* s)
{
    auto const start = clock_type::now();
    auto res = co_await p.async_goto(url, {.timeout = 30s});
    if (res.status != 200)
        throw std::runtime_error(url + ": status " + std::to_string(res.status));
    co_await p.async_wait_for_selector("#ready", {.timeout = 10s});
    s->ready_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - start).count());
    auto html = co_await p.async_content();
    s->bytes += html.size();
}

weft::task<void> worker(chromium::page_pool* pool, std::string base, std::size_t* next, std::size_t total,
                        std::size_t distinct, stats* s)
{
    while (*next < total)
    {
        auto url = base + "/page_" + std::to_string((*next)++ % distinct) + ".html";
        co_await pool->async_run([url, s](chromium::page& p) { return render_one(p, url, s); });
    }
}

double percentile(std::vector<double> v, double q)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

// This process's peak RSS (our side of the protocol; Chromium's processes are not counted).
double peak_rss_mb()
{
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmHWM:", 0) == 0)
            return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

weft::task<int> bench(std::string base, std::size_t pages, std::size_t concurrency, std::size_t distinct)
{
    auto ex = co_await weft::asio::this_coro::executor;
    chromium::pool_options o;
    o.max_pages = concurrency;
    chromium::page_pool pool(ex, {}, o);
    stats warm, s;

    // Warm-up: launch the browser and open every page once (not measured).
    std::size_t next = 0;
    std::vector<int> workers(concurrency);
    weft::gather_options go;
    go.concurrency = concurrency;
    co_await weft::gather(
        workers,
        [&pool, base, &next, concurrency, distinct, &warm](int)
        { return worker(&pool, base, &next, concurrency, distinct, &warm); },
        go);

    next = 0;
    auto const start = clock_type::now();
    co_await weft::gather(
        workers,
        [&pool, base, &next, pages, distinct, &s](int) { return worker(&pool, base, &next, pages, distinct, &s); }, go);
    double const secs = std::chrono::duration<double>(clock_type::now() - start).count();
    co_await pool.async_close();

    std::cout << "{\"tool\":\"weft\",\"pages\":" << pages << ",\"concurrency\":" << concurrency
              << ",\"seconds\":" << secs << ",\"pages_per_s\":" << static_cast<double>(pages) / secs
              << ",\"ready_ms_p50\":" << percentile(s.ready_ms, 0.5)
              << ",\"ready_ms_p90\":" << percentile(s.ready_ms, 0.9) << ",\"bytes\":" << s.bytes
              << ",\"client_peak_rss_mb\":" << peak_rss_mb() << "}" << std::endl;
    co_return 0;
}

int main(int argc, char** argv)
{
    if (argc < 2)
    {
        std::cerr << "usage: weft_render_bench BASE_URL [PAGES] [CONCURRENCY] [DISTINCT]\n";
        return 2;
    }
    auto arg = [&](int i, std::size_t d) { return argc > i ? static_cast<std::size_t>(std::stoul(argv[i])) : d; };
    return weft::run(bench(argv[1], arg(2, 200), arg(3, 4), arg(4, 20)));
}
