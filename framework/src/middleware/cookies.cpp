#include <weft/middleware/builtin.hpp>

#include <weft/middleware/cookie_jar.hpp>

#include "middleware/detail.hpp"

namespace weft::middleware
{
namespace
{

// One jar for the spider's whole crawl: the jar's rules (host-only cookies, Domain checked
// against the host and the Public Suffix List) keep each site's cookies to that site.
class cookies_middleware final : public detail::builtin_middleware
{
public:
    cookies_middleware() noexcept : builtin_middleware(detail::builtin_id::cookies) {}

    task<decision> on_request(weft::request& req, crawl_context&) override
    {
        // A Cookie header the spider set itself is its choice: the jar does not add to it.
        if (!req.headers().contains("Cookie"))
            if (auto header = jar_.cookie_header(req.url()); !header.empty())
                req.header("Cookie", header);
        co_return decision::proceed();
    }

    task<decision> on_response(weft::request& req, http::response& res, crawl_context& ctx) override
    {
        for (auto v : res.headers.get_all("Set-Cookie"))
        {
            auto r = jar_.store(req.url(), v);
            ctx.count(r.what == store_result::kind::rejected ? "cookies_rejected" : "cookies_stored");
        }
        co_return decision::proceed();
    }

private:
    cookie_jar jar_;
};

} // namespace

std::unique_ptr<downloader_middleware> make_cookies()
{
    return std::make_unique<cookies_middleware>();
}

} // namespace weft::middleware
