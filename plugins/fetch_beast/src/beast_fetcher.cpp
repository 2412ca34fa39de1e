#include "transfer.hpp"

#include <weft/http/fetcher_registry.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <nlohmann/json.hpp> // request's inline move constructor destroys its unique_ptr<json>

namespace weft::http
{

using beast_detail::transfer;

beast_fetcher::beast_fetcher(executor ex, fetch_options const& opts)
    : impl_(std::make_shared<impl>(std::move(ex), opts))
{
}

beast_fetcher::~beast_fetcher()
{
    impl_->shutdown();
}

executor beast_fetcher::get_executor() const
{
    return impl_->ex;
}
fetch_options const& beast_fetcher::options() const noexcept
{
    return impl_->opts;
}
void beast_fetcher::shutdown()
{
    impl_->shutdown();
}
std::size_t beast_fetcher::open_connections() const noexcept
{
    return impl_->open;
}
std::size_t beast_fetcher::idle_connections() const noexcept
{
    return impl_->idle;
}
std::size_t beast_fetcher::transfers_in_flight() const noexcept
{
    return impl_->active.size();
}

void beast_fetcher::async_fetch_impl(request req, body_sink* sink, asio::any_completion_handler<signature> handler)
{
    auto t = std::make_shared<transfer>(impl_, std::move(req), sink);
    auto slot = asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected())
    {
        slot.assign(
            [w = std::weak_ptr<transfer>(t)](asio::cancellation_type)
            {
                if (auto t = w.lock())
                    t->abort(asio::error::operation_aborted, "cancelled");
            });
    }
    // The completion handler rethrows anything but a system_error: no exception is swallowed.
    asio::co_spawn(impl_->ex, transfer::run(t),
                   [t, slot, handler = std::move(handler)](std::exception_ptr ep) mutable
                   {
                       if (slot.is_connected())
                           slot.clear();
                       std::exception_ptr unexpected;
                       if (ep)
                       {
                           try
                           {
                               std::rethrow_exception(ep);
                           }
                           catch (system_error const& e)
                           {
                               t->ec_ = e.code();
                               t->res_.error_detail = e.what();
                           }
                           catch (...)
                           {
                               unexpected = std::current_exception();
                           }
                       }
                       t->finish();
                       if (unexpected)
                           std::rethrow_exception(unexpected);
                       auto ex = asio::get_associated_executor(handler, t->get_executor());
                       asio::dispatch(ex, asio::append(std::move(handler), t->ec_, std::move(t->res_)));
                   });
}

WEFT_REGISTER_FETCHER("beast", beast_fetcher);

} // namespace weft::http
