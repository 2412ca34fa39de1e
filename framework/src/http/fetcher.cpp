#include <weft/http/fetcher.hpp>

namespace weft::http {

std::string describe_failure(request const& req, error_code ec, response const& res)
{
    std::string out = req.method() + " " + req.url() + ": " + ec.message();
    if (!res.error_detail.empty() && res.error_detail != ec.message())
        out += " (" + res.error_detail + ")";
    if (res.redirects > 0)
        out += " after " + std::to_string(res.redirects) + " redirect(s), at " + res.final_url;
    return out;
}

} // namespace weft::http
