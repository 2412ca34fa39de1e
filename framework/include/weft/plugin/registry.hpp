// weft::plugin::registry: factories by name (spiders, fetchers, sinks), each with where it comes
// from (built in, or the plugin file) and its version.
//
// One registry per kind; weft owns three (spiders, http::make_fetcher's fetchers, sinks by
// extension) behind the functions of <weft/spider/spider.hpp>, <weft/http/fetcher_registry.hpp>
// and <weft/sink/registry.hpp>: register there, not here.
//
// Origin: a registration made while the plugin loader runs a plugin's `register_all` is the
// plugin's (its path as the loader has it, its declared version); any other is built in (weft's
// own version). add() may also be told the origin.
//
// Duplicates: a name registered again from the same origin replaces the earlier factory. From
// another origin it is refused: the first stays in use, and the refused one is kept for listing
// (`weft list`) with `shadowed_by` naming the origin in use; add() returns the message, which
// names both origins. Registration order decides, so a built-in wins over any plugin, and a plugin
// named with --plugin over one found on the search path.
//
// Thread safety: every member may be called from any thread. Lookups return copies of the
// factory, called outside the registry's lock.
// Lifetimes: a plugin's factories point into it; accepted plugins stay loaded until exit.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::plugin
{

/// The origin of what weft itself (or the program linking it) registers.
inline constexpr char const built_in[] = "built in";

/// Where a registration comes from.
struct origin
{
    std::string where;   ///< built_in, or the plugin's path as the loader knows it (absolute)
    std::string version; ///< the plugin's declared version; weft's own for built-ins
};

/// The origin of a registration made now on this thread: the plugin whose `register_all` the
/// loader is running (<weft/plugin/loader.hpp>), else built in.
origin current_origin();

/// A registration as listed: no factory.
struct registration
{
    std::string name;
    std::string origin;      ///< built_in, or the plugin's path
    std::string version;     ///< the plugin's version; weft's own for built-ins
    std::string shadowed_by; ///< non-empty: refused as a duplicate; the origin of the one in use
};

/// "fetcher 'curl' from /p/x.so (1.2.0) is not used: a fetcher of that name comes from built in".
std::string refusal_message(std::string_view kind, registration const& refused);

template <class Factory>
class registry
{
public:
    /// `kind` names what is registered in messages ("spider", "fetcher", "sink").
    explicit registry(std::string kind) : kind_(std::move(kind)) {}
    registry(registry const&) = delete;
    registry& operator=(registry const&) = delete;

    /// Registers `factory` as `name` from current_origin(). Returns the refusal's message when
    /// another origin registered `name` first (see above), else nothing.
    std::optional<std::string> add(std::string name, Factory factory)
    {
        return add(std::move(name), std::move(factory), current_origin());
    }

    /// The same, from origin `from`.
    std::optional<std::string> add(std::string name, Factory factory, origin from)
    {
        registration r{std::move(name), std::move(from.where), std::move(from.version), {}};
        std::lock_guard lock(mutex_);
        auto it = entries_.find(r.name);
        if (it != entries_.end() && it->second.first.origin != r.origin)
        {
            r.shadowed_by = it->second.first.origin;
            auto message = refusal_message(kind_, r);
            std::erase_if(refused_, [&](registration const& x) { return x.name == r.name && x.origin == r.origin; });
            refused_.push_back(std::move(r));
            return message;
        }
        auto key = r.name;
        entries_.insert_or_assign(std::move(key), std::pair{std::move(r), std::move(factory)});
        return std::nullopt;
    }

    /// The factory in use for `name`; an empty Factory when there is none.
    Factory find(std::string_view name) const
    {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(name);
        return it == entries_.end() ? Factory() : it->second.second;
    }

    /// The names in use, sorted.
    std::vector<std::string> names() const
    {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        for (auto const& [n, e] : entries_)
            out.push_back(n);
        return out;
    }

    /// Every registration in use with its factory, sorted by name.
    std::vector<std::pair<registration, Factory>> entries() const
    {
        std::lock_guard lock(mutex_);
        std::vector<std::pair<registration, Factory>> out;
        for (auto const& [n, e] : entries_)
            out.push_back(e);
        return out;
    }

    /// Every registration, sorted by name; those refused follow the one in use, in the order
    /// they came.
    std::vector<registration> list() const
    {
        std::lock_guard lock(mutex_);
        std::vector<registration> out;
        for (auto const& [n, e] : entries_)
        {
            out.push_back(e.first);
            for (auto const& r : refused_)
                if (r.name == n)
                    out.push_back(r);
        }
        return out;
    }

private:
    std::string kind_;
    mutable std::mutex mutex_;
    std::map<std::string, std::pair<registration, Factory>, std::less<>> entries_;
    std::vector<registration> refused_; // never in entries_: a name is refused only once one is in use
};

} // namespace weft::plugin
