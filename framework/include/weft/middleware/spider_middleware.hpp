// weft::spider_middleware: hooks around the spider's callbacks (Scrapy's spider middlewares):
// they see each response before its callback, every output (item or request) a callback or
// start_requests() yields, and a callback's exception.
#pragma once

#include <weft/async/task.hpp>
#include <weft/middleware/middleware.hpp>
#include <weft/spider/output.hpp>
#include <weft/spider/response.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace weft
{

/// A spider middleware. Hooks run in ascending priority() (on_input, on_output, on_exception).
///
///     // Drops requests for PDFs before they reach the scheduler.
///     struct no_pdf final : weft::spider_middleware {
///         std::string_view name() const noexcept override { return "no_pdf"; }
///         int priority() const noexcept override { return 500; }
///         weft::task<std::optional<weft::output>> on_output(weft::output out, weft::response const*,
///                                                           weft::crawl_context&) override {
///             if (out.is_request() && out.request().url().ends_with(".pdf"))
///                 co_return std::nullopt;
///             co_return out;
///         }
///     };
///
/// Cancellation: hooks run inside the request's task; a stopping crawl cancels them (terminal).
class spider_middleware
{
public:
    virtual ~spider_middleware() = default;
    virtual std::string_view name() const noexcept = 0;
    virtual int priority() const noexcept = 0;

    /// Before the callback. decision::fail(ec, why) sends the request to its errback instead;
    /// every other decision proceeds.
    virtual task<decision> on_input(weft::response const& res, crawl_context& ctx) { co_return decision::proceed(); }
    /// Each output: return it (changed or not) to keep it, std::nullopt to drop it. `from` is the
    /// response whose callback yielded it, or null for start requests.
    virtual task<std::optional<output>> on_output(output out, weft::response const* from, crawl_context& ctx)
    {
        co_return out;
    }
    /// A callback threw `e` (not a cancellation). Return outputs to use in place of the rest of
    /// the callback (the error is then handled, not counted), or std::nullopt to pass it on.
    virtual task<std::optional<std::vector<output>>> on_exception(weft::response const& res, std::exception_ptr e,
                                                                  crawl_context& ctx)
    {
        co_return std::nullopt;
    }
};

/// Spider middlewares ordered by priority (stable among equals).
class spider_middleware_chain
{
public:
    void add(std::unique_ptr<spider_middleware> m);
    bool empty() const noexcept { return list_.empty(); }

    /// The first decision that is not proceed, else proceed.
    task<decision> on_input(weft::response const& res, crawl_context& ctx) const;
    /// `out` through every hook, or std::nullopt once one dropped it.
    task<std::optional<output>> on_output(output out, weft::response const* from, crawl_context& ctx) const;
    /// The first hook's replacement outputs, or std::nullopt when none handled `e`.
    task<std::optional<std::vector<output>>> on_exception(weft::response const& res, std::exception_ptr e,
                                                          crawl_context& ctx) const;

private:
    std::vector<std::unique_ptr<spider_middleware>> list_;
};

} // namespace weft
