// Cookies through a whole crawl of several hosts: what one site sets never reaches another.
// The hosts are names the test server answers as a forward proxy (nothing resolves them).
#include <weft/engine/engine.hpp>
#include <weft/spider/spider.hpp>

#include "support/item_recorder.hpp"
#include "support/run_sync.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <map>

namespace
{

// Follows every link; an item per page: its URL and the Cookie header the server received.
class cookie_spider final : public weft::spider
{
public:
    explicit cookie_spider(std::string start) : spider{"cookies", {std::move(start)}} {}

    weft::generator<weft::output> parse(weft::response res) override
    {
        weft::item it;
        it.set("url", res.url());
        it.set("cookie", res.text("#cookie"));
        co_yield it;
        for (auto a : res.css("a"))
            co_yield res.follow(a);
    }
};

weft::task<weft::engine::crawl_result> crawl(std::string start, std::string proxy, std::vector<weft::item>* items)
{
    auto ex = co_await boost::asio::this_coro::executor;
    cookie_spider sp(std::move(start));
    weft::engine::settings s;
    s.progress = false;
    s.obey_robots = false;
    s.retries = 0;
    s.concurrency = 1; // a page is fetched after the one linking to it has set its cookies
    s.proxies = {std::move(proxy)};
    s.allowed_hosts = {"evil.com", "victim.com"};
    weft::engine::engine eng(ex, sp, s);
    eng.on_log([](std::string const&) {});
    eng.add_pipeline(std::make_unique<weft::test::item_recorder>(items));
    co_return co_await eng.async_run();
}

// "a=1; Domain=.com" as a query value.
std::string q(std::string_view s)
{
    std::string out;
    for (char c : s)
    {
        if (c == ';' || c == '=' || c == ' ' || c == '&' || c == '?' || c == '/' || c == ':' || c == '%')
        {
            static constexpr char hex[] = "0123456789ABCDEF";
            out += '%';
            out += hex[static_cast<unsigned char>(c) >> 4];
            out += hex[c & 15];
        }
        else
            out += c;
    }
    return out;
}

} // namespace

TEST_CASE("a crawl keeps each site's cookies to that site: foreign and public-suffix Domains are refused",
          "[cookies][engine][crawl]")
{
    weft::test::test_server server;
    // evil.com sets cookies for everyone it can think of, then links to the victim and to itself.
    std::string const victim = "http://victim.com/cookie-page?link=" + q("http://www.victim.com/cookie-page");
    std::string const evil_again = "http://evil.com/cookie-page?again=1";
    std::string const evil_sub = "http://www.evil.com/cookie-page";
    std::string const start = "http://evil.com/cookie-page?set=" + q("tld=1; Domain=.com") +
                              "&set=" + q("foreign=1; Domain=victim.com") + "&set=" + q("own=1") +
                              "&set=" + q("site=1; Domain=evil.com") + "&set=" + q("sec=1; Secure") +
                              "&link=" + q(victim) + "&link=" + q(evil_again) + "&link=" + q(evil_sub);
    std::vector<weft::item> items;
    auto result = weft::test::run_sync(crawl(start, server.url(""), &items));
    INFO(result.stats.summary());
    std::map<std::string, std::string> cookie_of;
    for (auto const& it : items)
        cookie_of[it.get<std::string>("url")] = it.get<std::string>("cookie");
    REQUIRE(cookie_of.size() == 5);
    CHECK(cookie_of.at(start).empty());
    CHECK(cookie_of.at(victim).empty());                                   // neither Domain=.com nor Domain=victim.com
    CHECK(cookie_of.at("http://www.victim.com/cookie-page").empty());
    CHECK(cookie_of.at(evil_again) == "own=1; site=1");                    // the setter gets its own back
    CHECK(cookie_of.at(evil_sub) == "site=1");                             // host-only "own" stays on evil.com
    CHECK(server.request_count("/cookie-page") == 5);
}
