#include "frames.hpp"
#include "input.hpp"
#include "page_javascript.hpp"

#include <weft/async/sleep.hpp>

namespace weft::chromium::detail
{

task<void> element_click(std::shared_ptr<page_impl> p, std::string session, std::string frame_id, std::string id)
{
    auto pos = co_await call_function_on(p, session, id,
                                         "function() { this.scrollIntoView({block: 'center', inline: 'center', "
                                         "behavior: 'instant'}); const r = this.getBoundingClientRect(); return {x: "
                                         "r.left + r.width / 2, y: r.top + r.height / 2}; }",
                                         json::array());
    // Input goes to the page as a whole (the browser routes it to the frame under the pointer,
    // in whichever process): the point in the frame's viewport plus where that viewport is.
    auto const offset = co_await frame_offset(p, frame_id);
    double const x = pos.value("x", 0.0) + offset.first, y = pos.value("y", 0.0) + offset.second;
    json move = {{"type", "mouseMoved"}, {"x", x}, {"y", y}};
    co_await call(p, "Input.dispatchMouseEvent", std::move(move));
    json press = {{"type", "mousePressed"}, {"x", x}, {"y", y}, {"button", "left"}, {"clickCount", 1}};
    co_await call(p, "Input.dispatchMouseEvent", std::move(press));
    json release = {{"type", "mouseReleased"}, {"x", x}, {"y", y}, {"button", "left"}, {"clickCount", 1}};
    co_await call(p, "Input.dispatchMouseEvent", std::move(release));
}

task<void> element_type(std::shared_ptr<page_impl> p, std::string session, std::string id, std::string text,
                        milliseconds delay)
{
    co_await call_function_on(p, session, id, "function() { this.focus(); }", json::array());
    for (std::size_t i = 0; i < text.size();)
    {
        // One UTF-8 sequence per key stroke.
        std::size_t len = 1;
        auto const c = static_cast<unsigned char>(text[i]);
        if (c >= 0xF0)
            len = 4;
        else if (c >= 0xE0)
            len = 3;
        else if (c >= 0xC0)
            len = 2;
        std::string ch = text.substr(i, len);
        i += len;
        json down, up;
        if (ch == "\n" || ch == "\r")
        {
            down = {{"type", "keyDown"},
                    {"key", "Enter"},
                    {"code", "Enter"},
                    {"windowsVirtualKeyCode", 13},
                    {"text", "\r"}};
            up = {{"type", "keyUp"}, {"key", "Enter"}, {"code", "Enter"}, {"windowsVirtualKeyCode", 13}};
        }
        else
        {
            down = {{"type", "keyDown"}, {"key", ch}, {"text", ch}, {"unmodifiedText", ch}};
            up = {{"type", "keyUp"}, {"key", ch}};
        }
        co_await call(p, "Input.dispatchKeyEvent", std::move(down));
        co_await call(p, "Input.dispatchKeyEvent", std::move(up));
        if (delay.count() > 0)
            co_await sleep(delay);
    }
}

} // namespace weft::chromium::detail
