#include <weft/middleware/builtin.hpp>

#include <weft/text/ascii.hpp>

#include "middleware/detail.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <sstream>

namespace weft::middleware
{
namespace
{

class retry_middleware final : public detail::builtin_middleware
{
public:
    retry_middleware() : builtin_middleware(detail::builtin_id::retry) {}

    task<decision> on_error(weft::request& req, error_code ec, crawl_context& ctx) override
    {
        auto const& s = ctx.settings();
        if (!is_retryable(ec) || req.attempts() > s.retries)
            co_return decision::proceed();
        co_return decision::retry(
            backoff_delay(req.attempts(), s.retry_base_delay, s.retry_max_delay, std::nullopt, rng_), ec.message());
    }

    task<decision> on_response(weft::request& req, http::response& res, crawl_context& ctx) override
    {
        auto const& s = ctx.settings();
        if (std::find(s.retry_codes.begin(), s.retry_codes.end(), res.status) == s.retry_codes.end())
            co_return decision::proceed();
        std::optional<std::chrono::milliseconds> after;
        if (auto v = res.headers.get("Retry-After"))
            after = parse_retry_after(*v);
        if (after && (res.status == 429 || res.status == 503))
            ctx.back_off_host(detail::host_or_empty(req.url()), std::min(*after, s.retry_max_delay));
        if (req.attempts() > s.retries)
            co_return decision::proceed();
        co_return decision::retry(backoff_delay(req.attempts(), s.retry_base_delay, s.retry_max_delay, after, rng_),
                                  "HTTP " + std::to_string(res.status));
    }

private:
    std::minstd_rand rng_{std::random_device{}()};
};

} // namespace

std::unique_ptr<downloader_middleware> make_retry()
{
    return std::make_unique<retry_middleware>();
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view v,
                                                           std::chrono::system_clock::time_point now)
{
    v = text::trim(v, text::is_http_space);
    if (v.empty())
        return std::nullopt;
    if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
    {
        if (v.size() > 9)
            return std::chrono::hours(24 * 365);
        return std::chrono::seconds(std::stol(std::string(v)));
    }
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    std::tm tm{};
    std::istringstream ss{std::string(v)};
    ss >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S");
    if (ss.fail())
        return std::nullopt;
    auto t = std::chrono::system_clock::from_time_t(timegm(&tm));
    if (t <= now)
        return std::chrono::milliseconds(0);
    return std::chrono::duration_cast<std::chrono::milliseconds>(t - now);
}

std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base, std::chrono::milliseconds max,
                                        std::optional<std::chrono::milliseconds> retry_after, std::minstd_rand& rng)
{
    double d = static_cast<double>(base.count()) * std::pow(2.0, std::max(0, attempt - 1));
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    d *= jitter(rng);
    auto out = std::chrono::milliseconds(static_cast<long long>(std::min(d, static_cast<double>(max.count()))));
    if (retry_after)
        out = std::max(out, std::min(*retry_after, max));
    return out;
}

bool is_retryable(error_code ec)
{
    return ec == condition::timeout || ec == condition::network || ec == condition::dns ||
           ec == weft::error::connection_closed;
}

} // namespace weft::middleware
