// weft::item: one scraped record, a named JSON object whose keys keep their insertion order.
//
// A non-aggregate (docs/ARCHITECTURE.md, trap 2): build it in a named variable, then yield it.
//
//     weft::item item;
//     item.set("title", title);
//     item.set("price", 9.5);
//     co_yield item;
//
// or convert a user struct that nlohmann::json knows (to_json, NLOHMANN_DEFINE_TYPE_*):
//
//     weft::item item{book};     // an object: its keys become the item's
//     co_yield item;
//
// Key order is the order of first insertion: sinks use it for CSV and SQLite column order. A
// to_json written for nlohmann::json (as NLOHMANN_DEFINE_TYPE_* 3.11.2 generate) produces sorted
// keys, since nlohmann::json objects are std::maps; write `to_json(nlohmann::ordered_json&, T const&)`
// to keep your own order.
#pragma once

#include <nlohmann/json.hpp>

#include <concepts>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace weft
{

class item
{
public:
    /// The value type: nlohmann::ordered_json (a basic_json whose objects keep insertion order).
    using json = nlohmann::ordered_json;

    /// An empty object.
    item() : value_(json::object()) {}

    /// Adopts a JSON object. @throws std::invalid_argument when `value` is not an object.
    explicit item(json value) : value_(std::move(value)) { require_object(); }

    /// Converts `value` with nlohmann's to_json (written for nlohmann::json or ordered_json).
    /// @throws std::invalid_argument when the result is not an object.
    template <class T>
    requires(!std::same_as<std::remove_cvref_t<T>, item> && !std::same_as<std::remove_cvref_t<T>, json> &&
             (std::is_constructible_v<json, T const&> ||
              std::is_constructible_v<nlohmann::json, T const&>)) explicit item(T const& value)
        : value_(convert(value))
    {
        require_object();
    }

    /// Sets `key` to `value` (anything nlohmann::json converts), replacing an earlier value in
    /// place (its position is kept). Returns *this for chaining.
    template <class T>
    item& set(std::string_view key, T&& value)
    {
        value_[std::string(key)] = convert(std::forward<T>(value));
        return *this;
    }

    /// The value of `key`. @throws std::out_of_range naming the key when absent.
    json const& get(std::string_view key) const;

    /// The value of `key` converted to T. @throws std::out_of_range when absent,
    /// nlohmann::json::type_error when it does not convert.
    template <class T>
    T get(std::string_view key) const
    {
        return get(key).template get<T>();
    }

    /// The value of `key`, or nullptr when absent.
    json const* find(std::string_view key) const;

    bool contains(std::string_view key) const { return find(key) != nullptr; }
    /// Removes `key`; true when it was present.
    bool erase(std::string_view key);
    std::size_t size() const noexcept { return value_.size(); }
    bool empty() const noexcept { return value_.empty(); }

    /// The whole object, in key order.
    json const& value() const noexcept { return value_; }
    /// One line of compact JSON, UTF-8 (invalid UTF-8 in strings replaced by U+FFFD).
    std::string dump() const;

    friend bool operator==(item const& a, item const& b) { return a.value_ == b.value_; }

private:
    template <class T>
    static json convert(T&& value)
    {
        if constexpr (std::is_constructible_v<json, T&&>)
            return json(std::forward<T>(value));
        else
            return json(nlohmann::json(std::forward<T>(value))); // a to_json written for nlohmann::json
    }
    void require_object() const
    {
        if (!value_.is_object())
            throw std::invalid_argument(std::string("weft::item: expected a JSON object, got ") + value_.type_name());
    }

    json value_;
};

} // namespace weft
