#include "engine/request_task.hpp"

#include <weft/engine/robots.hpp>

#include <fmt/format.h>

namespace weft::engine::detail
{

namespace
{

using kind = download_result::kind;

// The lease ends: its page's last requests are added first (idempotent: a crash before the
// completion fetches the page again and finds them seen), then its outcome and items in one step.
task<void> complete(crawl_run& run, state::lease const& l, page_output& out, state::final_state fs,
                    state::fetch_outcome outcome)
{
    co_await out.requests.async_flush();
    state::completion c;
    c.state = fs;
    c.outcome = outcome;
    c.items = std::move(out.items);
    auto const items = c.items.size();
    auto const accepted = co_await run.state->async_complete(l.token, std::move(c));
    if (accepted == state::commit_result::accepted && !run.items_out)
        run.stats.items += items; // a state that keeps its items (Redis) committed them with the completion
    if (accepted == state::commit_result::stale)
        run.say(fmt::format("{} {}: its lease expired before it completed; another worker has it, its output "
                            "was dropped (raise --lease if pages take longer)",
                            l.req.method(), l.req.url()));
}

task<void> retry(crawl_run& run, state::lease& l, download_result const& r)
{
    ++run.stats.retries;
    l.req.priority(l.req.priority() - 1);
    co_await run.state->async_retry(l.token, l.req, r.delay, r.outcome);
}

// Why a redirect's target was not followed, for the request's errback.
std::pair<error_code, std::string> refused_redirect(schedule_result why, weft::request const& req,
                                                   std::string const& target)
{
    auto const from = req.method() + " " + req.url();
    switch (why)
    {
    case schedule_result::bad_url:
        return {weft::error::unsupported_scheme,
                fmt::format("{}: redirected to '{}', which is not an http(s) URL; not followed", from, target)};
    case schedule_result::offsite:
        return {weft::error::offsite,
                fmt::format("{}: redirected to '{}', a host the crawl does not allow; not followed (allow it "
                            "with --allow-host)",
                            from, target)};
    default:
        return {weft::error::filtered, fmt::format("{}: redirected to '{}', which the crawl's rules drop ({}); not "
                                                   "followed",
                                                   from, target, to_string(why))};
    }
}

// Not started (robots.txt unreachable for now): the host is held first, so that ending the lease,
// which lets the next lease of the host fetch robots.txt again, does not do so at once.
task<void> postpone(crawl_run& run, state::lease& l, download_result const& r)
{
    run.say(fmt::format("{} {}: {}", l.req.method(), l.req.url(), r.why));
    co_await run.state->async_back_off(l.host, r.delay);
    co_await run.state->async_retry(l.token, l.req, std::chrono::milliseconds(0), state::fetch_outcome{});
}

// Steps 4 to 8 for one lease; an exception escaping here is the caller's.
task<void> process(crawl_run& run, downloader& dl, scraper& sc, state::lease& l, bool& fetching)
{
    auto r = co_await dl.async_download(l.req);
    if (fetching)
    {
        fetching = false;
        --run.fetching;
        run.wake();
    }
    if (r.what != kind::response)
        r.body_charge.release(); // only a response's body is kept, until its page is done with
    page_output out(run);
    switch (r.what)
    {
    case kind::aborted:
        co_await run.state->async_release({l.token});
        co_return;
    case kind::retry:
        co_return co_await retry(run, l, r);
    case kind::postpone:
        co_return co_await postpone(run, l, r);
    case kind::filtered:
        ++run.stats.filtered_robots;
        if (l.req.attempts() == 0 && run.stats.pages > 0)
            --run.stats.pages; // never fetched: not a page
        co_return co_await complete(run, l, out, state::final_state::done, r.outcome);
    case kind::follow:
    {
        ++run.stats.redirects;
        auto next = std::move(*r.next);
        next.depth(l.req.depth());
        auto const target = next.url();
        auto const admitted = co_await out.requests.async_push(std::move(next));
        if (admitted == schedule_result::queued)
            co_return co_await complete(run, l, out, state::final_state::done, r.outcome);
        // The redirect's target was dropped: the request ends through its errback, not silently.
        auto const [ec, why] = refused_redirect(admitted, l.req, target);
        co_await run.state->async_fetched(l.token, r.outcome);
        co_await sc.async_errback(l.req, ec, why, out);
        co_return co_await complete(run, l, out, state::final_state::failed, r.outcome);
    }
    case kind::fail:
    {
        co_await run.state->async_fetched(l.token, r.outcome);
        co_await sc.async_errback(l.req, r.ec, r.why, out);
        // Its host's robots.txt stayed unreachable: a later run of the job fetches it.
        auto const fs =
            r.ec == robots_unreachable_error() ? state::final_state::deferred : state::final_state::failed;
        co_return co_await complete(run, l, out, fs, r.outcome);
    }
    case kind::response:
        break;
    }
    // The host's place frees while the callback runs.
    co_await run.state->async_fetched(l.token, r.outcome);
    co_await sc.async_scrape(l.req, std::move(r.res), out);
    r.body_charge.release(); // parsed, and the callback is over: its body is gone
    co_await complete(run, l, out, state::final_state::done, r.outcome);
}

// What escaped process() (a middleware or pipeline that threw, or the crawl state failing): the
// lease still ends, so the crawl can finish; if even that fails, the crawl fails.
task<void> end_after_error(crawl_run& run, state::lease const& l, std::exception_ptr e)
{
    try
    {
        if (is_abort(e))
        {
            co_await run.state->async_release({l.token});
            co_return;
        }
        if (is_state_failure(e))
        {
            // Completing it would lose what the page discovered after the failure: the lease
            // expires instead and the page is fetched again when the crawl resumes.
            run.fail("crawl state (" + std::string(run.state->name()) + "): " + describe(e));
            co_return;
        }
        ++run.stats.callback_errors;
        run.say(fmt::format("{} {}: {}", l.req.method(), l.req.url(), describe(e)));
        page_output none(run);
        co_await complete(run, l, none, state::final_state::done, {});
    }
    catch (...)
    {
        if (!is_abort(std::current_exception()))
            run.fail("crawl state (" + std::string(run.state->name()) + "): " + describe(std::current_exception()));
    }
}

} // namespace

task<void> run_request(crawl_run& run, downloader& dl, scraper& sc, state::lease l)
{
    ++run.active;
    ++run.fetching;
    run.held.insert(l.token);
    bool fetching = true;
    std::exception_ptr error;
    try
    {
        co_await process(run, dl, sc, l, fetching);
    }
    catch (...)
    {
        error = std::current_exception();
    }
    if (error)
        co_await end_after_error(run, l, error);
    if (fetching)
        --run.fetching;
    run.held.erase(l.token);
    --run.active;
    run.wake();
}

} // namespace weft::engine::detail
