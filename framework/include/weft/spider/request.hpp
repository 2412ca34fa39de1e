// weft::request: a crawl request; an http::request plus where its response goes (callback,
// errback), whether it is de-duplicated, its depth and referer.
#pragma once

#include <weft/async/generator.hpp>
#include <weft/error.hpp>
#include <weft/http/request.hpp>
#include <weft/http/response.hpp>

#include <nlohmann/json.hpp>

#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

namespace weft
{

class spider;
class response;
class output;
class request;

/// Why a request ended without a response for its callback: the error after retries, and the
/// last response if there was one. Passed to errbacks.
struct failure
{
    failure() = default;
    failure(std::shared_ptr<weft::request const> r, error_code e, std::string m)
        : req(std::move(r)), ec(e), message(std::move(m))
    {
    }
    weft::request const& request() const { return *req; }

    std::shared_ptr<weft::request const> req;
    error_code ec;
    std::string message; ///< "GET <url>: <cause> (attempt n)"
};

/// A callback: called with the spider and the response; an async generator of outputs.
using callback_fn = std::function<generator<output>(spider&, response)>;
/// An errback: called with the spider and the failure; may yield outputs too.
using errback_fn = std::function<generator<output>(spider&, failure)>;

/// A request of the crawl. A non-aggregate (docs/ARCHITECTURE.md, trap 2): build it with its constructor and
/// fluent setters, or with response::follow.
///
///     co_yield res.follow(href).callback(&my_spider::parse_item).priority(5);
///
/// Callbacks: a member function of the spider (`&my_spider::parse_item`) or any callable taking
/// (spider&, response). A job directory persists requests; it finds member-function callbacks
/// again by the name the spider registered them under (spider::register_callback) and otherwise
/// falls back to parse.
class request
{
public:
    request() = default;
    explicit request(std::string url, std::string method = "GET") : http_(std::move(url), std::move(method)) {}
    explicit request(http::request r) : http_(std::move(r)) {}

    // --- the HTTP request ---
    std::string const& url() const { return http_.url(); }
    std::string const& method() const { return http_.method(); }
    http::headers const& headers() const { return http_.headers(); }
    std::string const& body() const { return http_.body(); }
    int priority() const { return http_.priority(); }
    http::request const& http() const { return http_; }
    http::request& http() { return http_; }
    /// Values carried to the response (res.meta()), persisted with the request. The engine and
    /// the built-in middlewares and fetchers read these keys of it; all others are free:
    /// "proxy" (a proxy URL for this request), "render" (true: render; false: never; "auto":
    /// fetch over HTTP and render only if the page needs it, settings::render), "render_auto"
    /// (set by that judge), "wait_for", "wait_for_state", "wait_for_timeout_ms", "wait_until",
    /// "actions", "block", "browser_requests", "screenshot" (rendering with the chromium fetcher:
    /// plugins/fetch_chromium/render_fetcher.hpp). Arguments meant for the callback belong in
    /// kwarg(), which nothing of the engine reads.
    nlohmann::json& meta() { return http_.meta(); }
    nlohmann::json const* meta_if() const { return http_.meta_if(); }

    request& url(std::string u)
    {
        http_.url(std::move(u));
        return *this;
    }
    request& method(std::string m)
    {
        http_.method(std::move(m));
        return *this;
    }
    request& header(std::string name, std::string value)
    {
        http_.header(std::move(name), std::move(value));
        return *this;
    }
    /// Renders the page in headless Chromium (meta "render": the "chromium" fetcher, beside the
    /// crawl's own) and, when `wait_for` is given, waits for that CSS selector before the HTML is
    /// taken. More meta keys ("actions", "block", "wait_until") and live-page scripts
    /// (chromium::on_page): plugins/fetch_chromium's render_fetcher.hpp.
    request& render(std::string wait_for = {})
    {
        meta()["render"] = true;
        if (!wait_for.empty())
            meta()["wait_for"] = std::move(wait_for);
        return *this;
    }
    request& body(std::string b)
    {
        http_.body(std::move(b));
        return *this;
    }
    /// Higher first (Scrapy's convention). Retries go one lower, redirects two higher.
    request& priority(int p)
    {
        http_.priority(p);
        return *this;
    }
    request& timeout(std::chrono::milliseconds t)
    {
        http_.timeout(t);
        return *this;
    }
    request& meta(std::string key, nlohmann::json value)
    {
        http_.meta()[std::move(key)] = std::move(value);
        return *this;
    }

    /// An argument for the callback (Scrapy's cb_kwargs): read as res.kwarg("key") or res.kwargs();
    /// persisted with the request; no engine key can clash with it.
    request& kwarg(std::string key, nlohmann::json value)
    {
        if (!kwargs_.is_object())
            kwargs_ = nlohmann::json::object();
        kwargs_[std::move(key)] = std::move(value);
        return *this;
    }
    /// Every callback argument (an object; null when none was given).
    nlohmann::json const& kwargs() const { return kwargs_; }

    // --- where the response goes ---
    /// A member function of the spider as the callback.
    template <class Spider>
    request& callback(generator<output> (Spider::*pm)(response))
    {
        callback_ = [pm](spider& s, auto r) { return (static_cast<Spider&>(s).*pm)(std::move(r)); };
        callback_key_ = member_key(pm);
        return *this;
    }
    /// Any callable as the callback; `name` identifies it for persistence (spider::register_callback).
    request& callback(callback_fn fn, std::string name = {})
    {
        callback_ = std::move(fn);
        callback_key_ = "name:" + name;
        return *this;
    }
    template <class Spider>
    request& errback(generator<output> (Spider::*pm)(failure))
    {
        errback_ = [pm](spider& s, failure f) { return (static_cast<Spider&>(s).*pm)(std::move(f)); };
        errback_key_ = member_key(pm);
        return *this;
    }
    request& errback(errback_fn fn, std::string name = {})
    {
        errback_ = std::move(fn);
        errback_key_ = "name:" + name;
        return *this;
    }
    callback_fn const& callback() const { return callback_; }
    errback_fn const& errback() const { return errback_; }
    /// Identity of the callback for persistence ("" for the default, parse).
    std::string const& callback_key() const { return callback_key_; }
    std::string const& errback_key() const { return errback_key_; }

    // --- crawl bookkeeping ---
    /// Skip the seen-set (Scrapy's dont_filter): scheduled even if fetched before.
    request& dont_filter(bool v)
    {
        dont_filter_ = v;
        return *this;
    }
    bool dont_filter() const { return dont_filter_; }
    /// Links followed from a start request: start requests have depth 0. Set by the engine.
    request& depth(int d)
    {
        depth_ = d;
        return *this;
    }
    int depth() const { return depth_; }
    /// The URL of the page this request was found on ("" for start requests). Set by the engine.
    request& referer(std::string r)
    {
        referer_ = std::move(r);
        return *this;
    }
    std::string const& referer() const { return referer_; }
    /// Attempts made so far (0 before the first fetch). Set by the engine.
    request& attempts(int n)
    {
        attempts_ = n;
        return *this;
    }
    int attempts() const { return attempts_; }
    /// The URLs this request was redirected from, oldest first. Set by the engine.
    std::vector<std::string>& redirect_chain() { return redirects_; }
    std::vector<std::string> const& redirect_chain() const { return redirects_; }
    /// The first URL of the chain: the URL originally requested.
    std::string const& original_url() const { return redirects_.empty() ? url() : redirects_.front(); }

    /// A JSON form for the job directory; callbacks are stored by name (`names` maps keys).
    nlohmann::json to_json(std::function<std::string(std::string const&)> const& key_to_name = {}) const;
    /// The inverse; callbacks are resolved by `resolve` (name -> callback), unknown ones dropped.
    static request
    from_json(nlohmann::json const& j,
              std::function<void(request&, std::string const& cb, std::string const& eb)> const& resolve = {});

    template <class F>
    static std::string member_key(F pm)
    {
        std::string key = "pm:";
        key += typeid(F).name();
        key += ':';
        key.append(reinterpret_cast<char const*>(&pm), sizeof pm);
        return key;
    }

private:
    http::request http_;
    nlohmann::json kwargs_;
    callback_fn callback_;
    errback_fn errback_;
    std::string callback_key_;
    std::string errback_key_;
    std::string referer_;
    std::vector<std::string> redirects_;
    int depth_ = 0;
    int attempts_ = 0;
    bool dont_filter_ = false;
};

} // namespace weft
