#include <weft/spider/spider.hpp>

#include <weft/engine/settings.hpp>
#include <weft/plugin/loader.hpp>

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

struct registration
{
    spider_factory make;
    std::string origin; // "" built in, else the plugin's path
    std::string version;
};

std::string describe_origin(std::string const& origin)
{
    return origin.empty() ? std::string("built in") : origin;
}

struct registry
{
    std::mutex mutex;
    std::map<std::string, registration, std::less<>> named;
    std::vector<registration> unnamed;
    std::vector<spider_entry> shadowed;

    void add(std::string name, registration r)
    {
        auto it = named.find(name);
        if (it == named.end() || it->second.origin == r.origin)
            named[std::move(name)] = std::move(r);
        else
            shadowed.push_back({std::move(name), r.origin, r.version, describe_origin(it->second.origin)});
    }

    // Makes one spider of each unnamed factory to learn its name. A constructor that throws loses
    // its own factory only; the exception propagates.
    void resolve_unnamed()
    {
        while (!unnamed.empty())
        {
            auto r = std::move(unnamed.front());
            unnamed.erase(unnamed.begin());
            if (auto s = r.make())
                add(s->name(), std::move(r));
        }
    }
};

registry& reg()
{
    static registry r;
    return r;
}

registration make_registration(spider_factory f)
{
    registration r{std::move(f), {}, {}};
    if (auto const* m = plugin::detail::registering_module())
    {
        r.origin = m->path.string();
        r.version = m->version;
    }
    return r;
}

} // namespace

void register_spider(std::string name, spider_factory factory)
{
    auto& r = reg();
    std::lock_guard lock(r.mutex);
    r.add(std::move(name), make_registration(std::move(factory)));
}

void register_spider_type(spider_factory factory)
{
    auto& r = reg();
    std::lock_guard lock(r.mutex);
    r.unnamed.push_back(make_registration(std::move(factory)));
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
        f = it->second.make;
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

std::vector<spider_entry> spider_entries()
{
    auto& r = reg();
    std::lock_guard lock(r.mutex);
    r.resolve_unnamed();
    std::vector<spider_entry> out;
    for (auto const& [n, reg] : r.named)
    {
        out.push_back({n, reg.origin, reg.version, {}});
        for (auto const& s : r.shadowed)
            if (s.name == n)
                out.push_back(s);
    }
    return out;
}

} // namespace weft
