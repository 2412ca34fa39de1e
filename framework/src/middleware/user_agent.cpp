#include <weft/middleware/builtin.hpp>

#include "middleware/detail.hpp"

namespace weft::middleware
{
namespace
{

class user_agent_middleware final : public detail::builtin_middleware
{
public:
    user_agent_middleware() noexcept : builtin_middleware(detail::builtin_id::user_agent) {}

    task<decision> on_request(weft::request& req, crawl_context& ctx) override
    {
        if (!req.headers().contains("User-Agent") && !ctx.settings().user_agent.empty())
            req.header("User-Agent", ctx.settings().user_agent);
        co_return decision::proceed();
    }
};

} // namespace

std::unique_ptr<downloader_middleware> make_user_agent()
{
    return std::make_unique<user_agent_middleware>();
}

} // namespace weft::middleware
