// Private to fetch_chromium: a page's frames, out-of-process ones included: where a frame's
// scripts run (its session and execution context), the frame tree, a frame's offset in the page.
#pragma once

#include <weft/chromium/frame.hpp>

#include "page_impl.hpp"

#include <memory>
#include <string>
#include <vector>

namespace weft::chromium::detail
{

/// Where a frame's scripts run: a DevTools session and an execution context there (0: the
/// session's default one, i.e. the main frame's).
struct script_site
{
    std::string session;
    long context = 0;
};

/// The site of frame `frame_id` ("" or the target id: the main frame), waiting until `deadline`
/// while the frame has no document. @throws timeout_error naming the frame after `limit`.
task<script_site> frame_site(std::shared_ptr<page_impl> p, std::string frame_id, clock::time_point deadline,
                             milliseconds limit);

/// A frame as listed, with the session that renders it.
struct listed_frame
{
    frame_info info;
    std::string session;
};
/// Every frame of the page: the main frame's tree, then each out-of-process iframe's.
task<std::vector<listed_frame>> list_frames(std::shared_ptr<page_impl> p);

/// Where the top-left corner of frame `frame_id`'s viewport is in the page's viewport (the sum of
/// its <iframe> elements' content boxes up to the main frame), in CSS pixels.
task<std::pair<double, double>> frame_offset(std::shared_ptr<page_impl> p, std::string frame_id);

} // namespace weft::chromium::detail
