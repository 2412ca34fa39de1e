#include <weft/chromium/element_handle.hpp>

#include "input.hpp"
#include "page_javascript.hpp"

#include <filesystem>
#include <optional>
#include <stdexcept>

namespace weft::chromium
{

namespace detail
{
namespace
{

task<std::string> element_string(std::shared_ptr<page_impl> p, std::string session, std::string id, std::string fn)
{
    auto v = co_await call_function_on(std::move(p), std::move(session), std::move(id), std::move(fn), json::array());
    co_return v.is_string() ? v.get<std::string>() : std::string();
}

task<std::optional<std::string>> element_attr(std::shared_ptr<page_impl> p, std::string session, std::string id,
                                              std::string name)
{
    json args = json::array({name});
    auto v = co_await call_function_on(std::move(p), std::move(session), std::move(id),
                                       "function(n) { return this.getAttribute(n); }", std::move(args));
    if (v.is_string())
        co_return v.get<std::string>();
    co_return std::nullopt;
}

task<json> element_evaluate(std::shared_ptr<page_impl> p, std::string session, std::string id, std::string fn)
{
    co_return co_await call_function_on(std::move(p), std::move(session), std::move(id),
                                        "function() { return (" + fn + "\n)(this); }", json::array());
}

// Checked here, not left to Chromium: it accepts a missing file silently and the form then posts
// an empty part, which is far from where the mistake was.
std::vector<std::string> checked_files(std::vector<std::string> const& paths)
{
    std::vector<std::string> out;
    for (auto const& path : paths)
    {
        std::error_code ec;
        auto const abs = std::filesystem::absolute(path, ec);
        if (ec || !std::filesystem::is_regular_file(abs, ec))
            throw system_error(make_error_code(boost::system::errc::no_such_file_or_directory),
                                    "upload_files: \"" + path + "\" is not a file (give the path of an existing, "
                                    "readable regular file)");
        out.push_back(abs.string());
    }
    return out;
}

task<void> element_upload(std::shared_ptr<page_impl> p, std::string session, std::string id,
                          std::vector<std::string> paths)
{
    auto const files = checked_files(paths);
    auto const is_file_input = co_await call_function_on(
        p, session, id, "function() { return this.localName === 'input' && this.type === 'file'; }", json::array());
    if (!is_file_input.is_boolean() || !is_file_input.get<bool>())
        fail(error::javascript_error, "upload_files: the element is not an <input type=file>");
    json params = {{"files", files}, {"objectId", id}};
    co_await call_on(p, session, "DOM.setFileInputFiles", std::move(params));
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

element_handle::element_handle(std::shared_ptr<detail::page_impl> page, std::string object_id, std::string session,
                               std::string frame_id)
    : page_(std::move(page)), object_id_(std::move(object_id)), session_(std::move(session)),
      frame_id_(std::move(frame_id))
{
}

task<std::string> element_handle::async_text() const
{
    detail::require(page_);
    return detail::element_string(page_, session_, object_id_, "function() { return this.textContent; }");
}

task<std::optional<std::string>> element_handle::async_attr(std::string name) const
{
    detail::require(page_);
    return detail::element_attr(page_, session_, object_id_, std::move(name));
}

task<std::string> element_handle::async_outer_html() const
{
    detail::require(page_);
    return detail::element_string(page_, session_, object_id_, "function() { return this.outerHTML; }");
}

task<void> element_handle::async_click() const
{
    detail::require(page_);
    return detail::element_click(page_, session_, frame_id_, object_id_);
}

task<void> element_handle::async_type(std::string text) const
{
    detail::require(page_);
    return detail::element_type(page_, session_, object_id_, std::move(text), {});
}

task<void> element_handle::async_upload_files(std::vector<std::string> paths) const
{
    detail::require(page_);
    return detail::element_upload(page_, session_, object_id_, std::move(paths));
}

task<nlohmann::json> element_handle::async_evaluate(std::string function_js) const
{
    detail::require(page_);
    return detail::element_evaluate(page_, session_, object_id_, std::move(function_js));
}

} // namespace weft::chromium
