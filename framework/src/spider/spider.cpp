#include <weft/spider/spider.hpp>

#include <weft/engine/settings.hpp>

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace weft
{

spider::spider(std::string name, std::vector<std::string> start_urls)
    : start_urls_(std::move(start_urls)), name_(std::move(name))
{
}

spider::~spider() = default;

generator<request> spider::start_requests()
{
    // Copied first: the body runs later, while the engine consumes it.
    auto urls = start_urls_;
    for (auto& u : urls)
    {
        request r{std::move(u)};
        co_yield r;
    }
}

generator<output> spider::on_error(failure f)
{
    co_return;
}

task<void> spider::opened()
{
    co_return;
}

task<void> spider::closed(std::string reason)
{
    co_return;
}

std::string spider::arg(std::string const& key, std::string fallback) const
{
    auto it = args_.find(key);
    return it == args_.end() ? fallback : it->second;
}

engine::settings const& spider::settings() const
{
    if (!settings_)
        throw std::logic_error("weft::spider::settings: the spider is not attached to an engine");
    return *settings_;
}

nlohmann::json spider::setting(std::string const& key) const
{
    if (!settings_)
        return nullptr;
    auto it = settings_->extra.find(key);
    return it == settings_->extra.end() ? nlohmann::json() : *it;
}

std::string spider::callback_name(std::string const& key) const
{
    auto it = names_.find(key);
    return it == names_.end() ? std::string() : it->second;
}

callback_fn spider::find_callback(std::string const& n) const
{
    auto it = callbacks_.find(n);
    return it == callbacks_.end() ? callback_fn() : it->second;
}

errback_fn spider::find_errback(std::string const& n) const
{
    auto it = errbacks_.find(n);
    return it == errbacks_.end() ? errback_fn() : it->second;
}

namespace
{

struct registry
{
    std::mutex mutex;
    std::map<std::string, spider_factory, std::less<>> named;
    std::vector<spider_factory> unnamed;

    void resolve_unnamed()
    {
        for (auto& f : unnamed)
            if (auto s = f())
                named[s->name()] = std::move(f);
        unnamed.clear();
    }
};

registry& reg()
{
    static registry r;
    return r;
}

} // namespace

void register_spider(std::string name, spider_factory factory)
{
    auto& r = reg();
    std::lock_guard lock(r.mutex);
    r.named[std::move(name)] = std::move(factory);
}

void register_spider_type(spider_factory factory)
{
    auto& r = reg();
    std::lock_guard lock(r.mutex);
    r.unnamed.push_back(std::move(factory));
}

std::unique_ptr<spider> make_spider(std::string_view name)
{
    auto& r = reg();
    spider_factory f;
    {
        std::lock_guard lock(r.mutex);
        r.resolve_unnamed();
        auto it = r.named.find(name);
        if (it == r.named.end())
            return nullptr;
        f = it->second;
    }
    return f();
}

std::vector<std::string> spider_names()
{
    auto& r = reg();
    std::lock_guard lock(r.mutex);
    r.resolve_unnamed();
    std::vector<std::string> out;
    for (auto const& [n, f] : r.named)
        out.push_back(n);
    return out;
}

} // namespace weft
