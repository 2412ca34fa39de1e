// A test_server handler that fails, then recovers (or never does): a robots.txt or a page
// whose server is down for a while.
#pragma once

#include "support/test_server.hpp"

#include <atomic>
#include <memory>

namespace weft::test
{

/// Answers `status` (503 by default) to its first `failures` requests, then `then`;
/// failures < 0: fails for ever.
inline test_server::handler failing_handler(int failures, canned_response then, int status = 503)
{
    auto served = std::make_shared<std::atomic<int>>(0);
    return [served, failures, then = std::move(then), status](received_request const&)
    {
        if (failures < 0 || served->fetch_add(1) < failures)
        {
            canned_response r;
            r.status = status;
            r.body = "failing on purpose";
            return r;
        }
        return then;
    };
}

} // namespace weft::test
