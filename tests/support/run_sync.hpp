// run_sync(task): runs a coroutine to completion on a private io_context and returns its
// result (or rethrows its exception). For tests only: production code uses weft::run.
#pragma once

#include <weft/async/task.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <stdexcept>
#include <utility>

namespace weft::test {

/// Runs `make(executor)`'s task on a fresh io_context. Fails the test (throws) if it has not
/// finished after `limit`, so a hang becomes a clear failure instead of a stuck suite.
template <class T>
T run_sync(task<T> t, std::chrono::seconds limit = std::chrono::seconds(60))
{
    boost::asio::io_context io;
    auto fut = boost::asio::co_spawn(io, std::move(t), boost::asio::use_future);
    io.run_for(limit);
    if (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
        throw std::runtime_error("run_sync: the task did not finish within the test's limit");
    return fut.get();
}

} // namespace weft::test
