// 03_books_spider: a spider with pagination and detail pages, the way most scrapers are written:
// list pages link to the next list page and to one page per book; each book page becomes an item.
// Shows callbacks with arguments, an item pipeline that validates and drops, a downloader
// middleware that adds a header, the spider's logger and counters, and a crawl into a JSON file.
//
//   weft_example_03_books_spider START_URL OUT.jsonl
//
// START_URL is a list page: `a.book` links go to book pages (h1 title, .price), `a.next` to the
// next list page. Exits 1 when the crawl had errors.
#include <weft/sink/registry.hpp>
#include <weft/weft.hpp>

#include <iostream>

class books_spider final : public weft::spider
{
public:
    explicit books_spider(std::string start) : spider{"books", {std::move(start)}}
    {
        // Optional: a name keeps a --job-dir resumable even if the function is renamed later.
        register_callback("book", &books_spider::parse_book);
    }

    // A list page: every book, then the next list page (same callback).
    weft::generator<weft::output> parse(weft::response res) override
    {
        int position = 0;
        for (auto const& a : res.css("a.book"))
        {
            auto req = res.follow(a);
            req.callback(&books_spider::parse_book).kwarg("list_page", res.url()).kwarg("position", ++position);
            co_yield req;
        }
        stats().inc("list_pages");
        if (auto next = res.css_first("a.next"))
            co_yield res.follow(*next);
        else
            log().info("last list page: " + res.url());
    }

    weft::generator<weft::output> parse_book(weft::response res)
    {
        weft::item it;
        it.set("url", res.url());
        it.set("title", res.text("h1"));
        it.set("price", res.text(".price"));
        it.set("list_page", res.kwarg("list_page"));
        it.set("position", res.kwarg("position"));
        co_yield it;
    }
};

// Item pipeline: a book without a title is dropped with a reason (counted in items_dropped); the
// price becomes a number.
struct clean_books final : weft::item_pipeline
{
    std::string_view name() const noexcept override { return "clean_books"; }
    weft::task<std::optional<weft::item>> process(weft::item it, weft::spider&) override
    {
        if (it.get<std::string>("title").empty())
            throw weft::drop_item("no title");
        auto price = it.get<std::string>("price");
        auto digits = price.find_first_of("0123456789");
        it.set("price", digits == std::string::npos ? 0.0 : std::stod(price.substr(digits)));
        co_return it;
    }
};

// Downloader middleware: every request says who is asking.
struct contact_header final : weft::downloader_middleware
{
    std::string_view name() const noexcept override { return "contact_header"; }
    int priority() const noexcept override { return 100; }
    weft::task<weft::decision> on_request(weft::request& req, weft::crawl_context&) override
    {
        req.header("From", "crawler@example.org");
        co_return weft::decision::proceed();
    }
};

weft::task<int> crawl(std::string start, std::string out)
{
    auto ex = co_await boost::asio::this_coro::executor;
    books_spider spider(std::move(start));
    weft::engine::settings settings;
    settings.concurrency = 8;
    weft::engine::engine engine(ex, spider, settings);
    engine.add_pipeline(std::make_unique<clean_books>());
    engine.add_middleware(std::make_unique<contact_header>());
    engine.add_sink(weft::make_sink_for_path(out, ex));
    auto result = co_await engine.async_run();
    std::cerr << result.stats.summary() << '\n';
    co_return result.exit_code(settings.max_error_ratio);
}

int main(int argc, char** argv)
{
    if (argc != 3)
    {
        std::cerr << "usage: weft_example_03_books_spider START_URL OUT.jsonl\n";
        return 2;
    }
    return weft::run(crawl(argv[1], argv[2]));
}
