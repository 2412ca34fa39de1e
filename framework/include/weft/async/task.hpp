// weft::task<T>: the coroutine type users write; an Asio awaitable on weft's executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace weft {

namespace asio = boost::asio;

using executor = asio::any_io_executor;

/// A coroutine returning T. Await it, gather it, race it, or hand it to weft::run.
template <class T = void>
using task = asio::awaitable<T, executor>;

} // namespace weft
