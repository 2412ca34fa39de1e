// The crawl state on Redis under load, for bench/redis.sh (which starts the server and reads
// its memory and CPU with redis-cli INFO):
//
//   weft_redis_state_bench fill ADDRESS CRAWL N [HOSTS=1000]
//       adds N requests (URLs of ~60 bytes over HOSTS hosts) in batches of 500
//   weft_redis_state_bench ops ADDRESS CRAWL SECONDS [CONNECTIONS=4] [BATCH=16] [LINKS=4]
//       CONNECTIONS workers (each its own connection) lease BATCH, then mark each fetched and
//       complete it with one item and LINKS discovered requests (new URLs), for SECONDS; prints
//       pages (completions) per second and round trips per page
//
// Prints "RESULT <mode> <count> <seconds> <round trips>" last.
#include <weft/async/task.hpp>
#include <weft/engine/fingerprint.hpp>
#include <weft/engine/settings.hpp>
#include <weft/state/backend_registry.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace weft;
using clock_type = std::chrono::steady_clock;

namespace
{

state::new_request make(std::string url, std::string host)
{
    weft::request r(url);
    auto const fp = engine::make_fingerprint(r.http());
    return state::new_request(std::move(r), std::move(host), fp);
}

std::string url_of(std::uint64_t i, std::uint64_t hosts)
{
    return fmt::format("http://host-{}.example.test/section/{}/page-{}.html", i % hosts, i / hosts % 97, i);
}

engine::settings bench_settings()
{
    engine::settings s;
    s.per_host = 1000; // the server's ceiling, not politeness, is measured
    s.delay = std::chrono::milliseconds(0);
    s.obey_robots = false;
    s.adaptive_concurrency = false;
    return s;
}

task<std::unique_ptr<state::crawl_state>> open(std::string address, std::string crawl)
{
    auto ex = co_await asio::this_coro::executor;
    auto f = state::find_backend(address);
    co_return co_await f(ex, state::backend_address{address, crawl}, bench_settings(), state::request_codec::plain());
}

task<void> fill(std::string address, std::string crawl, std::uint64_t n, std::uint64_t hosts)
{
    auto st = co_await open(address, crawl);
    auto const start = clock_type::now();
    for (std::uint64_t i = 0; i < n;)
    {
        std::vector<state::new_request> batch;
        for (auto end = std::min(n, i + 500); i < end; ++i)
            batch.push_back(make(url_of(i, hosts), fmt::format("host-{}.example.test", i % hosts)));
        co_await st->async_add(std::move(batch));
    }
    auto const secs = std::chrono::duration<double>(clock_type::now() - start).count();
    std::printf("RESULT fill %llu %.3f 0\n", static_cast<unsigned long long>(n), secs);
}

struct ops_run
{
    std::string address, crawl;
    clock_type::time_point until;
    std::size_t batch = 16, links = 4;
    std::atomic<std::uint64_t> pages{0}, calls{0}, next_url{1'000'000'000};
};

task<void> worker(ops_run& run)
{
    auto st = co_await open(run.address, run.crawl);
    while (clock_type::now() < run.until)
    {
        auto b = co_await st->async_lease(run.batch, std::chrono::minutes(5));
        ++run.calls;
        if (b.leases.empty())
            break;
        for (auto& l : b.leases)
        {
            state::fetch_outcome o{true, std::chrono::milliseconds(20), 200, std::nullopt};
            co_await st->async_fetched(l.token, o);
            state::completion c;
            c.outcome = o;
            c.items.push_back(weft::item().set("url", l.req.url()).set("title", "a page"));
            for (std::size_t k = 0; k < run.links; ++k)
            {
                auto const i = run.next_url++;
                c.discovered.push_back(make(url_of(i, 1000), fmt::format("host-{}.example.test", i % 1000)));
            }
            co_await st->async_complete(l.token, std::move(c));
            run.calls += 2;
            ++run.pages;
        }
    }
}

int usage()
{
    std::fprintf(stderr, "usage: weft_redis_state_bench fill ADDRESS CRAWL N [HOSTS]\n"
                         "       weft_redis_state_bench ops ADDRESS CRAWL SECONDS [CONNECTIONS] [BATCH] [LINKS]\n");
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 5)
        return usage();
    std::string const mode = argv[1];
    asio::io_context io;
    try
    {
        if (mode == "fill")
        {
            auto const hosts = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 1000;
            auto f = asio::co_spawn(io, fill(argv[2], argv[3], std::strtoull(argv[4], nullptr, 10), hosts),
                                    asio::use_future);
            io.run();
            f.get();
            return 0;
        }
        if (mode != "ops")
            return usage();
        ops_run run;
        run.address = argv[2];
        run.crawl = argv[3];
        auto const seconds = std::strtod(argv[4], nullptr);
        auto const connections = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 4;
        run.batch = argc > 6 ? std::strtoull(argv[6], nullptr, 10) : 16;
        run.links = argc > 7 ? std::strtoull(argv[7], nullptr, 10) : 4;
        auto const start = clock_type::now();
        run.until = start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
        std::vector<std::future<void>> done;
        for (std::size_t i = 0; i < connections; ++i)
            done.push_back(asio::co_spawn(io, worker(run), asio::use_future));
        io.run();
        for (auto& d : done)
            d.get();
        auto const secs = std::chrono::duration<double>(clock_type::now() - start).count();
        std::printf("pages/s %.0f, calls per page %.2f\n", static_cast<double>(run.pages) / secs,
                    static_cast<double>(run.calls) / std::max<double>(1, static_cast<double>(run.pages)));
        std::printf("RESULT ops %llu %.3f %llu\n", static_cast<unsigned long long>(run.pages.load()), secs,
                    static_cast<unsigned long long>(run.calls.load()));
        return 0;
    }
    catch (std::exception const& e)
    {
        std::fprintf(stderr, "weft_redis_state_bench: %s\n", e.what());
        return 1;
    }
}
