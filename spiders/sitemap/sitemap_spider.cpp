// The "sitemap" spider: every URL a site lists in its sitemaps.
//
//     weft crawl sitemap -a url=https://example.org/ -o urls.jsonl
//     weft crawl sitemap -a url=https://example.org/sitemap_index.xml -a follow=1 -a since=2025-01-01
//
// Given a site (any URL that is not a sitemap), it reads the site's /robots.txt and follows its
// `Sitemap:` lines, or tries /sitemap.xml when there are none; given a sitemap URL (.xml,
// .xml.gz, .txt, or -a sitemap=URL), it starts there. Sitemap indexes are followed to their
// children (each fetched once), gzip sitemaps are decompressed (a bomb stops at the parser's
// 50 MiB limit), and text sitemaps read one URL per line.
//
// One item per URL listed: url, lastmod, changefreq, priority (null when absent), sitemap (the
// file that listed it). With -a follow=1 each listed URL is also fetched and yields a page item
// (url, status, title) in place of the listing item; -a since=DATE keeps entries whose lastmod
// is that W3C date or later (entries without lastmod are kept).
#include <weft/weft.hpp>

#include <weft/engine/robots.hpp>
#include <weft/engine/sitemap.hpp>

#include <stdexcept>

namespace
{

namespace sitemap = weft::engine::sitemap;

bool looks_like_sitemap(std::string_view url)
{
    auto path = url.substr(0, url.find_first_of("?#"));
    for (std::string_view ext : {".xml", ".gz", ".txt"})
        if (path.ends_with(ext) && !path.ends_with("/robots.txt"))
            return true;
    return false;
}

class sitemap_spider final : public weft::spider
{
public:
    sitemap_spider() : spider{"sitemap"}
    {
        register_callback("robots", &sitemap_spider::parse_robots);
        register_callback("page", &sitemap_spider::parse_page);
        register_callback("no_robots", &sitemap_spider::no_robots);
    }

    bool needs_document() const override { return follow_; }

    weft::task<void> opened() override
    {
        auto const sitemap_arg = arg("sitemap");
        auto const url_arg = sitemap_arg.empty() ? arg("url") : sitemap_arg;
        auto start = weft::url::canonicalize(url_arg);
        if (url_arg.empty() || !start || !(start->starts_with("http://") || start->starts_with("https://")))
            throw std::invalid_argument(
                "the sitemap spider needs -a url=URL (a site, or a sitemap) or -a sitemap=URL (http or https)");
        start_ = *start;
        from_sitemap_ = !sitemap_arg.empty() || looks_like_sitemap(start_);
        follow_ = arg("follow") == "1" || arg("follow") == "true";
        since_ = arg("since");
        co_return;
    }

    weft::generator<weft::request> start_requests() override
    {
        if (from_sitemap_)
            co_yield weft::request(start_);
        else
            co_yield weft::request(weft::url::resolve(start_, "/robots.txt").value())
                .callback(&sitemap_spider::parse_robots)
                .errback(&sitemap_spider::no_robots);
    }

    // A sitemap (the default callback): its URLs, or its children.
    weft::generator<weft::output> parse(weft::response res) override
    {
        if (res.status() != 200)
            co_return;
        auto doc = sitemap::parse(res.body());
        if (!doc)
            co_return; // not a sitemap: nothing listed (the crawl's log has the URL)
        for (auto const& child : doc->sitemaps)
            if (auto u = weft::url::resolve(res.url(), child.loc))
                co_yield res.follow(*u);
        for (auto const& e : doc->urls)
        {
            if (!since_.empty() && !e.lastmod.empty() && e.lastmod < since_)
                continue;
            auto u = weft::url::resolve(res.url(), e.loc);
            if (!u)
                continue;
            if (follow_)
            {
                co_yield weft::request(*u).callback(&sitemap_spider::parse_page);
                continue;
            }
            weft::item it;
            it.set("url", *u);
            it.set("lastmod", e.lastmod.empty() ? nlohmann::json() : nlohmann::json(e.lastmod));
            it.set("changefreq", e.changefreq.empty() ? nlohmann::json() : nlohmann::json(e.changefreq));
            it.set("priority", e.priority ? nlohmann::json(*e.priority) : nlohmann::json());
            it.set("sitemap", res.url());
            co_yield it;
        }
    }

    // /robots.txt: its Sitemap: lines, else the conventional /sitemap.xml.
    weft::generator<weft::output> parse_robots(weft::response res)
    {
        auto rules = weft::engine::robots::parse(res.status() == 200 ? res.body() : std::string_view());
        bool any = false;
        for (auto const& s : rules.sitemaps())
            if (auto u = weft::url::resolve(res.url(), s))
            {
                any = true;
                co_yield weft::request(*u);
            }
        if (!any)
            co_yield weft::request(weft::url::resolve(res.url(), "/sitemap.xml").value());
    }

    weft::generator<weft::output> no_robots(weft::failure f)
    {
        co_yield weft::request(weft::url::resolve(f.request().url(), "/sitemap.xml").value());
    }

    weft::generator<weft::output> parse_page(weft::response res)
    {
        weft::item it;
        it.set("url", res.url());
        it.set("status", res.status());
        it.set("title", res.is_html() ? res.text("title") : std::string());
        co_yield it;
    }

private:
    std::string start_;
    bool from_sitemap_ = false;
    bool follow_ = false;
    std::string since_;
};

} // namespace

WEFT_SPIDER(sitemap_spider)
