// The crawl-state backends the conformance suite runs against: one fixture type per backend,
// listed in WEFT_STATE_BACKENDS. A new backend is one fixture type here and one name in that list.
//
// A fixture is a fresh, empty crawl state per fixture object:
//
//     struct my_backend : state_loop
//     {
//         static constexpr char const* name = "mine";    // crawl_state::name()
//         static constexpr bool persistent = true;       // survives reopen()
//         static constexpr bool leases_end_with_process = false; // persistent only: see below
//         std::unique_ptr<weft::state::crawl_state> open(weft::engine::settings const&);
//         std::unique_ptr<weft::state::crawl_state> reopen(weft::engine::settings const&); // persistent only
//     };
//
// open() creates the storage (each fixture object its own); reopen() opens the same storage
// again and destroys nothing: the test destroys the old object first, with or without
// async_flush, to simulate a restart or a crash. `leases_end_with_process`: a reopened state
// gives the leases of the old object back at once (the job directory: its leases died with the
// process); false where leases are shared and come back only when they expire (Redis).
//
// Every operation of a state runs on its fixture's io_context (state_loop::run), one for the
// fixture's whole life: a backend bound to an executor (a Redis connection) keeps working from
// one call to the next. tests/support/run_sync.hpp makes a new io_context per call, so it is
// not used here.
//
// Lifetimes: destroy every state a fixture opened before the fixture (declare the fixture first).
#pragma once

#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"

#include <weft/async/task.hpp>
#include <weft/engine/settings.hpp>
#include <weft/state/backend_registry.hpp>
#include <weft/state/crawl_state.hpp>
#include <weft/state/job_state.hpp>
#include <weft/state/memory_state.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <unistd.h>

/// The backends every TEMPLATE_TEST_CASE of the suite is instantiated for.
#define WEFT_STATE_BACKENDS weft::test::memory_backend, weft::test::job_backend, weft::test::redis_backend

namespace weft::test
{

/// One io_context for the life of a fixture, and a synchronous way to run a state's operations on it.
class state_loop
{
public:
    state_loop() = default;
    state_loop(state_loop const&) = delete;
    state_loop& operator=(state_loop const&) = delete;

    executor get_executor() { return io_.get_executor(); }

    /// Runs `t` on the fixture's io_context until it finishes and returns its result (or
    /// rethrows). Throws if it has not finished after `limit`: a hang is a failure, not a stuck suite.
    template <class T>
    T run(task<T> t, std::chrono::seconds limit = std::chrono::seconds(30))
    {
        auto fut = asio::co_spawn(io_, std::move(t), asio::use_future);
        auto const deadline = std::chrono::steady_clock::now() + limit;
        while (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
        {
            auto const now = std::chrono::steady_clock::now();
            if (now >= deadline)
                throw std::runtime_error("state_loop::run: a crawl-state operation did not finish within " +
                                         std::to_string(limit.count()) + " s");
            if (io_.stopped())
                io_.restart();
            io_.run_one_for(deadline - now);
        }
        return fut.get();
    }

    /// Lets `d` pass with the io_context running (a backend's own timers keep working).
    void sleep(std::chrono::milliseconds d) { run(wait(d)); }

private:
    static task<void> wait(std::chrono::milliseconds d)
    {
        asio::steady_timer timer(co_await asio::this_coro::executor, d);
        co_await timer.async_wait(asio::deferred);
    }

    asio::io_context io_;
};

/// make_memory_state: nothing survives the object.
struct memory_backend : state_loop
{
    static constexpr char const* name = "memory";
    static constexpr bool persistent = false;

    std::unique_ptr<state::crawl_state> open(engine::settings const& s) { return state::make_memory_state(s); }
};

/// open_job_state in a temporary directory of its own.
struct job_backend : state_loop
{
    static constexpr char const* name = "job";
    static constexpr bool persistent = true;
    static constexpr bool leases_end_with_process = true;

    std::unique_ptr<state::crawl_state> open(engine::settings const& s) { return reopen(s); }
    std::unique_ptr<state::crawl_state> reopen(engine::settings const& s)
    {
        return state::open_job_state(dir_.path(), s, state::request_codec::plain());
    }

private:
    temp_dir dir_;
};

/// The Redis backend (plugins/state_redis/) on one redis-server shared by the test process (it
/// starts with the first fixture), each fixture a crawl id of its own.
struct redis_backend : state_loop
{
    static constexpr char const* name = "redis";
    static constexpr bool persistent = true;
    static constexpr bool leases_end_with_process = false; // leases live on the server until they expire

    static redis_server& server()
    {
        static redis_server s;
        return s;
    }

    redis_backend() : crawl_id_("conformance-" + std::to_string(::getpid()) + "-" + std::to_string(next_id()++)) {}

    std::unique_ptr<state::crawl_state> open(engine::settings const& s) { return reopen(s); }
    std::unique_ptr<state::crawl_state> reopen(engine::settings const& s)
    {
        auto factory = state::find_backend(server().url());
        return run(factory(get_executor(), state::backend_address{server().url(), crawl_id_}, s,
                           state::request_codec::plain()));
    }

private:
    static int& next_id()
    {
        static int n = 0;
        return n;
    }

    std::string crawl_id_;
};

} // namespace weft::test
