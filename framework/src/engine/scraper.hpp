// Steps 6 and 7 of the crawl data path (docs/ARCHITECTURE.md): the spider middlewares, the
// request's callback (or errback), and where its outputs go: requests to the scheduler and the
// crawl state, items through the item pipelines to the page's output.
//
// Backpressure: the callback's generator is resumed only after its last output was taken, so a
// spider's co_yield suspends while requests are being added to the crawl state (in batches) or
// items wait for room in the item writer.
#pragma once

#include <chrono>

#include "engine/crawl.hpp"

#include <weft/middleware/pipeline.hpp>
#include <weft/middleware/spider_middleware.hpp>

#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <vector>

namespace weft::engine::detail
{

/// Requests on their way to the crawl state: admitted by the scheduler, added in batches.
class discoveries
{
public:
    explicit discoveries(crawl_run& run) : run_(run) {}
    /// Admits `r`; adds the batch to the crawl state when it is full (suspending meanwhile).
    /// Returns what the scheduler decided (`queued` also for a duplicate: the state finds those).
    task<schedule_result> async_push(weft::request r, bool start = false);
    /// Adds what is batched (before the lease completes, so a page's links are never lost).
    task<void> async_flush();

private:
    crawl_run& run_;
    std::vector<state::new_request> batch_;
};

/// What one leased request produced.
struct page_output
{
    explicit page_output(crawl_run& run) : requests(run) {}
    std::vector<item> items; ///< held until the completion (with a job directory: exactly once)
    discoveries requests;
};

class scraper
{
public:
    scraper(crawl_run& run, crawl_context& ctx, spider_middleware_chain& chain,
            std::vector<std::unique_ptr<item_pipeline>>& pipelines);

    /// Runs the callback of `req` on `res` (after the spider middlewares' on_input; one that
    /// fails the response sends it to the errback instead).
    task<void> async_scrape(weft::request const& req, http::response res, page_output& out);
    /// Runs the errback of `req` for a failure after its retries.
    task<void> async_errback(weft::request const& req, error_code ec, std::string why, page_output& out);
    /// Step 1: the spider's start requests, through the spider middlewares, to the state.
    task<void> async_start();
    /// Waits for the parse pool's threads.
    void shutdown();

private:
    using clock = std::chrono::steady_clock;
    /// Routes what gen yields; false when the page's budget ran out first (the rest is dropped).
    task<bool> consume(generator<output> gen, weft::request const& parent, response const* from, page_output& out,
                       clock::time_point deadline = clock::time_point::max());
    /// The end of a page's parse+callback budget (settings::timeout; none when zero).
    clock::time_point page_deadline(clock::time_point started) const noexcept;
    task<void> async_budget_spent(weft::request const& req, char const* during, page_output& out);
    task<void> route(output yielded, weft::request const& parent, response const* from, page_output& out);
    task<void> keep(item it, page_output& out);
    task<std::optional<item>> pipe(item it, weft::request const& parent);
    void dropped_by(item_pipeline const& stage, weft::request const& parent, std::exception_ptr e);

    crawl_run& run_;
    crawl_context& ctx_;
    spider_middleware_chain& chain_;
    std::vector<std::unique_ptr<item_pipeline>>& pipelines_;
    std::unique_ptr<asio::thread_pool> parse_pool_;
    std::size_t parsing_ = 0; // pages on the parse pool now (touched on the I/O loop only)
    std::size_t parsed_ = 0;  // parsed pages whose callbacks are not done: each holds its DOM (ditto)
};

} // namespace weft::engine::detail
