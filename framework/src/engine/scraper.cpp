#include "engine/scraper.hpp"

#include <weft/engine/robots.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>

#include <fmt/format.h>

namespace weft::engine::detail
{

namespace
{

// Requests a page discovered go to the crawl state in batches of this many: one round trip per
// batch for a remote state, and a spider's co_yield waits while a batch is added.
constexpr std::size_t add_batch = 64;
// Without a job directory, a page's items go to the item writer in chunks of this many while its
// callback runs, so a callback yielding millions of items runs in bounded memory.
constexpr std::size_t stream_chunk = 256;

// Counts in `n` from enter() until it goes out of scope (also when what it guards throws).
struct counted_while_alive
{
    std::size_t& n;
    bool entered = false;
    void enter() { ++n, entered = true; }
    ~counted_while_alive()
    {
        if (entered)
            --n;
    }
};

task<void> prepare_response(response r, bool doc, bool links)
{
    r.prepare(doc, links);
    co_return;
}

} // namespace

task<schedule_result> discoveries::async_push(weft::request r, bool start)
{
    auto a = run_.scheduler->admit(std::move(r), start);
    if (!a.request)
        co_return a.result;
    batch_.push_back(std::move(*a.request));
    if (batch_.size() >= add_batch)
        co_await async_flush();
    co_return schedule_result::queued;
}

task<void> discoveries::async_flush()
{
    if (batch_.empty())
        co_return;
    auto batch = std::move(batch_);
    batch_.clear();
    auto fresh = co_await run_.state->async_add(std::move(batch));
    for (bool f : fresh)
        ++(f ? run_.stats.scheduled : run_.stats.filtered_duplicate);
    if (run_.wake)
        run_.wake();
}

scraper::scraper(crawl_run& run, crawl_context& ctx, spider_middleware_chain& chain,
                 std::vector<std::unique_ptr<item_pipeline>>& pipelines)
    : run_(run), ctx_(ctx), chain_(chain), pipelines_(pipelines)
{
    if (run_.settings.parse_workers > 0)
        parse_pool_ = std::make_unique<asio::thread_pool>(run_.settings.parse_workers);
}

void scraper::shutdown()
{
    if (parse_pool_)
        parse_pool_->join();
}

namespace
{

generator<weft::request> given_requests(std::vector<weft::request> requests)
{
    for (auto& r : requests)
        co_yield std::move(r);
}

} // namespace

task<void> scraper::async_start()
{
    discoveries out(run_);
    auto gen = run_.start_requests ? given_requests(std::move(*run_.start_requests)) : run_.spider.start_requests();
    while (auto r = co_await gen.async_next())
    {
        if (run_.stopping)
            break;
        auto kept = co_await chain_.on_output(output(std::move(*r)), nullptr, ctx_);
        if (!kept || !kept->is_request())
            continue;
        kept->request().depth(0);
        co_await out.async_push(std::move(kept->request()), true);
        if (run_.wake)
            run_.wake(); // the first pages start while the rest of the start requests come
    }
    co_await out.async_flush();
}

task<void> scraper::async_scrape(weft::request const& req, http::response res, page_output& out)
{
    ++run_.stats.responses;
    auto const deadline = page_deadline(clock::now());
    response r(std::move(res), req);
    r.set_parser(run_.settings.html_parser);
    counted_while_alive holding_dom{parsed_}; // from its parse to the end of its callback
    if (parse_pool_ && r.is_html()) // the DOM and the link scan are built off the I/O loop...
    {
        bool const doc = run_.spider.needs_document(), links = run_.spider.needs_links();
        auto const workers = run_.settings.parse_workers;
        // ...unless every worker is busy: then the loop, idle while it waits for them, parses
        // this page itself, so parsing uses every core when it is the bottleneck (issue 13). Not
        // while parsed pages wait for their callbacks (the loop is not idle then, and each
        // page parsed ahead holds a DOM: peak RSS).
        if (parsing_ >= workers && parsed_ <= workers)
            r.prepare(doc, links);
        else
        {
            counted_while_alive on_pool{parsing_};
            on_pool.enter();
            co_await asio::co_spawn(parse_pool_->get_executor(), prepare_response(r, doc, links), asio::deferred);
        }
        holding_dom.enter();
    }
    if (clock::now() > deadline)
    {
        co_await async_budget_spent(req, "parsing the page", out);
        co_return;
    }
    if (auto di = co_await chain_.on_input(r, ctx_); di.what() == decision::kind::fail)
    {
        co_await async_errback(req, di.error(), di.why(), out);
        co_return;
    }
    auto const& cb = req.callback();
    std::exception_ptr thrown; // what the callback yielded before an error is kept
    try
    {
        // named first: GCC 12 evaluates both arms of a ?: inside co_await (docs/ARCHITECTURE.md, trap 9)
        auto gen = cb ? cb(run_.spider, r) : run_.spider.parse(r);
        bool const within = co_await consume(std::move(gen), req, &r, out, deadline);
        if (!within)
        {
            co_await async_budget_spent(req, "parsing the page and running its callback", out);
            co_return;
        }
    }
    catch (...)
    {
        if (is_abort(std::current_exception()) || is_state_failure(std::current_exception()))
            throw; // not the spider's: the crawl state failed while taking its output
        thrown = std::current_exception();
    }
    if (!thrown)
        co_return;
    // A spider middleware may recover: its outputs replace the rest of the callback.
    auto replacement = co_await chain_.on_exception(r, thrown, ctx_);
    if (replacement)
    {
        for (auto& o : *replacement)
            co_await route(std::move(o), req, &r, out);
        co_return;
    }
    ++run_.stats.callback_errors;
    run_.say(fmt::format("{} {}: {}", req.method(), req.url(), describe(thrown)));
}

task<void> scraper::async_errback(weft::request const& req, error_code ec, std::string why, page_output& out)
{
    ++run_.stats.errors;
    ++run_.stats.errors_by_kind[error_kind(ec)];
    if (ec != robots_unreachable_error()) // said once per host at the end instead (crawl_result::given_up)
        run_.say(why.empty() ? fmt::format("{} {}: {}", req.method(), req.url(), ec.message()) : why);
    auto f = failure(std::make_shared<weft::request const>(req), ec, why);
    auto const& eb = req.errback();
    try
    {
        // named first: GCC 12 evaluates both arms of a ?: inside co_await (docs/ARCHITECTURE.md, trap 9)
        auto gen = eb ? eb(run_.spider, f) : run_.spider.on_error(f);
        co_await consume(std::move(gen), req, nullptr, out);
    }
    catch (...)
    {
        if (is_abort(std::current_exception()) || is_state_failure(std::current_exception()))
            throw;
        ++run_.stats.callback_errors;
        run_.say(fmt::format("errback for {} failed: {}", req.url(), describe(std::current_exception())));
    }
}

task<bool> scraper::consume(generator<output> gen, weft::request const& parent, response const* from,
                            page_output& out, clock::time_point deadline)
{
    // Checked between outputs: a callback is cut off at its next co_yield once the page is over
    // budget (parsing and selectors are linear in the page since issue 16, so a hostile page
    // reaches a yield; a callback that never yields is not interrupted).
    while (auto next = co_await gen.async_next())
    {
        co_await route(std::move(*next), parent, from, out);
        if (clock::now() > deadline)
            co_return false;
    }
    co_return true;
}

scraper::clock::time_point scraper::page_deadline(clock::time_point started) const noexcept
{
    auto const budget = run_.settings.timeout;
    return budget.count() > 0 ? started + budget : clock::time_point::max();
}

// The page took longer than settings::timeout to parse and process: what it yielded so far is
// kept, the rest dropped, and the errback is told (error::timed_out), so a hostile page ends
// as one error instead of holding a worker.
task<void> scraper::async_budget_spent(weft::request const& req, char const* during, page_output& out)
{
    auto why = fmt::format("{} {}: {} took longer than the per-page budget of {} ms (setting `timeout`); the "
                           "rest of its output was dropped",
                           req.method(), req.url(), during, run_.settings.timeout.count());
    co_await async_errback(req, make_error_code(error::timed_out), std::move(why), out);
}

// One output: through the spider middlewares, then to the crawl state or the item pipelines.
task<void> scraper::route(output yielded, weft::request const& parent, response const* from, page_output& out)
{
    // Not a ?: around the co_await: GCC 12 evaluates both arms (docs/ARCHITECTURE.md, trap 9).
    std::optional<output> o;
    if (chain_.empty())
        o.emplace(std::move(yielded));
    else
        o = co_await chain_.on_output(std::move(yielded), from, ctx_);
    if (!o)
        co_return;
    if (o->is_request())
    {
        auto r = std::move(o->request());
        r.depth(parent.depth() + 1);
        if (r.referer().empty())
            r.referer(parent.url());
        co_await out.requests.async_push(std::move(r));
    }
    else if (auto it = co_await pipe(std::move(o->item()), parent))
        co_await keep(std::move(*it), out);
}

task<void> scraper::keep(item it, page_output& out)
{
    out.items.push_back(std::move(it));
    // With a job directory the page's items wait for its completion (exactly once); without one
    // nothing is resumed, so they stream to the writer, which suspends the spider when it is full.
    if (out.items.size() >= stream_chunk && !run_.state->journal() && run_.items_out)
    {
        auto chunk = std::move(out.items);
        out.items.clear();
        co_await run_.items_out->async_consume(std::move(chunk), {});
    }
}

// An item through the pipelines. A stage that throws drops this item only: the page's other
// items and its requests (pagination) go on, and the drop is said and counted.
task<std::optional<item>> scraper::pipe(item it, weft::request const& parent)
{
    std::optional<item> cur(std::move(it));
    for (auto const& p : pipelines_)
    {
        std::exception_ptr failed;
        try
        {
            cur = co_await p->process(std::move(*cur), run_.spider);
        }
        catch (...)
        {
            failed = std::current_exception();
        }
        if (failed)
        {
            dropped_by(*p, parent, failed);
            co_return std::nullopt;
        }
        if (!cur)
        {
            ++run_.stats.items_dropped;
            co_return std::nullopt;
        }
    }
    co_return cur;
}

void scraper::dropped_by(item_pipeline const& stage, weft::request const& parent, std::exception_ptr e)
{
    if (is_abort(e) || is_state_failure(e))
        std::rethrow_exception(e);
    ++run_.stats.items_dropped;
    try
    {
        std::rethrow_exception(e);
    }
    catch (drop_item const& why)
    {
        run_.say(fmt::format("dropped an item of {} in {}: {}", parent.url(), stage.name(), why.what()));
        return;
    }
    catch (...)
    {
    }
    ++run_.stats.item_errors;
    run_.say(fmt::format("item pipeline {} failed on an item of {}: {}; that item is dropped, the page's other "
                         "items go on",
                         stage.name(), parent.url(), describe(e)));
}

} // namespace weft::engine::detail
