#include "cookies.hpp"

namespace weft::chromium::detail
{

std::vector<cookie> cookies_from_json(json const& list)
{
    std::vector<cookie> out;
    if (!list.is_array())
        return out;
    for (auto const& c : list)
    {
        cookie k;
        k.name = c.value("name", std::string());
        k.value = c.value("value", std::string());
        k.domain = c.value("domain", std::string());
        k.path = c.value("path", std::string("/"));
        k.expires = c.value("expires", -1.0);
        k.http_only = c.value("httpOnly", false);
        k.secure = c.value("secure", false);
        out.push_back(std::move(k));
    }
    return out;
}

json cookies_to_json(std::vector<cookie> const& cookies)
{
    json list = json::array();
    for (auto const& c : cookies)
    {
        json j = {{"name", c.name}, {"value", c.value}, {"httpOnly", c.http_only}, {"secure", c.secure}};
        if (!c.url.empty())
            j["url"] = c.url;
        if (!c.domain.empty())
            j["domain"] = c.domain;
        if (!c.path.empty())
            j["path"] = c.path;
        if (c.expires >= 0)
            j["expires"] = c.expires;
        list.push_back(std::move(j));
    }
    return list;
}

} // namespace weft::chromium::detail
