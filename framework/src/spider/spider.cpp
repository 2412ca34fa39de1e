#include <weft/spider/spider.hpp>

#include <weft/engine/settings.hpp>
#include <weft/plugin/registry.hpp>

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

// Spiders by name, plus the factories of WEFT_SPIDER whose name is found by making one spider
// (the first time a name is needed), each with the origin it was registered from.
struct spiders
{
    plugin::registry<spider_factory> named{"spider"};
    std::mutex unnamed_mutex; // held while an unnamed factory is made: one at a time, in order
    std::vector<std::pair<spider_factory, plugin::origin>> unnamed;

    // A constructor that throws loses its own factory only; the exception propagates.
    void resolve_unnamed()
    {
        std::lock_guard lock(unnamed_mutex);
        while (!unnamed.empty())
        {
            auto [make, from] = std::move(unnamed.front());
            unnamed.erase(unnamed.begin());
            if (auto s = make())
                (void)named.add(s->name(), std::move(make), std::move(from)); // a refusal is listed
        }
    }
};

spiders& reg()
{
    static spiders r;
    return r;
}

} // namespace

void register_spider(std::string name, spider_factory factory)
{
    (void)reg().named.add(std::move(name), std::move(factory)); // a refusal is listed (spider_entries)
}

void register_spider_type(spider_factory factory)
{
    auto& r = reg();
    std::lock_guard lock(r.unnamed_mutex);
    r.unnamed.emplace_back(std::move(factory), plugin::current_origin());
}

std::unique_ptr<spider> make_spider(std::string_view name)
{
    auto& r = reg();
    r.resolve_unnamed();
    auto f = r.named.find(name);
    return f ? f() : nullptr;
}

std::vector<std::string> spider_names()
{
    auto& r = reg();
    r.resolve_unnamed();
    return r.named.names();
}

std::vector<spider_entry> spider_entries()
{
    auto& r = reg();
    r.resolve_unnamed();
    return r.named.list();
}

} // namespace weft
