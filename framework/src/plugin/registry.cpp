#include <weft/plugin/registry.hpp>

#include <weft/plugin/loader.hpp>
#include <weft/version.hpp>

namespace weft::plugin
{

origin current_origin()
{
    if (auto const* m = detail::registering_module())
        return {m->path.string(), m->version};
    return {built_in, WEFT_VERSION_STRING};
}

std::string refusal_message(std::string_view kind, registration const& refused)
{
    std::string from = refused.origin;
    if (!refused.version.empty())
        from += " (" + refused.version + ")";
    return std::string(kind) + " '" + refused.name + "' from " + from + " is not used: a " + std::string(kind) +
           " of that name comes from " + refused.shadowed_by;
}

} // namespace weft::plugin
