#include <weft/chromium/element_handle.hpp>

#include "input.hpp"
#include "page_javascript.hpp"

#include <optional>
#include <stdexcept>

namespace weft::chromium
{

namespace detail
{
namespace
{

task<std::string> element_string(std::shared_ptr<page_impl> p, std::string id, std::string fn)
{
    auto v = co_await call_function_on(std::move(p), std::move(id), std::move(fn), json::array());
    co_return v.is_string() ? v.get<std::string>() : std::string();
}

task<std::optional<std::string>> element_attr(std::shared_ptr<page_impl> p, std::string id, std::string name)
{
    json args = json::array({name});
    auto v = co_await call_function_on(std::move(p), std::move(id), "function(n) { return this.getAttribute(n); }",
                                       std::move(args));
    if (v.is_string())
        co_return v.get<std::string>();
    co_return std::nullopt;
}

task<json> element_evaluate(std::shared_ptr<page_impl> p, std::string id, std::string fn)
{
    co_return co_await call_function_on(std::move(p), std::move(id), "function() { return (" + fn + "\n)(this); }",
                                        json::array());
}

void require(std::shared_ptr<page_impl> const& p)
{
    if (!p)
        throw std::logic_error("weft::chromium::element_handle: the handle is empty");
}

} // namespace
} // namespace detail

element_handle::element_handle(std::shared_ptr<detail::page_impl> page, std::string object_id)
    : page_(std::move(page)), object_id_(std::move(object_id))
{
}

task<std::string> element_handle::async_text() const
{
    detail::require(page_);
    return detail::element_string(page_, object_id_, "function() { return this.textContent; }");
}

task<std::optional<std::string>> element_handle::async_attr(std::string name) const
{
    detail::require(page_);
    return detail::element_attr(page_, object_id_, std::move(name));
}

task<std::string> element_handle::async_outer_html() const
{
    detail::require(page_);
    return detail::element_string(page_, object_id_, "function() { return this.outerHTML; }");
}

task<void> element_handle::async_click() const
{
    detail::require(page_);
    return detail::element_click(page_, object_id_);
}

task<void> element_handle::async_type(std::string text) const
{
    detail::require(page_);
    return detail::element_type(page_, object_id_, std::move(text), {});
}

task<nlohmann::json> element_handle::async_evaluate(std::string function_js) const
{
    detail::require(page_);
    return detail::element_evaluate(page_, object_id_, std::move(function_js));
}

} // namespace weft::chromium
