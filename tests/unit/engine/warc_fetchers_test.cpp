#include "engine/warc_fetchers.hpp"

#include <weft/warc/reader.hpp>

#include "support/run_sync.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <map>

using namespace weft;
namespace asio = boost::asio;

namespace
{

// Answers each URL with a page naming it; "/gone" fails in transport; counts the fetches.
class fake_fetcher final : public http::fetcher
{
public:
    explicit fake_fetcher(executor ex) : ex_(std::move(ex)) {}
    std::string_view name() const noexcept override { return "fake"; }
    executor get_executor() const override { return ex_; }
    http::fetch_options const& options() const noexcept override { return opts_; }
    void shutdown() override {}
    int fetches = 0;

private:
    void async_fetch_impl(http::request req, http::body_sink* sink,
                          asio::any_completion_handler<signature> handler) override
    {
        ++fetches;
        http::response res;
        res.url = res.final_url = req.url();
        error_code ec;
        if (req.url().ends_with("/gone"))
            ec = make_error_code(std::errc::connection_refused);
        else
        {
            res.status = req.url().ends_with("/missing") ? 404 : 200;
            res.reason = "OK";
            res.http_version = "1.1";
            res.headers.add("Content-Type", "text/html");
            res.headers.add("Content-Encoding", "gzip");
            res.body =
                "<p>" + req.method() + " " + req.url() + " " + req.body() + " #" + std::to_string(fetches) + "</p>";
            if (sink)
            {
                ec = sink->on_headers(res);
                if (!ec)
                    ec = sink->on_data(res.body);
                res.body.clear();
            }
        }
        asio::post(ex_,
                   [ec, res = std::move(res), h = std::move(handler)]() mutable { std::move(h)(ec, std::move(res)); });
    }

    executor ex_;
    http::fetch_options opts_;
};

class collect final : public http::body_sink
{
public:
    error_code on_headers(http::response const& head) override
    {
        status = head.status;
        return {};
    }
    error_code on_data(std::string_view chunk) override
    {
        body.append(chunk);
        return {};
    }
    int status = 0;
    std::string body;
};

struct outcome
{
    error_code ec;
    http::response res;
};

task<outcome> fetch(http::fetcher& f, http::request req, http::body_sink* sink = nullptr)
{
    auto [ec, res] = co_await f.async_fetch(std::move(req), sink, asio::as_tuple(asio::use_awaitable));
    co_return outcome{ec, std::move(res)};
}

// Records `urls` through a fake network into `path`, then replays `asked` from it.
task<std::vector<outcome>> record_then_replay(std::filesystem::path path, std::vector<http::request> urls,
                                              std::vector<http::request> asked, std::vector<std::string>* said)
{
    auto ex = co_await asio::this_coro::executor;
    engine::settings s;
    s.record_warc = path;
    {
        auto rec = engine::detail::make_recording_fetcher(std::make_unique<fake_fetcher>(ex), s, nullptr);
        for (auto& r : urls)
        {
            collect sink;
            http::body_sink* through = nullptr; // a streamed body too, for the POST
            if (r.method() == "POST")
                through = &sink;
            auto o = co_await fetch(*rec, r, through);
            if (r.method() == "POST")
                REQUIRE(sink.body.size() > 0); // the caller's sink still gets the body
        }
    }
    s.record_warc.clear();
    s.replay_warc = path;
    auto replay = engine::detail::make_replay_fetcher(ex, {}, s, [said](std::string const& m) { said->push_back(m); });
    std::vector<outcome> out;
    for (auto& r : asked)
        out.push_back(co_await fetch(*replay, r));
    replay->shutdown();
    co_return out;
}

} // namespace

TEST_CASE("a recorded fetch replays with the same status, headers and body, without the network", "[warc][replay]")
{
    test::temp_dir dir;
    auto const path = dir / "r.warc.gz";
    std::vector<std::string> said;
    auto post = http::request{"http://127.0.0.1:1/form", "POST"}.body("q=1");
    auto got = test::run_sync(record_then_replay(
        path, {http::request{"http://127.0.0.1:1/a"}, http::request{"http://127.0.0.1:1/missing"}, post},
        {http::request{"http://127.0.0.1:1/a#frag"}, http::request{"http://127.0.0.1:1/missing"}, post,
         http::request{"http://127.0.0.1:1/form", "POST"}.body("q=2")},
        &said));
    REQUIRE(got.size() == 4);
    CHECK_FALSE(got[0].ec);
    CHECK(got[0].res.status == 200);
    CHECK(got[0].res.body == "<p>GET http://127.0.0.1:1/a  #1</p>");
    CHECK(got[0].res.headers.get("Content-Encoding") == "gzip"); // as the spider saw it
    CHECK(got[1].res.status == 404);
    CHECK(got[2].res.body == "<p>POST http://127.0.0.1:1/form q=1 #3</p>");
    CHECK(got[3].ec == weft::error::not_in_archive); // another body: another request
    CHECK_THAT(got[3].res.error_detail, Catch::Contains("is not in") && Catch::Contains(path.string()));
    REQUIRE(said.size() == 1);
    CHECK_THAT(said[0], Catch::Contains("1 request was not in") && Catch::Contains("POST http://127.0.0.1:1/form"));
}

TEST_CASE("a URL recorded several times replays its answers in the recorded order, then the last again",
          "[warc][replay]")
{
    test::temp_dir dir;
    std::vector<std::string> said;
    http::request a{"http://127.0.0.1:1/a"};
    auto got = test::run_sync(record_then_replay(dir / "r.warc.gz", {a, a}, {a, a, a}, &said));
    REQUIRE(got.size() == 3);
    CHECK_THAT(got[0].res.body, Catch::EndsWith("#1</p>"));
    CHECK_THAT(got[1].res.body, Catch::EndsWith("#2</p>"));
    CHECK_THAT(got[2].res.body, Catch::EndsWith("#2</p>"));
    CHECK(said.empty());
}

TEST_CASE("a failed fetch is not recorded, and replaying it says it is not in the archive", "[warc][replay]")
{
    test::temp_dir dir;
    std::vector<std::string> said;
    http::request gone{"http://127.0.0.1:1/gone"};
    auto got = test::run_sync(record_then_replay(dir / "r.warc.gz", {gone}, {gone}, &said));
    CHECK(got[0].ec == weft::error::not_in_archive);
    CHECK(got[0].ec == weft::condition::client_error); // never retried
    warc::reader in(dir / "r.warc.gz");
    int records = 0;
    while (auto r = in.next())
        ++records;
    CHECK(records == 1); // the warcinfo only
}

TEST_CASE("a replayed body goes to the caller's body_sink", "[warc][replay]")
{
    test::temp_dir dir;
    auto const path = dir / "r.warc.gz";
    auto run = [](std::filesystem::path path) -> task<std::pair<outcome, collect>>
    {
        auto ex = co_await asio::this_coro::executor;
        engine::settings s;
        s.record_warc = path;
        {
            auto rec = engine::detail::make_recording_fetcher(std::make_unique<fake_fetcher>(ex), s, nullptr);
            co_await fetch(*rec, http::request{"http://127.0.0.1:1/big"});
        }
        s.record_warc.clear();
        s.replay_warc = path;
        auto replay = engine::detail::make_replay_fetcher(ex, {}, s, nullptr);
        collect sink;
        auto o = co_await fetch(*replay, http::request{"http://127.0.0.1:1/big"}, &sink);
        co_return std::pair{std::move(o), std::move(sink)};
    };
    auto [o, sink] = test::run_sync(run(path));
    CHECK_FALSE(o.ec);
    CHECK(o.res.body.empty());
    CHECK(sink.status == 200);
    CHECK(sink.body == "<p>GET http://127.0.0.1:1/big  #1</p>");
}

TEST_CASE("a replay file that is corrupt is refused with the byte offset", "[warc][replay]")
{
    test::temp_dir dir;
    auto const path = dir / "bad.warc";
    {
        std::ofstream f(path, std::ios::binary);
        f << "WARC/1.1\r\nContent-Length: 0\r\n\r\n\r\n\r\nnot a record at all";
    }
    asio::io_context io;
    engine::settings s;
    s.replay_warc = path;
    REQUIRE_THROWS_WITH(engine::detail::make_replay_fetcher(io.get_executor(), {}, s, nullptr),
                        Catch::Contains("byte 35"));
}
