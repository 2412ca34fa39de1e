// Private to fetch_chromium: a wake-up for coroutines waiting on a page's or a connection's state.
#pragma once

#include "cdp.hpp"

#include <boost/asio/steady_timer.hpp>

namespace weft::chromium::detail
{

/// Wakes every coroutine waiting on it: a steady_timer that never expires, whose waits complete
/// when notify() resets it. Single-threaded.
class notifier
{
public:
    explicit notifier(executor ex);
    void notify();
    /// True when notified, false when `deadline` passed first.
    task<bool> async_wait(clock::time_point deadline);

private:
    asio::steady_timer timer_;
};

} // namespace weft::chromium::detail
