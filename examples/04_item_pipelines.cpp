// 04_item_pipelines: what happens to an item between the spider and the output file, as Scrapy's
// item pipelines do it: validate and drop, drop duplicates, clean fields, and enrich an item
// with a second request (a pipeline is a coroutine: it may co_await anything).
//
//   python3 examples/site/serve.py &          # prints its URL
//   weft_example_04_item_pipelines http://127.0.0.1:PORT/index.html OUT.jsonl
//
// Pipelines run in the order they are added, each on the previous one's result. Throwing
// weft::drop_item drops that item only: it is counted (the summary says "items N (dropped D)")
// and the crawl goes on. Exits 1 when the crawl had errors.
#include <weft/http/client.hpp>
#include <weft/sink/registry.hpp>
#include <weft/weft.hpp>

#include <charconv>
#include <iostream>
#include <unordered_set>

// List pages link to books (a.book) and to the next list page (a.next); a book is an item.
class shop_spider final : public weft::spider
{
public:
    explicit shop_spider(std::string start) : spider{"shop", {std::move(start)}}
    {
        register_callback("book", &shop_spider::parse_book);
    }

    weft::generator<weft::output> parse(weft::response res) override
    {
        for (auto req : res.follow_all("a.book::attr(href)"))
        {
            req.callback(&shop_spider::parse_book);
            co_yield req;
        }
        for (auto req : res.follow_all("a.next::attr(href)"))
            co_yield req;
    }

    weft::generator<weft::output> parse_book(weft::response res)
    {
        weft::item it;
        it.set("url", res.url());
        it.set("title", res.text("h1::text"));
        it.set("price", res.text(".price::text"));
        it.set("isbn", res.text(".isbn::text"));
        co_yield it;
    }
};

// 1. An item without the fields every consumer needs never reaches the output.
struct require_fields final : weft::item_pipeline
{
    std::string_view name() const noexcept override { return "require_fields"; }
    weft::task<std::optional<weft::item>> process(weft::item it, weft::spider&) override
    {
        for (char const* field : {"title", "isbn"})
            if (it.get<std::string>(field).empty())
                throw weft::drop_item(std::string("no ") + field + " at " + it.get<std::string>("url"));
        co_return it;
    }
};

// 2. The same book under two URLs (a reprint page): the first one seen wins.
struct drop_duplicates final : weft::item_pipeline
{
    std::unordered_set<std::string> seen;
    std::string_view name() const noexcept override { return "drop_duplicates"; }
    weft::task<std::optional<weft::item>> process(weft::item it, weft::spider&) override
    {
        if (!seen.insert(it.get<std::string>("isbn")).second)
            throw weft::drop_item("duplicate isbn " + it.get<std::string>("isbn"));
        co_return it;
    }
};

// 3. "£51.77" becomes a number and a currency, so the output can be summed.
struct parse_price final : weft::item_pipeline
{
    std::string_view name() const noexcept override { return "parse_price"; }
    weft::task<std::optional<weft::item>> process(weft::item it, weft::spider&) override
    {
        auto const text = it.get<std::string>("price");
        auto const digits = text.find_first_of("0123456789");
        double value = 0;
        if (digits == std::string::npos ||
            std::from_chars(text.data() + digits, text.data() + text.size(), value).ec != std::errc{})
            throw weft::drop_item("unreadable price '" + text + "'");
        it.set("price", value);
        it.set("currency", text.starts_with("£") ? "GBP" : "unknown");
        co_return it;
    }
};

// 4. Stock levels live in another resource (/stock/ISBN.json): the pipeline fetches it. A stock
// service that fails leaves the field null and says so once per item; it never loses the item.
struct add_stock final : weft::item_pipeline
{
    std::string stock_base;
    weft::http::client http;
    explicit add_stock(std::string base) : stock_base(std::move(base)) {}
    std::string_view name() const noexcept override { return "add_stock"; }
    weft::task<std::optional<weft::item>> process(weft::item it, weft::spider& s) override
    {
        auto const url = stock_base + it.get<std::string>("isbn") + ".json";
        try
        {
            auto res = co_await http.async_get(url);
            if (res.status != 200)
                throw std::runtime_error("status " + std::to_string(res.status));
            it.set("in_stock", weft::item::json::parse(res.body).at("in_stock"));
        }
        catch (std::exception const& e)
        {
            s.log().warning("no stock level for " + url + ": " + e.what());
            it.set("in_stock", nullptr);
        }
        co_return it;
    }
};

weft::task<int> crawl(std::string start, std::string out)
{
    auto ex = co_await boost::asio::this_coro::executor;
    shop_spider spider(start);
    weft::engine::settings settings;
    weft::engine::engine engine(ex, spider, settings);
    engine.add_pipeline(std::make_unique<require_fields>());
    engine.add_pipeline(std::make_unique<drop_duplicates>());
    engine.add_pipeline(std::make_unique<parse_price>());
    engine.add_pipeline(std::make_unique<add_stock>(start.substr(0, start.rfind('/') + 1) + "stock/"));
    engine.add_sink(weft::make_sink_for_path(out, ex));
    auto result = co_await engine.async_run();
    std::cerr << result.stats.summary() << '\n';
    co_return result.exit_code(settings.max_error_ratio);
}

int main(int argc, char** argv)
{
    if (argc != 3)
    {
        std::cerr << "usage: weft_example_04_item_pipelines START_URL OUT.jsonl\n";
        return 2;
    }
    return weft::run(crawl(argv[1], argv[2]));
}
