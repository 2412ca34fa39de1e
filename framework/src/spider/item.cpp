#include <weft/spider/item.hpp>

namespace weft
{

item::json const* item::find(std::string_view key) const
{
    auto it = value_.find(key);
    return it == value_.end() ? nullptr : &*it;
}

item::json const& item::get(std::string_view key) const
{
    if (auto const* v = find(key))
        return *v;
    throw std::out_of_range("weft::item: no key '" + std::string(key) + "'");
}

bool item::erase(std::string_view key)
{
    auto it = value_.find(key);
    if (it == value_.end())
        return false;
    value_.erase(it);
    return true;
}

std::string item::dump() const
{
    return value_.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace weft
