#include <weft/http/fetcher_registry.hpp>

#include <map>
#include <mutex>
#include <stdexcept>

namespace weft::http {
namespace {

struct registry
{
    std::mutex mutex;
    std::map<std::string, fetcher_factory, std::less<>> factories;
};

registry& the_registry()
{
    static registry r; // function-local: plugins register during static initialisation
    return r;
}

} // namespace

void register_fetcher(std::string name, fetcher_factory factory)
{
    auto& r = the_registry();
    std::lock_guard lock(r.mutex);
    r.factories[std::move(name)] = std::move(factory);
}

std::unique_ptr<fetcher> make_fetcher(std::string_view name, executor ex, fetch_options const& opts)
{
    auto& r = the_registry();
    fetcher_factory factory;
    {
        std::lock_guard lock(r.mutex);
        if (auto it = r.factories.find(name); it != r.factories.end())
            factory = it->second;
    }
    if (!factory)
    {
        std::string known;
        for (auto const& n : fetcher_names())
            known += (known.empty() ? "" : ", ") + n;
        throw std::invalid_argument("unknown fetcher '" + std::string(name) + "' (available: " +
                                    (known.empty() ? "none linked in" : known) + ")");
    }
    return factory(std::move(ex), opts);
}

std::vector<std::string> fetcher_names()
{
    auto& r = the_registry();
    std::lock_guard lock(r.mutex);
    std::vector<std::string> names;
    for (auto const& [n, f] : r.factories)
        names.push_back(n);
    return names;
}

std::string default_fetcher_name()
{
    auto names = fetcher_names();
    for (auto const& n : names)
        if (n == "curl")
            return n;
    return names.empty() ? std::string("curl") : names.front();
}

} // namespace weft::http
