// weft::output: what a spider's callback yields, an item or a request.
#pragma once

#include <weft/spider/item.hpp>
#include <weft/spider/request.hpp>

#include <utility>
#include <variant>

namespace weft
{

/// An item or a request. Converts implicitly from either, so `co_yield item;` and
/// `co_yield res.follow(href);` both work. A non-aggregate (docs/ARCHITECTURE.md, trap 2).
class output
{
public:
    output(weft::item i) : value_(std::in_place_index<0>, std::move(i)) {}
    output(weft::request r) : value_(std::in_place_index<1>, std::move(r)) {}

    bool is_item() const noexcept { return value_.index() == 0; }
    bool is_request() const noexcept { return value_.index() == 1; }
    weft::item& item() { return std::get<0>(value_); }
    weft::item const& item() const { return std::get<0>(value_); }
    weft::request& request() { return std::get<1>(value_); }
    weft::request const& request() const { return std::get<1>(value_); }

private:
    std::variant<weft::item, weft::request> value_;
};

} // namespace weft
