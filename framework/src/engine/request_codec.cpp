// How the crawl state stores requests: callbacks and errbacks by name, so that a job directory
// resumed later, another worker of a shared crawl, or a spilled frontier entry calls the same one.
#include "engine/crawl.hpp"

#include <weft/error.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace weft::engine::detail
{

namespace
{

// Callbacks with no name (lambdas) of requests spilled to this process's scratch file: kept in
// memory under "mem:N" until the entry is read back (once; spilled entries are never updated).
class unnamed_callbacks
{
public:
    std::string keep(callback_fn cb, errback_fn eb)
    {
        std::lock_guard lock(mutex_);
        auto const id = next_++;
        kept_.emplace(id, std::make_pair(std::move(cb), std::move(eb)));
        return "mem:" + std::to_string(id);
    }
    std::pair<callback_fn, errback_fn> take(std::string const& name)
    {
        if (name.rfind("mem:", 0) != 0)
            return {};
        std::lock_guard lock(mutex_);
        auto it = kept_.find(std::stoull(name.substr(4)));
        if (it == kept_.end())
            return {};
        auto fns = std::move(it->second);
        kept_.erase(it);
        return fns;
    }

private:
    std::mutex mutex_;
    std::uint64_t next_ = 1;
    std::map<std::uint64_t, std::pair<callback_fn, errback_fn>> kept_;
};

bool names_nothing(std::string const& key, std::string const& name)
{
    return !key.empty() && name.empty(); // a callback was given, and it has no name
}

[[noreturn]] void refuse(weft::request const& r, std::string const& spider_name, char const* which)
{
    throw system_error(make_error_code(error::unresumable_callback),
                       fmt::format("{} {}: its {} cannot be stored in the job directory or shared crawl, which keep "
                                   "requests by their callbacks' names: it is a lambda without a name, or a member "
                                   "function without an exported symbol. Name it: "
                                   "register_callback(\"name\", &{}::function) in the spider's constructor, or "
                                   ".callback(fn, \"name\"); the page that yielded it is fetched again on resume",
                                   r.method(), r.url(), which, spider_name));
}

[[noreturn]] void unknown_name(std::string const& url, std::string const& name, std::string const& spider_name,
                               char const* which)
{
    throw system_error(make_error_code(error::unresumable_callback),
                       fmt::format("{}: the crawl's stored request names {} '{}', which spider '{}' does not have "
                                   "(renamed, removed, or the spider was rebuilt without it): register a {} under "
                                   "that name (spider::register_callback), or start a new job directory",
                                   url, which, name, spider_name, which));
}

} // namespace

state::request_codec make_request_codec(weft::spider& sp, bool in_process)
{
    auto kept = std::make_shared<unnamed_callbacks>();
    auto to_json = [&sp, kept, in_process](weft::request const& r)
    {
        auto j = r.to_json([&sp](std::string const& key) { return sp.callback_name(key); });
        bool const cb_unnamed = names_nothing(r.callback_key(), j.value("callback", std::string()));
        bool const eb_unnamed = names_nothing(r.errback_key(), j.value("errback", std::string()));
        if (!cb_unnamed && !eb_unnamed)
            return j;
        if (!in_process)
            refuse(r, sp.name(), cb_unnamed ? "callback" : "errback");
        auto const name = kept->keep(cb_unnamed ? r.callback() : callback_fn(), eb_unnamed ? r.errback() : errback_fn());
        j[cb_unnamed ? "callback" : "errback"] = name; // both unnamed: one entry holds both
        if (cb_unnamed && eb_unnamed)
            j["errback"] = name;
        return j;
    };
    auto from_json = [&sp, kept](nlohmann::json const& j)
    {
        auto resolve = [&](weft::request& r, std::string const& cb, std::string const& eb)
        {
            auto const is_kept = [](std::string const& n) { return n.rfind("mem:", 0) == 0; };
            auto unnamed = kept->take(is_kept(cb) ? cb : eb);
            if (is_kept(cb) && unnamed.first)
                r.callback(std::move(unnamed.first)); // still unnamed: a second spill keeps it again
            else if (!cb.empty())
            {
                auto f = sp.find_callback(cb);
                if (!f)
                    unknown_name(r.url(), cb, sp.name(), "callback");
                r.callback(std::move(f), cb);
            }
            if (is_kept(eb) && unnamed.second)
                r.errback(std::move(unnamed.second));
            else if (!eb.empty())
            {
                auto f = sp.find_errback(eb);
                if (!f)
                    unknown_name(r.url(), eb, sp.name(), "errback");
                r.errback(std::move(f), eb);
            }
        };
        return weft::request::from_json(j, resolve);
    };
    return {std::move(to_json), std::move(from_json)};
}

} // namespace weft::engine::detail
