#include <weft/spider/request.hpp>

namespace weft
{

nlohmann::json request::to_json(std::function<std::string(std::string const&)> const& key_to_name) const
{
    nlohmann::json j = nlohmann::json::object();
    j["url"] = url();
    if (method() != "GET")
        j["method"] = method();
    if (!headers().empty())
    {
        auto& h = j["headers"] = nlohmann::json::array();
        for (auto const& [n, v] : headers())
            h.push_back({n, v});
    }
    if (!body().empty())
        j["body"] = body();
    if (priority() != 0)
        j["priority"] = priority();
    if (auto t = http_.timeout())
        j["timeout_ms"] = t->count();
    if (auto const* m = meta_if(); m && !m->empty())
        j["meta"] = *m;
    if (kwargs_.is_object() && !kwargs_.empty())
        j["kwargs"] = kwargs_;
    auto name_of = [&](std::string const& key) -> std::string
    {
        if (key.empty())
            return {};
        if (key.rfind("name:", 0) == 0)
            return key.substr(5);
        return key_to_name ? key_to_name(key) : std::string();
    };
    if (auto cb = name_of(callback_key_); !cb.empty())
        j["callback"] = cb;
    if (auto eb = name_of(errback_key_); !eb.empty())
        j["errback"] = eb;
    if (dont_filter_)
        j["dont_filter"] = true;
    if (depth_)
        j["depth"] = depth_;
    if (!referer_.empty())
        j["referer"] = referer_;
    if (attempts_)
        j["attempts"] = attempts_;
    if (!redirects_.empty())
        j["redirects"] = redirects_;
    return j;
}

request request::from_json(nlohmann::json const& j,
                           std::function<void(request&, std::string const&, std::string const&)> const& resolve)
{
    request r{j.at("url").get<std::string>(), j.value("method", std::string("GET"))};
    if (auto it = j.find("headers"); it != j.end())
        for (auto const& h : *it)
            r.http_.headers().add(h.at(0).get<std::string>(), h.at(1).get<std::string>());
    if (auto it = j.find("body"); it != j.end())
        r.body(it->get<std::string>());
    r.priority(j.value("priority", 0));
    if (auto it = j.find("timeout_ms"); it != j.end())
        r.timeout(std::chrono::milliseconds(it->get<long long>()));
    if (auto it = j.find("meta"); it != j.end())
        r.meta() = *it;
    if (auto it = j.find("kwargs"); it != j.end() && it->is_object())
        r.kwargs_ = *it;
    r.dont_filter_ = j.value("dont_filter", false);
    r.depth_ = j.value("depth", 0);
    r.referer_ = j.value("referer", std::string());
    r.attempts_ = j.value("attempts", 0);
    if (auto it = j.find("redirects"); it != j.end())
        r.redirects_ = it->get<std::vector<std::string>>();
    auto cb = j.value("callback", std::string());
    auto eb = j.value("errback", std::string());
    if (resolve && (!cb.empty() || !eb.empty()))
        resolve(r, cb, eb);
    return r;
}

} // namespace weft
