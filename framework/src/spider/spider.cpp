#include <weft/spider/spider.hpp>

#include <weft/engine/settings.hpp>
#include <weft/plugin/registry.hpp>

#include "callback_symbols.hpp"

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
    std::lock_guard lock(names_mutex_);
    if (auto it = names_.find(key); it != names_.end())
        return it->second;
    std::string name;
    if (key.rfind("pm:", 0) == 0)
        if (auto symbol = detail::member_symbol(this, key); !symbol.empty())
            name = "sym:" + symbol;
    names_.emplace(key, name); // once per distinct callback: dladdr is not cheap
    return name;
}

namespace
{

// A callback stored by its symbol ("sym:..."), called again without the spider registering it.
template <class Arg, class Fn>
Fn by_symbol(spider const& s, std::string const& name)
{
    if (name.rfind("sym:", 0) != 0)
        return {};
    void* address = detail::symbol_address(&s, name.substr(4));
    if (!address)
        return {};
    using member = generator<output> (spider::*)(Arg);
    auto pm = detail::member_pointer_to<member>(address);
    return [pm](spider& self, Arg a) { return (self.*pm)(std::move(a)); };
}

} // namespace

std::vector<std::string> spider::registered_callbacks() const
{
    std::lock_guard lock(names_mutex_);
    std::vector<std::string> out;
    for (auto const& [name, fn] : callbacks_)
        if (name.rfind("sym:", 0) != 0)
            out.push_back(name);
    return out;
}

namespace
{

// A registered function, else one stored by its symbol (remembered from then on).
template <class Arg, class Fn>
Fn find_or_resolve(std::map<std::string, Fn>& table, spider const& s, std::string const& name)
{
    if (auto it = table.find(name); it != table.end())
        return it->second;
    auto fn = by_symbol<Arg, Fn>(s, name);
    if (fn)
        table.emplace(name, fn);
    return fn;
}

} // namespace

callback_fn spider::find_callback(std::string const& n) const
{
    std::lock_guard lock(names_mutex_);
    return find_or_resolve<response>(callbacks_, *this, n);
}

errback_fn spider::find_errback(std::string const& n) const
{
    std::lock_guard lock(names_mutex_);
    return find_or_resolve<failure>(errbacks_, *this, n);
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
