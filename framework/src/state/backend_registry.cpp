#include <weft/state/backend_registry.hpp>

#include <weft/http/proxy.hpp>

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
        http::redact_credentials(address), scheme.empty() ? std::string("an address without a scheme") : fmt::format("scheme '{}'", scheme),
        names.empty() ? std::string("(none is linked in)") : fmt::format("{}://...", fmt::join(names, "://... or "))));
}

task<std::unique_ptr<crawl_state>> async_open_backend(executor ex, backend_address where, engine::settings const& s,
                                                      request_codec codec)
{
    auto const address = where.address;
    auto const crawl_id = where.crawl_id;
    auto const shown = http::redact_credentials(address);
    auto open = find_backend(address);
    // Names the address (redacted) once, and never its password.
    auto const explain = [&](std::string what)
    {
        what = http::redact_credentials_in(std::move(what), address);
        if (what.find(shown) == std::string::npos)
            what = fmt::format("crawl state {} (crawl {}): {}", shown, crawl_id, what);
        return what;
    };
    try
    {
        auto opened = co_await open(std::move(ex), std::move(where), s, std::move(codec));
        co_return opened;
    }
    catch (boost::system::system_error const& e)
    {
        std::string what = e.what();
        if (auto at = what.rfind(": " + e.code().message()); at != std::string::npos)
            what.resize(at); // system_error adds it again (and no source location: a user reads this)
        throw system_error(error_code(e.code().value(), e.code().category()), explain(what));
    }
    catch (std::invalid_argument const& e)
    {
        throw std::invalid_argument(explain(e.what()));
    }
    catch (std::exception const& e)
    {
        throw std::runtime_error(explain(e.what()));
    }
}

std::vector<plugin::registration> backend_entries()
{
    return the_registry().list();
}

} // namespace weft::state
