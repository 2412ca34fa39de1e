// The `html_parser` setting reaches the pages a crawl parses, on the parse workers and on the I/O
// loop alike. The two parsers are told apart by <isindex>: gumbo 0.10 expands it into a <form>,
// weft's tree builder (today's spec) keeps it an element of its own.
#include <weft/engine/engine.hpp>

#include "support/item_recorder.hpp"
#include "support/run_sync.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <fstream>

namespace
{

class form_counter final : public weft::spider
{
public:
    explicit form_counter(std::string start) : spider{"form_counter", {std::move(start)}} {}

    weft::generator<weft::output> parse(weft::response res) override
    {
        weft::item it;
        it.set("forms", res.css("form").size());
        it.set("title", res.text("title"));
        co_yield it;
    }
};

weft::task<std::vector<weft::item>> crawl(std::string start, weft::engine::settings s)
{
    auto ex = co_await boost::asio::this_coro::executor;
    form_counter sp(std::move(start));
    s.progress = false;
    s.obey_robots = false;
    std::vector<weft::item> items;
    weft::engine::engine eng(ex, sp, s);
    eng.on_log([](std::string const&) {});
    eng.add_pipeline(std::make_unique<weft::test::item_recorder>(&items));
    co_await eng.async_run();
    co_return items;
}

} // namespace

TEST_CASE("the html_parser setting chooses the parser of every page a crawl parses", "[engine][html][settings]")
{
    weft::test::temp_dir dir;
    std::ofstream(dir / "index.html") << "<title>Search</title><isindex prompt='Find:'>";
    weft::test::test_server server({.tls = false, .root = dir.path()});
    auto const workers = GENERATE(0, 1); // 0: parsed on the I/O loop; 1: on a parse worker
    weft::engine::settings s;
    s.parse_workers = static_cast<std::size_t>(workers);
    INFO("parse_workers=" << workers);

    s.set("html_parser", "gumbo");
    auto items = weft::test::run_sync(crawl(server.url("/index.html"), s));
    REQUIRE(items.size() == 1);
    CHECK(items[0].get<int>("forms") == 1);
    CHECK(items[0].get<std::string>("title") == "Search");

    s.set("html_parser", "weft");
    items = weft::test::run_sync(crawl(server.url("/index.html"), s));
    REQUIRE(items.size() == 1);
    CHECK(items[0].get<int>("forms") == 0);
    CHECK(items[0].get<std::string>("title") == "Search");
}
