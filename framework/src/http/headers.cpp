#include <weft/http/headers.hpp>

#include <algorithm>

namespace weft::http {

std::optional<std::string_view> headers::get(std::string_view name) const
{
    for (auto const& [k, v] : fields_)
        if (iequals(k, name))
            return std::string_view{v};
    return std::nullopt;
}

std::vector<std::string_view> headers::get_all(std::string_view name) const
{
    std::vector<std::string_view> out;
    for (auto const& [k, v] : fields_)
        if (iequals(k, name))
            out.emplace_back(v);
    return out;
}

headers& headers::add(std::string name, std::string value)
{
    fields_.emplace_back(std::move(name), std::move(value));
    return *this;
}

headers& headers::set(std::string name, std::string value)
{
    remove(name);
    return add(std::move(name), std::move(value));
}

std::size_t headers::remove(std::string_view name)
{
    return std::erase_if(fields_, [&](field const& f) { return iequals(f.first, name); });
}

} // namespace weft::http
