#include <weft/state/backend_registry.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

namespace weft::state
{
namespace
{

plugin::registry<backend_factory>& the_registry()
{
    static plugin::registry<backend_factory> r("crawl-state backend"); // function-local: plugins register during static initialisation
    return r;
}

} // namespace

void register_backend(std::string scheme, backend_factory factory)
{
    (void)the_registry().add(std::move(scheme), std::move(factory)); // a refusal is listed (backend_entries)
}

backend_factory find_backend(std::string_view address)
{
    auto const colon = address.find("://");
    auto const scheme = colon == std::string_view::npos ? std::string_view{} : address.substr(0, colon);
    if (auto f = the_registry().find(scheme))
        return f;
    auto const names = the_registry().names();
    throw std::invalid_argument(fmt::format(
        "--frontier {}: no crawl-state backend for {}; give an address of the form {}",
        address, scheme.empty() ? std::string("an address without a scheme") : fmt::format("scheme '{}'", scheme),
        names.empty() ? std::string("(none is linked in)") : fmt::format("{}://...", fmt::join(names, "://... or "))));
}

std::vector<plugin::registration> backend_entries()
{
    return the_registry().list();
}

} // namespace weft::state
