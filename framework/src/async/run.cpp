#include <weft/async/run.hpp>

#include <weft/async/signals.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <exception>
#include <type_traits>

namespace weft
{

namespace
{

template <class T>
int run_main(task<T> main_task)
{
    asio::io_context io(1);
    asio::cancellation_signal cancel;
    bool stopped = false;
    bool finished = false;
    int rc = 0;
    std::exception_ptr error;

    stop_signals signals(io.get_executor(),
                         [&](int)
                         {
                             stopped = true;
                             cancel.emit(asio::cancellation_type::terminal);
                         });

    auto done = [&](std::exception_ptr e, auto... value)
    {
        finished = true;
        error = e;
        if constexpr (sizeof...(value) == 1)
            rc = (value, ...);
        signals.cancel();
        io.stop();
    };
    if constexpr (std::is_void_v<T>)
        asio::co_spawn(io, std::move(main_task),
                       asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e) { done(e); }));
    else
        asio::co_spawn(io, std::move(main_task),
                       asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, int v) { done(e, v); }));
    io.run();
    signals.cancel();

    if (stopped)
        return 130;
    if (error)
    {
        try
        {
            std::rethrow_exception(error);
        }
        catch (std::exception const& e)
        {
            std::fprintf(stderr, "weft: %s\n", e.what());
        }
        catch (...)
        {
            std::fprintf(stderr, "weft: unknown exception\n");
        }
        return 1;
    }
    if (!finished)
    {
        std::fprintf(stderr, "weft: the main task did not finish\n");
        return 1;
    }
    return rc;
}

} // namespace

int run(task<void> main_task)
{
    return run_main(std::move(main_task));
}

int run(task<int> main_task)
{
    return run_main(std::move(main_task));
}

} // namespace weft
