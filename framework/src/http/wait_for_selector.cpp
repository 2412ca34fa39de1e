#include <weft/http/wait_for_selector.hpp>

#include <weft/async/sleep.hpp>
#include <weft/html/selector.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>

#include <algorithm>

namespace weft
{

char const* to_string(selector_state s) noexcept
{
    switch (s)
    {
    case selector_state::attached:
        return "attached";
    case selector_state::visible:
        return "visible";
    case selector_state::hidden:
        return "hidden";
    case selector_state::detached:
        return "detached";
    }
    return "attached";
}

namespace
{

using clock = std::chrono::steady_clock;

task<selector_match>
wait_loop(http::fetcher& f, http::request req,
          std::function<bool(http::response const&, html::document const&, std::optional<html::element>&)> pred,
          wait_for_selector_options opts, std::string what)
{
    auto const start = clock::now();
    auto const deadline = start + opts.timeout;
    auto pause = std::chrono::duration_cast<clock::duration>(opts.polling);
    for (int attempt = 1;; ++attempt)
    {
        // The last fetch may not run past the deadline.
        auto this_req = req;
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (!this_req.timeout() || *this_req.timeout() > left)
            this_req.timeout(std::max(left, std::chrono::milliseconds(1)));
        auto [ec, res] = co_await f.async_fetch(std::move(this_req), nullptr, asio::as_tuple(asio::deferred));
        if (ec && !(ec == condition::timeout && clock::now() >= deadline))
            throw_error(ec, http::describe_failure(req, ec, res));
        if (!ec)
        {
            auto doc = html::document::parse(res.body, res.charset());
            std::optional<html::element> el;
            if (pred(res, doc, el))
            {
                selector_match match{std::move(res), std::move(doc), el};
                co_return match;
            }
        }
        auto const now = clock::now();
        if (now >= deadline)
            throw_error(make_error_code(error::selector_timeout),
                        what + " on " + req.url() + " gave up after " + describe_duration(now - start) + " and " +
                            std::to_string(attempt) + (attempt == 1 ? " fetch" : " fetches"));
        co_await sleep(std::min<clock::duration>(pause, deadline - now));
        auto const next = std::chrono::duration_cast<clock::duration>(pause * opts.backoff);
        pause = std::clamp<clock::duration>(next, clock::duration(1),
                                            std::max<clock::duration>(opts.max_polling, opts.polling));
    }
}

} // namespace

task<selector_match> async_wait_for_selector(http::fetcher& f, http::request req, std::string css,
                                             wait_for_selector_options opts)
{
    // A coroutine, so that a bad selector is thrown where the caller awaits (as the browser's
    // page::async_wait_for_selector does), before any fetch.
    html::selector sel(css);
    auto const state = opts.state;
    auto pred = [sel, state](http::response const&, html::document const& doc, std::optional<html::element>& out)
    {
        auto el = doc.css_first(sel);
        switch (state)
        {
        case selector_state::attached:
        case selector_state::visible:
            out = el;
            return el.has_value();
        case selector_state::hidden:
        case selector_state::detached:
            return !el.has_value();
        }
        return false;
    };
    std::string what = "wait_for_selector(\"" + css + "\", " + to_string(state) + ")";
    co_return co_await wait_loop(f, std::move(req), std::move(pred), opts, std::move(what));
}

task<selector_match>
async_wait_for_document(http::fetcher& f, http::request req,
                        std::function<bool(http::response const&, html::document const&)> predicate,
                        wait_for_selector_options opts, std::string what)
{
    auto pred = [p = std::move(predicate)](http::response const& r, html::document const& d,
                                           std::optional<html::element>&) { return p(r, d); };
    return wait_loop(f, std::move(req), std::move(pred), opts, "wait_for(" + what + ")");
}

} // namespace weft
