#include <weft/middleware/builtin.hpp>

#include <weft/engine/robots.hpp>
#include <weft/text/ascii.hpp>

#include "middleware/detail.hpp"

#include <algorithm>
#include <vector>

namespace weft::middleware
{
namespace
{

class cookies_middleware final : public detail::builtin_middleware
{
public:
    cookies_middleware() noexcept : builtin_middleware(detail::builtin_id::cookies) {}

    task<decision> on_request(weft::request& req, crawl_context& ctx) override
    {
        auto host = detail::host_or_empty(req.url());
        auto path = engine::robots::path_of(req.url());
        bool const secure = req.url().starts_with("https:");
        std::string header;
        for (auto const& c : jar_)
        {
            bool const dom = c.host_only ? host == c.domain : (host == c.domain || host.ends_with("." + c.domain));
            if (!dom || !path.starts_with(c.path) || (c.secure && !secure))
                continue;
            if (!header.empty())
                header += "; ";
            header += c.name + "=" + c.value;
        }
        if (!header.empty() && !req.headers().contains("Cookie"))
            req.header("Cookie", header);
        co_return decision::proceed();
    }

    task<decision> on_response(weft::request& req, http::response& res, crawl_context& ctx) override
    {
        for (auto v : res.headers.get_all("Set-Cookie"))
            store(req.url(), v);
        co_return decision::proceed();
    }

private:
    struct cookie
    {
        std::string name, value, domain, path;
        bool host_only = true;
        bool secure = false;
    };

    static std::string trim(std::string_view s) { return std::string(text::trim(s, text::is_http_space)); }

    void store(std::string const& url, std::string_view line)
    {
        cookie c;
        c.domain = detail::host_or_empty(url);
        auto p = engine::robots::path_of(url);
        auto q = p.find('?');
        p = p.substr(0, q);
        c.path = p.substr(0, std::max<std::size_t>(1, p.rfind('/')));
        bool expired = false;
        std::size_t start = 0;
        bool first = true;
        while (start <= line.size())
        {
            auto semi = line.find(';', start);
            auto part = line.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start);
            auto eq = part.find('=');
            auto k = trim(part.substr(0, eq));
            auto v = eq == std::string_view::npos ? std::string() : trim(part.substr(eq + 1));
            if (first)
            {
                c.name = k;
                c.value = v;
                first = false;
            }
            else if (text::iequals(k, "domain") && !v.empty())
            {
                if (v.front() == '.')
                    v.erase(0, 1);
                c.domain = text::to_lower(std::move(v));
                c.host_only = false;
            }
            else if (text::iequals(k, "path") && !v.empty() && v.front() == '/')
                c.path = v;
            else if (text::iequals(k, "secure"))
                c.secure = true;
            else if (text::iequals(k, "max-age") && !v.empty() && (v.front() == '-' || v == "0"))
                expired = true;
            if (semi == std::string_view::npos)
                break;
            start = semi + 1;
        }
        if (c.name.empty())
            return;
        std::erase_if(jar_,
                      [&](cookie const& o) { return o.name == c.name && o.domain == c.domain && o.path == c.path; });
        if (!expired)
            jar_.push_back(std::move(c));
    }

    std::vector<cookie> jar_;
};

} // namespace

std::unique_ptr<downloader_middleware> make_cookies()
{
    return std::make_unique<cookies_middleware>();
}

} // namespace weft::middleware
