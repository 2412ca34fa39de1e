#include <weft/http/fetcher_registry.hpp>

#include <weft/plugin/registry.hpp>

#include <stdexcept>

namespace weft::http {
namespace {

plugin::registry<fetcher_factory>& the_registry()
{
    static plugin::registry<fetcher_factory> r("fetcher"); // function-local: plugins register during static initialisation
    return r;
}

} // namespace

void register_fetcher(std::string name, fetcher_factory factory)
{
    (void)the_registry().add(std::move(name), std::move(factory)); // a refusal is listed (fetcher_entries)
}

std::unique_ptr<fetcher> make_fetcher(std::string_view name, executor ex, fetch_options const& opts)
{
    auto factory = the_registry().find(name);
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
    return the_registry().names();
}

std::vector<plugin::registration> fetcher_entries()
{
    return the_registry().list();
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
