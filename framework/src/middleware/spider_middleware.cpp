#include <weft/middleware/spider_middleware.hpp>

#include <algorithm>

namespace weft
{

void spider_middleware_chain::add(std::unique_ptr<spider_middleware> m)
{
    auto pos = std::upper_bound(list_.begin(), list_.end(), m->priority(),
                                [](int p, auto const& x) { return p < x->priority(); });
    list_.insert(pos, std::move(m));
}

task<decision> spider_middleware_chain::on_input(weft::response const& res, crawl_context& ctx) const
{
    for (auto const& m : list_)
        if (auto d = co_await m->on_input(res, ctx); d.what() == decision::kind::fail)
            co_return d;
    co_return decision::proceed();
}

task<std::optional<output>> spider_middleware_chain::on_output(output out, weft::response const* from,
                                                               crawl_context& ctx) const
{
    std::optional<output> cur(std::move(out));
    for (auto const& m : list_)
    {
        cur = co_await m->on_output(std::move(*cur), from, ctx);
        if (!cur)
            break;
    }
    co_return cur;
}

task<std::optional<std::vector<output>>> spider_middleware_chain::on_exception(weft::response const& res,
                                                                               std::exception_ptr e,
                                                                               crawl_context& ctx) const
{
    for (auto const& m : list_)
        if (auto outs = co_await m->on_exception(res, e, ctx))
            co_return outs;
    co_return std::nullopt;
}

} // namespace weft
