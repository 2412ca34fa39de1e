// Precompiled header: the heavy Boost headers nearly every weft translation unit includes.
// Only build speed depends on this file; every header still includes what it uses.
#pragma once
#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>  // before coro.hpp (asio#1456)
#include <boost/asio/experimental/coro.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>
