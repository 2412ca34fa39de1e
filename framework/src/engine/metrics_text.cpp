#include "engine/metrics_text.hpp"

#include <fmt/format.h>

#include <chrono>

namespace weft::engine::detail
{

namespace
{

// Appends one metric family: HELP and TYPE once, then its samples.
class exposition
{
public:
    void family(std::string_view name, char const* type, std::string_view help)
    {
        name_ = name;
        out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help), name, type);
    }
    template <class T>
    void sample(T value)
    {
        out_ += fmt::format("{} {}\n", name_, value);
    }
    template <class T>
    void sample(std::string_view label, std::string_view label_value, T value)
    {
        out_ += fmt::format("{}{{{}=\"{}\"}} {}\n", name_, label, escape_label_value(label_value), value);
    }
    // A family with a single unlabelled sample.
    template <class T>
    void one(std::string_view name, char const* type, std::string_view help, T value)
    {
        family(name, type, help);
        sample(value);
    }
    std::string take() { return std::move(out_); }

private:
    // HELP text escapes backslash and line feed (not the double quote).
    static std::string escape_help(std::string_view v)
    {
        std::string out;
        for (char c : v)
        {
            if (c == '\\')
                out += "\\\\";
            else if (c == '\n')
                out += "\\n";
            else
                out += c;
        }
        return out;
    }
    std::string out_;
    std::string name_;
};

double seconds(std::chrono::milliseconds d)
{
    return static_cast<double>(d.count()) / 1000.0;
}

void crawl_counters(exposition& e, stats const& s)
{
    e.one("weft_pages_total", "counter", "Requests sent to the fetcher (first attempts and redirect hops)", s.pages);
    e.one("weft_attempts_total", "counter", "Fetches, retries included", s.attempts);
    e.one("weft_responses_total", "counter", "Final responses handed to a callback", s.responses);
    e.one("weft_retries_total", "counter", "Attempts retried", s.retries);
    e.one("weft_redirects_total", "counter", "Redirects followed", s.redirects);
    e.one("weft_errors_total", "counter", "Requests failed after their retries", s.errors);
    e.family("weft_errors_by_kind_total", "counter", "Requests failed after their retries, by kind of failure");
    for (auto const& [kind, n] : s.errors_by_kind)
        e.sample("kind", kind, n);
    e.one("weft_callback_errors_total", "counter", "Exceptions that escaped a callback", s.callback_errors);
    e.one("weft_items_total", "counter", "Items written to the sinks, or committed to a shared crawl state, by this process",
          s.items);
    e.one("weft_items_dropped_total", "counter", "Items dropped by a pipeline", s.items_dropped);
    e.one("weft_bytes_received_total", "counter", "Response body bytes received", s.bytes);
    e.one("weft_robots_fetches_total", "counter", "robots.txt fetches", s.robots_fetches);
    e.one("weft_cache_hits_total", "counter", "Responses served by the HTTP cache", s.cache_hits);
    e.one("weft_scheduled_requests_total", "counter", "Requests accepted by the scheduler", s.scheduled);
    e.family("weft_filtered_requests_total", "counter", "Requests dropped before the crawl state, by reason");
    e.sample("reason", "duplicate", s.filtered_duplicate);
    e.sample("reason", "offsite", s.filtered_offsite);
    e.sample("reason", "depth", s.filtered_depth);
    e.sample("reason", "rule", s.filtered_rule);
    e.sample("reason", "robots", s.filtered_robots);
    e.sample("reason", "bad_url", s.bad_urls);
    e.family("weft_response_status_total", "counter", "Responses by HTTP status");
    for (auto const& [status, n] : s.by_status)
        e.sample("status", std::to_string(status), n);
    e.family("weft_custom_total", "counter", "Counters kept by middlewares and extensions, by name");
    for (auto const& [name, n] : s.custom)
        e.sample("name", name, n);
    e.one("weft_elapsed_seconds", "gauge", "Time the crawl has run (earlier runs of a resumed job included)",
          s.elapsed_s());
}

void state_counters(exposition& e, metrics_snapshot const& m)
{
    auto const& c = m.counters;
    e.one("weft_requests_in_flight", "gauge", "Leased requests of this process not past their download", m.in_flight);
    e.one("weft_requests_running", "gauge", "Leased requests of this process not completed yet", m.running);
    e.one("weft_pending_requests", "gauge", "Requests queued in the crawl state", c.pending);
    e.one("weft_leased_requests", "gauge", "Requests leased to a worker", c.leased);
    e.one("weft_delayed_requests", "gauge", "Retries waiting for their not-before time", c.delayed);
    e.one("weft_done_requests_total", "counter", "Requests completed in the crawl state", c.done);
    e.one("weft_failed_requests_total", "counter", "Requests completed as failed in the crawl state", c.failed);
    e.one("weft_expired_leases_total", "counter", "Leases that expired and went back to pending", c.expired);
    e.one("weft_stale_commits_total", "counter", "Completions, retries and extensions refused as stale", c.stale);
    e.one("weft_seen_fingerprints", "gauge", "Request fingerprints in the seen-set", c.seen);
    e.one("weft_kept_items_total", "counter", "Items kept by a shared crawl state (all workers)", c.items);
}

void host_gauges(exposition& e, std::vector<state::host_stats> const& hosts)
{
    auto each = [&](std::string_view name, char const* type, std::string_view help, auto value)
    {
        e.family(name, type, help);
        for (auto const& h : hosts)
            e.sample("host", h.host, value(h));
    };
    each("weft_host_pending_requests", "gauge", "Requests queued for the host (busiest hosts)",
         [](state::host_stats const& h) { return h.pending; });
    each("weft_host_requests_in_flight", "gauge", "Requests in flight to the host (busiest hosts)",
         [](state::host_stats const& h) { return h.in_flight; });
    each("weft_host_concurrency", "gauge", "The host's adaptive concurrency limit now (busiest hosts)",
         [](state::host_stats const& h) { return h.concurrency; });
    each("weft_host_delay_seconds", "gauge", "The host's delay between request starts now, before jitter",
         [](state::host_stats const& h) { return seconds(h.delay); });
    each("weft_host_backoffs_total", "counter", "429/503 and error backoffs of the host so far",
         [](state::host_stats const& h) { return h.backoffs; });
    each("weft_host_backoff_seconds", "gauge", "How long the host's starts are still held back (0: not)",
         [](state::host_stats const& h) { return seconds(h.backoff_for.value_or(std::chrono::milliseconds(0))); });
}

} // namespace

std::string escape_label_value(std::string_view v)
{
    std::string out;
    out.reserve(v.size());
    for (char c : v)
    {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string render_metrics(metrics_snapshot const& m)
{
    exposition e;
    e.family("weft_crawl_info", "gauge", "The crawl state backend and crawl id (always 1)");
    e.sample(fmt::format("backend=\"{}\",crawl_id", escape_label_value(m.backend)), m.crawl_id, 1);
    if (m.crawl)
        crawl_counters(e, *m.crawl);
    state_counters(e, m);
    host_gauges(e, m.hosts);
    return e.take();
}

} // namespace weft::engine::detail
