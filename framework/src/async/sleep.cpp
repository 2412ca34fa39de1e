#include <weft/async/sleep.hpp>

#include <boost/asio/deferred.hpp>
#include <boost/asio/steady_timer.hpp>

namespace weft
{

task<void> sleep(std::chrono::steady_clock::duration d)
{
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::deferred);
}

task<void> sleep_until(std::chrono::steady_clock::time_point t)
{
    asio::steady_timer timer(co_await asio::this_coro::executor, t);
    co_await timer.async_wait(asio::deferred);
}

} // namespace weft
