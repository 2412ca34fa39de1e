#include <weft/middleware/builtin.hpp>

#include <weft/url/resolve.hpp>

#include "middleware/detail.hpp"

#include <algorithm>
#include <iterator>

namespace weft::middleware
{
namespace
{

class redirect_middleware final : public detail::builtin_middleware
{
public:
    redirect_middleware() noexcept : builtin_middleware(detail::builtin_id::redirect) {}

    task<decision> on_response(weft::request& req, http::response& res, crawl_context& ctx) override
    {
        static constexpr int codes[] = {301, 302, 303, 307, 308};
        if (std::find(std::begin(codes), std::end(codes), res.status) == std::end(codes))
            co_return decision::proceed();
        auto loc = res.headers.get("Location");
        if (!loc)
            co_return decision::proceed();
        if (static_cast<int>(req.redirect_chain().size()) >= ctx.settings().max_redirects)
            co_return decision::fail(weft::error::too_many_redirects,
                                     req.method() + " " + req.original_url() + ": more than " +
                                         std::to_string(ctx.settings().max_redirects) + " redirects");
        auto target = url::resolve(req.url(), *loc);
        if (!target)
            co_return decision::fail(weft::error::bad_url,
                                     req.url() + ": redirect to a bad URL '" + std::string(*loc) + "'");
        weft::request next = req;
        next.redirect_chain().push_back(req.url());
        bool const cross = detail::host_or_empty(*target) != detail::host_or_empty(req.url());
        next.url(std::move(*target));
        if (res.status == 303 || ((res.status == 301 || res.status == 302) && req.method() == "POST"))
        {
            next.method("GET");
            next.body("");
            next.http().headers().remove("Content-Type");
            next.http().headers().remove("Content-Length");
        }
        next.http().headers().remove("Cookie");
        if (cross)
            next.http().headers().remove("Authorization");
        next.priority(req.priority() + 2);
        next.attempts(0);
        co_return decision::follow(std::move(next));
    }
};

} // namespace

std::unique_ptr<downloader_middleware> make_redirect()
{
    return std::make_unique<redirect_middleware>();
}

} // namespace weft::middleware
