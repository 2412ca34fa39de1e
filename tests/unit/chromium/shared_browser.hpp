// One Chromium for the page tests: launching one is most of a test's time, so the page tests
// share a browser (each gets a new page) on one io_context that lives as long as the program;
// tests that run over both transports (GENERATE) share one browser per transport.
#pragma once

#include <weft/chromium/browser.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>

namespace weft::test
{

inline boost::asio::io_context& shared_io()
{
    static boost::asio::io_context io;
    return io;
}

/// Runs `t` on shared_io() until it finishes (the shared browser keeps the context busy, so it
/// runs handler by handler); throws if it has not finished after `limit`.
template <class T>
T run_shared(task<T> t, std::chrono::seconds limit = std::chrono::seconds(30))
{
    auto& io = shared_io();
    io.restart();
    auto fut = boost::asio::co_spawn(io, std::move(t), boost::asio::use_future);
    auto const deadline = std::chrono::steady_clock::now() + limit;
    while (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready &&
           std::chrono::steady_clock::now() < deadline)
        io.run_one_for(std::chrono::milliseconds(50));
    if (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
        throw std::runtime_error("run_shared: the task did not finish within the test's limit");
    return fut.get();
}

/// A new page of the shared browser speaking `transport` (one browser per transport, launched
/// on first use, relaunched if it died).
inline task<chromium::page> shared_page(chromium::devtools_transport transport = chromium::devtools_transport::pipe)
{
    static std::optional<chromium::browser> browsers[2];
    auto& browser = browsers[transport == chromium::devtools_transport::pipe ? 0 : 1];
    if (!browser || !browser->is_connected())
    {
        browser.reset();
        chromium::launch_options opts;
        opts.transport = transport;
        browser.emplace(co_await chromium::browser::async_launch(shared_io().get_executor(), opts));
    }
    co_return co_await browser->async_new_page();
}

} // namespace weft::test
