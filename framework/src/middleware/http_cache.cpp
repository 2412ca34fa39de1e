#include <weft/middleware/builtin.hpp>

#include <weft/engine/fingerprint.hpp>

#include "middleware/detail.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <system_error>

namespace weft::middleware
{
namespace
{

// Dev mode: GET responses under 500 on disk, replayed with X-Weft-Cache: HIT.
class http_cache_middleware final : public detail::builtin_middleware
{
public:
    explicit http_cache_middleware(std::filesystem::path dir)
        : builtin_middleware(detail::builtin_id::http_cache), dir_(std::move(dir))
    {
        std::filesystem::create_directories(dir_);
    }

    task<decision> on_request(weft::request& req, crawl_context& ctx) override
    {
        if (req.method() != "GET")
            co_return decision::proceed();
        auto key = engine::make_fingerprint(req.http()).to_hex();
        std::ifstream meta(dir_ / (key + ".json"));
        std::ifstream body(dir_ / (key + ".body"), std::ios::binary);
        if (!meta || !body)
            co_return decision::proceed();
        auto j = nlohmann::json::parse(meta, nullptr, false);
        if (j.is_discarded())
            co_return decision::proceed();
        http::response res;
        res.status = j.value("status", 200);
        res.url = req.url();
        res.final_url = j.value("final_url", req.url());
        for (auto const& h : j.value("headers", nlohmann::json::array()))
            res.headers.add(h.at(0).get<std::string>(), h.at(1).get<std::string>());
        res.headers.set("X-Weft-Cache", "HIT");
        std::ostringstream ss;
        ss << body.rdbuf();
        res.body = ss.str();
        co_return decision::respond(std::move(res));
    }

    task<decision> on_response(weft::request& req, http::response& res, crawl_context& ctx) override
    {
        if (req.method() != "GET" || res.status >= 500 || res.headers.contains("X-Weft-Cache"))
            co_return decision::proceed();
        auto key = engine::make_fingerprint(req.http()).to_hex();
        nlohmann::json j;
        j["status"] = res.status;
        j["final_url"] = res.final_url.empty() ? req.url() : res.final_url;
        auto& h = j["headers"] = nlohmann::json::array();
        for (auto const& [n, v] : res.headers)
            h.push_back({n, v});
        {
            std::ofstream b(dir_ / (key + ".body.tmp"), std::ios::binary);
            b.write(res.body.data(), static_cast<std::streamsize>(res.body.size()));
        }
        {
            std::ofstream m(dir_ / (key + ".json.tmp"));
            m << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        std::error_code ec;
        std::filesystem::rename(dir_ / (key + ".body.tmp"), dir_ / (key + ".body"), ec);
        std::filesystem::rename(dir_ / (key + ".json.tmp"), dir_ / (key + ".json"), ec);
        co_return decision::proceed();
    }

private:
    std::filesystem::path dir_;
};

} // namespace

std::unique_ptr<downloader_middleware> make_http_cache(std::filesystem::path dir)
{
    return std::make_unique<http_cache_middleware>(std::move(dir));
}

} // namespace weft::middleware
