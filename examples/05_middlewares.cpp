// 05_middlewares: the two kinds of middleware, each doing a job real crawls need.
//
// A downloader middleware sees every request on its way to the network and every response on
// its way back: `retry_soft_bans` catches the "200 OK, but a captcha page" answer that shops
// give crawlers, which no status-based retry sees, and fetches the page again after a pause.
// A spider middleware sees what callbacks yield: `stamp_items` records on every item the page
// that produced it and how deep the crawl was, and keeps the crawl inside one folder.
//
//   python3 examples/site/serve.py &          # its first answer for about.html is a captcha
//   weft_example_05_middlewares http://127.0.0.1:PORT/index.html OUT.jsonl
//
// The summary line shows the custom counters ("custom: soft_bans=1"). Exits 1 when the crawl had errors.
#include <weft/sink/registry.hpp>
#include <weft/weft.hpp>

#include <iostream>

using namespace std::chrono_literals;

// Every page is an item with its title; every link is followed (robots.txt still applies).
class site_spider final : public weft::spider
{
public:
    explicit site_spider(std::string start) : spider{"site", {std::move(start)}} {}

    weft::generator<weft::output> parse(weft::response res) override
    {
        weft::item page;
        page.set("url", res.url());
        page.set("title", res.document().title());
        co_yield page;
        for (auto req : res.follow_all("a::attr(href)"))
            co_yield req;
    }
};

// Downloader middleware. Its priority places it among the built-ins (weft/middleware/builtin.hpp):
// on the way back hooks run from the highest priority down, so at 560 it sees a response after
// redirects (600) were followed and before the built-in retry (550) looks at the status.
struct retry_soft_bans final : weft::downloader_middleware
{
    static constexpr int max_tries = 3;
    std::string_view name() const noexcept override { return "retry_soft_bans"; }
    int priority() const noexcept override { return 560; }
    weft::task<weft::decision> on_response(weft::request& req, weft::http::response& res,
                                           weft::crawl_context& ctx) override
    {
        if (res.status != 200 || res.body.find("class=\"captcha\"") == std::string::npos)
            co_return weft::decision::proceed();
        ctx.count("soft_bans");
        // The count travels with the request (meta is kept with it, also in a --job-dir).
        int const tries = req.meta().value("soft_ban_tries", 0) + 1;
        req.meta()["soft_ban_tries"] = tries;
        if (tries >= max_tries)
            co_return weft::decision::fail(make_error_code(weft::error::filtered),
                                           "still a captcha page after " + std::to_string(tries) + " tries");
        co_return weft::decision::retry(tries * 500ms, "captcha page (soft ban)");
    }
};

// Spider middleware: sees every output of every callback before the scheduler or the pipelines.
struct stamp_items final : weft::spider_middleware
{
    std::string folder; // requests outside it are dropped
    explicit stamp_items(std::string f) : folder(std::move(f)) {}
    std::string_view name() const noexcept override { return "stamp_items"; }
    int priority() const noexcept override { return 500; }
    weft::task<std::optional<weft::output>> on_output(weft::output out, weft::response const* from,
                                                      weft::crawl_context& ctx) override
    {
        if (out.is_request() && !out.request().url().starts_with(folder))
        {
            ctx.count("left_the_folder");
            co_return std::nullopt;
        }
        if (out.is_item() && from)
        {
            out.item().set("found_on", from->url());
            out.item().set("depth", from->request().depth());
        }
        co_return out;
    }
};

weft::task<int> crawl(std::string start, std::string out)
{
    auto ex = co_await boost::asio::this_coro::executor;
    site_spider spider(start);
    weft::engine::settings settings;
    weft::engine::engine engine(ex, spider, settings);
    engine.add_middleware(std::make_unique<retry_soft_bans>());
    engine.add_spider_middleware(std::make_unique<stamp_items>(start.substr(0, start.rfind('/') + 1)));
    engine.add_sink(weft::make_sink_for_path(out, ex));
    auto result = co_await engine.async_run();
    std::cerr << result.stats.summary() << '\n';
    co_return result.exit_code(settings.max_error_ratio);
}

int main(int argc, char** argv)
{
    if (argc != 3)
    {
        std::cerr << "usage: weft_example_05_middlewares START_URL OUT.jsonl\n";
        return 2;
    }
    return weft::run(crawl(argv[1], argv[2]));
}
