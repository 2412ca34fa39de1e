// Private to fetch_chromium: mouse and keyboard input on an element (Input.dispatch*Event).
#pragma once

#include "page_impl.hpp"

#include <memory>
#include <string>

namespace weft::chromium::detail
{

/// Scrolls the element `id` (of DevTools session `session`, "" the page's, in frame `frame_id`,
/// "" the main one) into view and clicks its centre.
task<void> element_click(std::shared_ptr<page_impl> p, std::string session, std::string frame_id, std::string id);
/// Focuses the element `id` and types `text`, one key stroke per UTF-8 sequence, `delay` apart.
task<void> element_type(std::shared_ptr<page_impl> p, std::string session, std::string id, std::string text,
                        milliseconds delay);

} // namespace weft::chromium::detail
