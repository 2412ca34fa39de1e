#include <weft/http/request.hpp>

#include <nlohmann/json.hpp>

namespace weft::http {

request::request(std::string url, std::string method) : url_(std::move(url)), method_(std::move(method)) {}

request::request(request const& o)
    : url_(o.url_), method_(o.method_), headers_(o.headers_), body_(o.body_), priority_(o.priority_),
      timeout_(o.timeout_), max_redirects_(o.max_redirects_),
      meta_(o.meta_ ? std::make_unique<nlohmann::json>(*o.meta_) : nullptr), attachments_(o.attachments_)
{
}

request& request::operator=(request const& o)
{
    if (this != &o)
        *this = request(o);
    return *this;
}

request::request(request&&) noexcept = default;
request& request::operator=(request&&) noexcept = default;
request::~request() = default;

nlohmann::json& request::meta()
{
    if (!meta_)
        meta_ = std::make_unique<nlohmann::json>(nlohmann::json::object());
    return *meta_;
}

} // namespace weft::http
