#include <weft/middleware/middleware.hpp>

namespace weft
{

task<decision> middleware_chain::on_request(weft::request& req, crawl_context& ctx) const
{
    for (auto const& m : list_)
    {
        auto d = co_await m->on_request(req, ctx);
        if (!d.proceeds())
            co_return d;
    }
    co_return decision::proceed();
}

task<decision> middleware_chain::on_response(weft::request& req, http::response& res, crawl_context& ctx) const
{
    for (auto it = list_.rbegin(); it != list_.rend(); ++it)
    {
        auto d = co_await (*it)->on_response(req, res, ctx);
        if (!d.proceeds())
            co_return d;
    }
    co_return decision::proceed();
}

task<decision> middleware_chain::on_error(weft::request& req, error_code ec, crawl_context& ctx) const
{
    for (auto it = list_.rbegin(); it != list_.rend(); ++it)
    {
        auto d = co_await (*it)->on_error(req, ec, ctx);
        if (!d.proceeds())
            co_return d;
    }
    co_return decision::proceed();
}

} // namespace weft
