// The built-in "site" spider: `weft crawl URL...` follows every link of the allowed hosts and
// writes one item per URL attempted (url, final_url, status or null, error, depth, title,
// content_type, referer, links, fetched_at, elapsed_ms). It reads pages with the streaming
// scanner, never a DOM.
#include <weft/weft.hpp>

#include <chrono>
#include <ctime>

namespace
{

std::string now_iso8601()
{
    auto t = std::chrono::system_clock::now();
    auto secs = std::chrono::system_clock::to_time_t(t);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
    return out;
}

class site_spider final : public weft::spider
{
public:
    site_spider() : spider{"site"} {}

    bool needs_document() const override { return false; }
    bool needs_links() const override { return true; }

    weft::generator<weft::output> parse(weft::response res) override
    {
        auto const& req = res.request();
        bool const html = res.is_html();
        weft::item it;
        it.set("url", req.original_url());
        it.set("final_url", res.url());
        it.set("status", res.status());
        it.set("error", nullptr);
        it.set("depth", req.depth());
        it.set("title", html ? res.scan().title : std::string());
        auto ct = res.headers().get("Content-Type");
        it.set("content_type", ct ? std::string(*ct) : std::string());
        it.set("referer", req.referer().empty() ? nlohmann::json() : nlohmann::json(req.referer()));
        it.set("links", html ? res.links().size() : 0);
        it.set("fetched_at", now_iso8601());
        it.set("elapsed_ms", res.http().timing.total.count() / 1000.0);
        co_yield it;
        if (!html)
            co_return;
        // Copied: the scan result lives in the response, which outlives this loop, but a copy
        // keeps the body independent of later calls.
        for (auto const& link : res.links())
        {
            weft::request next{link.url};
            co_yield next;
        }
    }

    weft::generator<weft::output> on_error(weft::failure f) override
    {
        auto const& req = f.request();
        weft::item it;
        it.set("url", req.original_url());
        it.set("final_url", req.url());
        it.set("status", nullptr);
        it.set("error", f.message.empty() ? f.ec.message() : f.message);
        it.set("depth", req.depth());
        it.set("title", "");
        it.set("content_type", "");
        it.set("referer", req.referer().empty() ? nlohmann::json() : nlohmann::json(req.referer()));
        it.set("links", 0);
        it.set("fetched_at", now_iso8601());
        it.set("elapsed_ms", nullptr);
        co_yield it;
    }
};

} // namespace

WEFT_SPIDER(site_spider)
