// Steps 4 and 5 of the crawl data path (docs/ARCHITECTURE.md): the downloader middlewares around
// the fetcher stack. It is also the crawl_context the middlewares see: settings, counting a
// stat, a host's delay and backoff and the shared robots.txt copies (through the crawl state), a
// direct fetch.
#pragma once

#include "engine/body_budget.hpp"
#include "engine/crawl.hpp"

#include <weft/http/fetcher.hpp>
#include <weft/middleware/middleware.hpp>

#include <boost/asio/cancellation_signal.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <set>

namespace weft::engine::detail
{

/// How a request's download ended.
struct download_result
{
    enum class kind
    {
        response, ///< `res` goes to the callback
        retry,    ///< fetch again after `delay` (the request's attempts were counted)
        follow,   ///< a redirect: `next` replaces this request
        fail,     ///< `ec` and `why` go to the errback
        filtered, ///< robots.txt disallowed it: not a page
        aborted,  ///< the crawl is stopping: give the lease back
        postpone, ///< not started (its host's robots.txt is unreachable for now): back to pending,
                  ///< its host held for `delay`
    };
    kind what = kind::response;
    http::response res;
    std::chrono::milliseconds delay{0};
    std::optional<weft::request> next;
    error_code ec;
    std::string why;
    state::fetch_outcome outcome; ///< for the host's controller
    /// The body bytes `res` holds in the crawl's budget: released when the page is done with.
    body_budget::charge body_charge;
};

class downloader final : public crawl_context
{
public:
    downloader(crawl_run& run, middleware_chain& chain, std::unique_ptr<http::fetcher> fetchers);

    /// Runs `req` through the middlewares and the fetcher; counts attempts, bytes and statuses.
    task<download_result> async_download(weft::request& req);
    /// Aborts every fetch in flight and every wait for the body budget (they end as `aborted`).
    void abort_all();
    /// The most body bytes held at once (settings::max_inflight_body_bytes).
    std::uint64_t body_bytes_peak() const noexcept { return budget_.peak(); }
    void shutdown();

    // crawl_context
    weft::engine::settings const& settings() const override { return run_.settings; }
    weft::spider& spider() override { return run_.spider; }
    void count(std::string_view name, std::uint64_t n) override { run_.stats.add(name, n); }
    void set_host_delay(std::string const& host, std::chrono::milliseconds delay) override;
    void back_off_host(std::string const& host, std::chrono::milliseconds d) override;
    task<void> async_set_host_delay(std::string host, std::chrono::milliseconds delay) override;
    task<state::robots_answer> async_robots(std::string origin, std::chrono::milliseconds claim) override;
    task<void> async_store_robots(std::string origin, std::string host, state::robots_file file,
                                  std::chrono::milliseconds ttl) override;
    task<void> async_release_robots(std::string origin) override;
    void give_up(std::string why) override;
    task<std::pair<error_code, http::response>> async_fetch_direct(http::request req) override;
    bool stopping() const noexcept override { return run_.stopping; }
    task<bool> async_nothing_else_to_do(std::vector<std::string> hosts) override;

private:
    task<download_result> after_fetch(weft::request& req, error_code ec, http::response res,
                                      state::fetch_outcome outcome);
    static download_result failed(error_code ec, std::string why, state::fetch_outcome outcome);
    task<std::pair<error_code, http::response>> fetch(http::request req, http::body_sink* sink);
    task<std::pair<error_code, http::response>> fetch_within_budget(http::request req, body_budget::charge& held,
                                                                    std::chrono::steady_clock::time_point& started);

    crawl_run& run_;
    middleware_chain& chain_;
    std::unique_ptr<http::fetcher> fetchers_;
    std::set<asio::cancellation_signal*> in_flight_;
    body_budget budget_;
};

} // namespace weft::engine::detail
