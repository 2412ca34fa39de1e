#include <weft/sink/sink.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

namespace weft
{

asio::thread_pool& sink::blocking_pool()
{
    // Leaked on purpose: sinks may still be closing from static destructors at exit, and
    // joining threads there would deadlock.
    static auto* pool = new asio::thread_pool(2);
    return *pool;
}

void sink::offload(std::function<error_code()> work, asio::any_completion_handler<signature> handler)
{
    // The guard keeps the sink's io_context from running out of work (and returning) while the
    // pool is busy; the final post tracks work on the handler's own executor.
    auto guard = asio::make_work_guard(executor_);
    asio::post(blocking_pool(),
               [work = std::move(work), handler = std::move(handler), guard = std::move(guard)]() mutable
               {
                   auto ec = work();
                   auto ex = guard.get_executor();
                   asio::post(ex, asio::append(std::move(handler), ec));
                   guard.reset();
               });
}

void sink::complete(asio::any_completion_handler<signature> handler, error_code ec)
{
    asio::post(executor_, asio::append(std::move(handler), ec));
}

} // namespace weft
