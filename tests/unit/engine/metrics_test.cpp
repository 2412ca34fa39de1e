// --metrics: the exposition text (metrics_text.hpp) and its server (metrics_server.hpp).
#include "engine/metrics_text.hpp"
#include "engine/metrics_server.hpp"

#include "support/prometheus_text.hpp"
#include "support/run_sync.hpp"

#include <weft/async/task_group.hpp>

#include <catch2/catch.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

using namespace weft;
using namespace weft::engine::detail;
using namespace std::chrono_literals;

namespace
{

metrics_snapshot sample_snapshot(engine::stats const& s)
{
    metrics_snapshot m;
    m.crawl = &s;
    m.counters.pending = 12;
    m.counters.leased = 3;
    m.counters.done = 40;
    m.counters.items = 5;
    m.in_flight = 2;
    m.running = 3;
    m.backend = "memory";
    state::host_stats h;
    h.host = "a.test";
    h.pending = 10;
    h.in_flight = 2;
    h.concurrency = 4;
    h.delay = 1500ms;
    h.backoffs = 1;
    h.backoff_for = 250ms;
    m.hosts.push_back(h);
    h.host = "we\"ird\\host\n";
    h.backoff_for.reset();
    m.hosts.push_back(h);
    return m;
}

} // namespace

TEST_CASE("the metrics text is valid exposition format with the crawl's numbers", "[metrics]")
{
    engine::stats s;
    s.pages = 42;
    s.items = 17;
    s.bytes = 123456;
    s.by_status[200] = 40;
    s.by_status[404] = 2;
    s.errors_by_kind["timeout"] = 1;
    s.custom["my_counter"] = 9;
    auto const text = render_metrics(sample_snapshot(s));
    auto const e = test::parse_exposition(text);
    INFO(text);
    CHECK(e.problems.empty());
    for (auto const& p : e.problems)
        UNSCOPED_INFO(p);
    CHECK(e.samples.at("weft_pages_total") == 42);
    CHECK(e.samples.at("weft_items_total") == 17);
    CHECK(e.samples.at("weft_bytes_received_total") == 123456);
    CHECK(e.samples.at("weft_response_status_total{status=\"200\"}") == 40);
    CHECK(e.samples.at("weft_response_status_total{status=\"404\"}") == 2);
    CHECK(e.samples.at("weft_errors_by_kind_total{kind=\"timeout\"}") == 1);
    CHECK(e.samples.at("weft_custom_total{name=\"my_counter\"}") == 9);
    CHECK(e.samples.at("weft_requests_in_flight") == 2);
    CHECK(e.samples.at("weft_pending_requests") == 12);
    CHECK(e.samples.at("weft_leased_requests") == 3);
    CHECK(e.samples.at("weft_done_requests_total") == 40);
    CHECK(e.samples.at("weft_kept_items_total") == 5);
    CHECK(e.samples.at("weft_host_delay_seconds{host=\"a.test\"}") == 1.5);
    CHECK(e.samples.at("weft_host_concurrency{host=\"a.test\"}") == 4);
    CHECK(e.samples.at("weft_host_backoff_seconds{host=\"a.test\"}") == 0.25);
    CHECK(e.samples.at("weft_crawl_info{backend=\"memory\",crawl_id=\"\"}") == 1);
    CHECK(e.types.at("weft_pages_total") == "counter");
    CHECK(e.types.at("weft_pending_requests") == "gauge");
}

TEST_CASE("label values are escaped as the exposition format requires", "[metrics]")
{
    CHECK(escape_label_value("plain") == "plain");
    CHECK(escape_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
    engine::stats s;
    auto const text = render_metrics(sample_snapshot(s));
    CHECK(text.find("weft_host_pending_requests{host=\"we\\\"ird\\\\host\\n\"} 10\n") != std::string::npos);
    CHECK(test::parse_exposition(text).problems.empty());
}

TEST_CASE("a metrics address is HOST:PORT with an IP address, localhost or nothing", "[metrics]")
{
    CHECK(parse_listen_address("127.0.0.1:9100").host == "127.0.0.1");
    CHECK(parse_listen_address("127.0.0.1:9100").port == 9100);
    CHECK(parse_listen_address("localhost:0").host == "127.0.0.1");
    CHECK(parse_listen_address(":9100").host.empty());
    CHECK(parse_listen_address("[::1]:9100").host == "::1");
    for (auto bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:x", "example.com:9100", "::1:9100"})
    {
        INFO(bad);
        CHECK_THROWS_AS(parse_listen_address(bad), std::invalid_argument);
    }
    CHECK_THROWS_WITH(parse_listen_address("nope"), Catch::Contains("HOST:PORT"));
}

namespace
{

// One HTTP/1.1 exchange with the server: the status line's code and the body.
task<std::pair<int, std::string>> get(asio::ip::tcp::endpoint ep, std::string target)
{
    asio::ip::tcp::socket sock(co_await asio::this_coro::executor);
    co_await sock.async_connect(ep, asio::deferred);
    auto const req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    co_await asio::async_write(sock, asio::buffer(req), asio::deferred);
    std::string all;
    auto [ec, n] = co_await asio::async_read(sock, asio::dynamic_buffer(all), asio::as_tuple(asio::deferred));
    auto const body = all.find("\r\n\r\n");
    co_return std::pair{std::stoi(all.substr(9, 3)), body == std::string::npos ? "" : all.substr(body + 4)};
}

task<std::string> counted_text(int n)
{
    co_return "# HELP x_total X\n# TYPE x_total counter\nx_total " + std::to_string(n) + "\n";
}

task<std::vector<std::pair<int, std::string>>> scrape_twice()
{
    auto ex = co_await asio::this_coro::executor;
    int calls = 0;
    // Coroutine lambdas never capture (trap 8): the capturing lambda calls a coroutine.
    metrics_server server(ex, parse_listen_address("127.0.0.1:0"), [&calls] { return counted_text(++calls); });
    task_group g(ex);
    g.spawn(server.async_run());
    std::vector<std::pair<int, std::string>> out;
    out.push_back(co_await get(server.local_endpoint(), "/metrics"));
    out.push_back(co_await get(server.local_endpoint(), "/metrics?x=1"));
    out.push_back(co_await get(server.local_endpoint(), "/other"));
    server.close();
    co_await g.async_wait();
    co_return out;
}

} // namespace

TEST_CASE("the metrics server answers GET /metrics from its renderer and 404 elsewhere", "[metrics]")
{
    auto r = test::run_sync(scrape_twice(), 20s);
    REQUIRE(r.size() == 3);
    CHECK(r[0].first == 200);
    CHECK(r[0].second.ends_with("x_total 1\n"));
    CHECK(r[1].first == 200);
    CHECK(r[1].second.ends_with("x_total 2\n"));
    CHECK(r[2].first == 404);
}

TEST_CASE("a metrics address in use is an error naming it", "[metrics]")
{
    asio::io_context io;
    metrics_server first(io.get_executor(), parse_listen_address("127.0.0.1:0"), []() -> task<std::string>
                         { co_return ""; });
    auto const port = first.local_endpoint().port();
    auto const where = "127.0.0.1:" + std::to_string(port);
    CHECK_THROWS_WITH(metrics_server(io.get_executor(), parse_listen_address(where),
                                     []() -> task<std::string> { co_return ""; }),
                      Catch::Contains(where) && Catch::Contains("--metrics"));
}
