// The adaptive_render middleware (settings::render): "always" marks every request for rendering;
// "auto" (or a request's meta "render": "auto") fetches over HTTP first, keeps the response when
// it has what is needed (detail::judge_http_page) and otherwise renders the page and hands the
// rendered response on in its place. What each URL pattern needed is remembered
// (detail::render_memory): a pattern that needs rendering skips the HTTP fetch.
//
// Counters (stats "custom"): render_auto_http (had what is needed as fetched), render_auto_rendered
// (judged and rendered), render_auto_direct (rendered at once, as its pattern taught),
// render_auto_kept (lacked the crawl's render_wait_for, rendered or not: kept as served).
#include <weft/html/selector.hpp>
#include <weft/http/fetcher.hpp>
#include <weft/middleware/builtin.hpp>

#include "middleware/detail.hpp"
#include "middleware/render_detector.hpp"

namespace weft::middleware
{
namespace
{

enum class render_mode
{
    requested,
    auto_,
    always
};

render_mode mode_of(engine::settings const& s)
{
    if (s.render == "auto")
        return render_mode::auto_;
    return s.render == "always" ? render_mode::always : render_mode::requested;
}

// What the request itself says: meta "render" true/false decides; "auto" asks for judging.
std::optional<nlohmann::json> meta_render(weft::request const& req)
{
    auto const* meta = req.http().meta_if();
    if (!meta || !meta->is_object())
        return std::nullopt;
    auto it = meta->find("render");
    if (it == meta->end())
        return std::nullopt;
    return *it;
}

bool judged(weft::request const& req, render_mode mode)
{
    auto const says = meta_render(req);
    if (says && says->is_boolean())
        return false; // the request decided
    return mode == render_mode::auto_ || (says && says->is_string() && says->get<std::string>() == "auto");
}

// The selector the page must have: the request's own wait_for (strict: a render that does not
// find it fails), else the crawl's render_wait_for (soft: a page that never has it is kept).
struct wanted
{
    std::string selector;
    bool soft = false;
};

wanted wanted_selector(weft::request const& req, engine::settings const& s)
{
    auto const* meta = req.http().meta_if();
    if (meta && meta->is_object())
        if (auto it = meta->find("wait_for"); it != meta->end() && it->is_string())
            return {it->get<std::string>(), false};
    return {s.render_wait_for, !s.render_wait_for.empty()};
}

void mark_for_render(http::request& req, wanted const& w, engine::settings const& s)
{
    auto& meta = req.meta();
    meta["render"] = true;
    if (w.soft)
    {
        meta["wait_for"] = w.selector;
        if (!meta.contains("wait_for_timeout_ms"))
            meta["wait_for_timeout_ms"] = s.render_wait_timeout.count();
    }
}

bool is_html(http::response const& res)
{
    auto const mt = res.media_type();
    return mt == "text/html" || mt == "application/xhtml+xml";
}

// Set (meta "render_auto": "direct" or "always") on a request this middleware sent to the
// renderer without an HTTP fetch.
constexpr char const* direct_marker = "render_auto";

class adaptive_render final : public detail::builtin_middleware
{
public:
    adaptive_render() : builtin_middleware(detail::builtin_id::adaptive_render) {}

    task<decision> on_request(weft::request& req, crawl_context& ctx) override
    {
        auto const& s = ctx.settings();
        auto const mode = mode_of(s);
        if (mode == render_mode::always && !meta_render(req))
        {
            mark_for_render(req.http(), wanted_selector(req, s), s);
            req.meta()[direct_marker] = "always";
        }
        else if (judged(req, mode) && memory_.render_directly(detail::render_pattern(req.url())))
        {
            mark_for_render(req.http(), wanted_selector(req, s), s);
            req.meta()[direct_marker] = "direct";
            ctx.count("render_auto_direct");
        }
        co_return decision::proceed();
    }

    task<decision> on_response(weft::request& req, http::response& res, crawl_context& ctx) override
    {
        auto const& s = ctx.settings();
        if (!judged(req, mode_of(s)) || !res.ok() || !is_html(res))
            co_return decision::proceed();
        auto const want = wanted_selector(req, s);
        detail::render_verdict verdict;
        try
        {
            verdict = detail::judge_http_page(res.body, res.headers.get("Content-Type").value_or(""), want.selector);
        }
        catch (html::selector_error const& e)
        {
            co_return decision::fail(e.code(), std::string("render_wait_for: ") + e.what());
        }
        auto const pattern = detail::render_pattern(req.url());
        if (!verdict.render)
        {
            memory_.learn(pattern, detail::render_outcome::served_enough);
            ctx.count("render_auto_http");
            co_return decision::proceed();
        }
        if (memory_.render_useless(pattern))
        {
            ctx.count("render_auto_kept");
            co_return decision::proceed();
        }
        ctx.count("render_auto_rendered");
        http::request again = req.http();
        mark_for_render(again, want, s);
        auto [ec, rendered] = co_await ctx.async_fetch_direct(std::move(again));
        if (want.soft && ec == error::selector_timeout)
        {
            memory_.learn(pattern, detail::render_outcome::render_no_help);
            ctx.count("render_auto_kept");
            co_return decision::proceed(); // a page without the selector, rendered or not: as served
        }
        if (ec)
            co_return decision::fail(ec, "rendering " + req.url() + " (as served: " + verdict.reason +
                                             ") failed: " + http::describe_failure(req.http(), ec, rendered));
        memory_.learn(pattern, detail::render_outcome::render_helped);
        res = std::move(rendered);
        co_return decision::proceed();
    }

    // A page rendered without an HTTP fetch first ("always", or its pattern taught so) that never
    // showed the crawl's selector: fetched again over HTTP and kept as served.
    task<decision> on_error(weft::request& req, error_code ec, crawl_context& ctx) override
    {
        auto const* meta = req.http().meta_if();
        if (ec != error::selector_timeout || !meta || !meta->contains(direct_marker) ||
            !wanted_selector(req, ctx.settings()).soft)
            co_return decision::proceed();
        memory_.learn(detail::render_pattern(req.url()), detail::render_outcome::render_no_help);
        req.meta().erase(direct_marker);
        req.meta()["render"] = false;
        co_return decision::retry(std::chrono::milliseconds(0), "no " + ctx.settings().render_wait_for +
                                                                    " after rendering: fetched as served");
    }

private:
    detail::render_memory memory_;
};

} // namespace

std::unique_ptr<downloader_middleware> make_adaptive_render()
{
    return std::make_unique<adaptive_render>();
}

} // namespace weft::middleware
