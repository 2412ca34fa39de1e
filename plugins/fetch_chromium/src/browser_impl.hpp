// Private to fetch_chromium: a browser's state, and opening a tab in it.
#pragma once

#include <weft/chromium/page.hpp>

#include "connection.hpp"
#include "process.hpp"

#include <memory>
#include <string>

namespace weft::chromium::detail
{

struct browser_impl
{
    std::shared_ptr<connection> conn;
    std::shared_ptr<browser_process> process; // null when connected to a browser weft did not launch
    milliseconds command_timeout{};
    std::string endpoint; // the WebSocket URL; empty over the pipe
    std::string temp_dir; // removed at close; empty when none was made
    std::string version;

    ~browser_impl();
    void remove_temp_dir() noexcept;
    /// The close reason when weft ends it: "chromium (pid 42) ... (closed by weft)", or
    /// "weft disconnected from ws://...".
    std::string closed_by_weft() const;
};

/// A new tab (about:blank) attached in flat mode with page, network and lifecycle events on, in
/// the browser context `context_id` ("": the default one).
task<page> new_page(std::shared_ptr<connection> conn, milliseconds timeout, std::string context_id);

} // namespace weft::chromium::detail
