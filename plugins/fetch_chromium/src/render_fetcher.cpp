#include <weft/chromium/render_fetcher.hpp>

#include "page_impl.hpp"

#include <weft/async/sleep.hpp>
#include <weft/async/with_timeout.hpp>
#include <weft/http/fetcher_registry.hpp>
#include <weft/http/proxy.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <set>

namespace weft::chromium
{

namespace
{

using detail::json;
using std::chrono::milliseconds;

// The crawl's proxy as Chromium writes it: a scheme it knows (its SOCKS5 resolves names at the
// proxy, as libcurl's socks5h), none meaning http, and no user info (Chromium takes none in a
// proxy URL: an HTTP proxy's credentials answer its 407 instead, proxy_credentials). "" when
// there is none, or when it is a SOCKS proxy with credentials, which Chromium cannot use.
std::string chromium_proxy(std::string const& proxy)
{
    if (proxy.empty())
        return {};
    auto const scheme_end = proxy.find("://");
    auto const scheme = scheme_end == std::string::npos ? std::string("http") : proxy.substr(0, scheme_end);
    auto rest = scheme_end == std::string::npos ? proxy : proxy.substr(scheme_end + 3);
    if (auto at = rest.rfind('@', rest.find('/')); at != std::string::npos)
    {
        if (scheme != "http" && scheme != "https")
            return {};
        rest = rest.substr(at + 1);
    }
    if (scheme == "socks5h")
        return "socks5://" + rest;
    if (scheme == "socks4a")
        return "socks4://" + rest;
    return scheme + "://" + rest;
}

std::string percent_decoded(std::string_view s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i)
    {
        auto const hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
        if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) && hex(s[i + 2]))
        {
            out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        }
        else
            out.push_back(s[i]);
    }
    return out;
}

// The user info of an HTTP(S) proxy URL ("http://bob:s%40cret@proxy:3128"), percent-decoded:
// every page answers the proxy's 407 with it (page::async_authenticate).
credentials proxy_credentials(std::string const& proxy)
{
    credentials c;
    auto const scheme_end = proxy.find("://");
    auto const rest = scheme_end == std::string::npos ? proxy : proxy.substr(scheme_end + 3);
    auto const at = rest.rfind('@', rest.find('/'));
    if (at == std::string::npos)
        return c;
    auto const info = std::string_view(rest).substr(0, at);
    auto const colon = info.find(':');
    c.username = percent_decoded(info.substr(0, colon));
    if (colon != std::string_view::npos)
        c.password = percent_decoded(info.substr(colon + 1));
    return c;
}

// A page renders through the crawl's proxy, set when the browser starts (or its context is
// made): a request asking for another, or one Chromium cannot use, fails rather than going
// around it.
void check_proxy(http::request const& req, http::fetch_options const& opts)
{
    auto const wanted = http::proxy_for(req, opts);
    if (wanted != opts.proxy)
        detail::fail(error::unsupported, "chromium fetcher: " + req.url() + ": meta \"proxy\" (" +
                                             http::redact_credentials(wanted) +
                                             "): pages render through the crawl's proxy only (" +
                                             (opts.proxy.empty() ? "none" : http::redact_credentials(opts.proxy)) +
                                             ")");
    if (!wanted.empty() && chromium_proxy(wanted).empty())
        detail::fail(error::unsupported, "chromium fetcher: " + req.url() + ": the SOCKS proxy " +
                                             http::redact_credentials(wanted) +
                                             " has credentials, which Chromium cannot send to a SOCKS proxy; use an "
                                             "HTTP proxy, or one that allows this machine without them");
}

/// What one render does, read from the request (copied into each attempt's task).
struct render_spec
{
    std::string url;
    http::headers extra_headers;
    std::string user_agent;
    request_filter filter;
    std::string wait_for;
    wait_for_selector_options wait{};
    goto_options nav{};
    json actions;
    std::shared_ptr<page_script const> script;
    std::string screenshot; // meta "screenshot": where to write a full-page PNG
    credentials proxy_auth; // the crawl's HTTP proxy's user info, answering its 407
    detail::clock::time_point deadline; // of the whole render, across retries
};

// What is left of the render's budget (at least 1 ms, so a wait still reports its own timeout).
milliseconds left(render_spec const& s)
{
    auto const ms = std::chrono::duration_cast<milliseconds>(s.deadline - detail::clock::now());
    return std::max(ms, milliseconds(1));
}

selector_state state_from(std::string const& s)
{
    if (s == "visible")
        return selector_state::visible;
    if (s == "hidden")
        return selector_state::hidden;
    if (s == "detached")
        return selector_state::detached;
    return selector_state::attached;
}

// A request option this fetcher cannot take: the request fails with weft::error::bad_request_option,
// its detail naming the meta key the way a caller maps back to its own option (weft fetch --block).
[[noreturn]] void bad_option(std::string const& url, std::string_view key, std::string const& why)
{
    throw system_error(make_error_code(weft::error::bad_request_option),
                       "chromium fetcher: " + url + ": meta \"" + std::string(key) + "\": " + why);
}

// meta "block": resource type names, singular or plural ("image", "images").
request_filter blocking(std::string const& url, json const& names)
{
    if (!names.is_array())
        bad_option(url, "block", "expected a list of resource types such as [\"images\", \"fonts\"], got " + names.dump());
    request_filter filter;
    for (auto const& t : names)
    {
        auto const type = t.is_string() ? resource_from_name(t.get<std::string>()) : resource::none;
        if (type == resource::none)
            bad_option(url, "block", "unknown resource type " +
                                         (t.is_string() ? "'" + t.get<std::string>() + "'" : t.dump()) +
                                         " (known: images, fonts, media, stylesheets, scripts, xhr, fetch, other)");
        filter.block(type);
    }
    return filter;
}

// meta "screenshot": the PNG written where the caller asked (a small file: written at once).
void write_screenshot(std::string const& url, std::string const& path, std::string const& png)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (out)
        out.write(png.data(), static_cast<std::streamsize>(png.size()));
    if (out)
        out.close();
    if (!out)
    {
        int const err = errno;
        throw system_error(error_code(err ? err : EIO, boost::system::generic_category()),
                           "chromium fetcher: " + url + ": meta \"screenshot\": cannot write " + path);
    }
}

render_spec make_spec(http::request const& req, milliseconds total)
{
    render_spec s;
    s.url = req.url();
    for (auto const& [name, value] : req.headers())
    {
        if (http::iequals(name, "user-agent"))
            s.user_agent = value;
        else
            s.extra_headers.add(name, value);
    }
    s.nav.timeout = total;
    s.wait.timeout = total;
    bool allow_browser_requests = false;
    if (json const* meta = req.meta_if(); meta && meta->is_object())
    {
        if (auto w = meta->find("wait_for"); w != meta->end() && w->is_string())
            s.wait_for = w->get<std::string>();
        if (auto w = meta->find("wait_for_state"); w != meta->end() && w->is_string())
            s.wait.state = state_from(w->get<std::string>());
        if (auto w = meta->find("wait_for_timeout_ms"); w != meta->end() && w->is_number())
            s.wait.timeout = milliseconds(w->get<long>());
        if (auto w = meta->find("wait_until"); w != meta->end() && w->is_string())
        {
            auto const v = w->get<std::string>();
            s.nav.wait_until = v == "domcontentloaded" ? wait_until::domcontentloaded
                               : v == "networkidle"    ? wait_until::networkidle
                                                       : wait_until::load;
        }
        if (auto b = meta->find("block"); b != meta->end())
            s.filter = blocking(req.url(), *b);
        if (auto p = meta->find("screenshot"); p != meta->end())
        {
            if (!p->is_string() || p->get_ref<std::string const&>().empty())
                bad_option(req.url(), "screenshot", "expected the path of the PNG file to write, got " + p->dump());
            s.screenshot = p->get<std::string>();
        }
        if (auto b = meta->find("browser_requests"); b != meta->end() && b->is_boolean())
            allow_browser_requests = b->get<bool>();
        if (auto a = meta->find("abort_urls"); a != meta->end() && a->is_array())
            for (auto const& g : *a)
                if (g.is_string())
                    s.filter.abort_url(g.get<std::string>());
        if (auto a = meta->find("actions"); a != meta->end())
        {
            if (!a->is_array())
                detail::fail(error::unsupported, "chromium fetcher: " + req.url() + ": meta \"actions\" must be an array");
            s.actions = *a;
        }
    }
    // The favicon, prefetches and service workers: requests no page of the crawl asked for.
    s.filter.block_browser_requests(!allow_browser_requests);
    s.script = req.attachment<page_script>();
    return s;
}

std::string string_of(json const& step, char const* key, std::string const& where)
{
    auto it = step.find(key);
    if (it == step.end() || !it->is_string())
        detail::fail(error::unsupported, where + ": \"" + key + "\" must be a string");
    return it->get<std::string>();
}

// One step of meta "actions" (see render_fetcher.hpp).
task<void> run_action(page& p, json const& step, std::string where, milliseconds default_timeout)
{
    if (!step.is_object())
        detail::fail(error::unsupported, where + ": expected an object such as {\"click\": \"#more\"}");
    if (step.contains("click"))
        co_await p.async_click(string_of(step, "click", where));
    else if (step.contains("type"))
        co_await p.async_type(string_of(step, "type", where), string_of(step, "text", where));
    else if (step.contains("wait_for"))
    {
        wait_for_selector_options w{.timeout = default_timeout};
        if (auto st = step.find("state"); st != step.end() && st->is_string())
            w.state = state_from(st->get<std::string>());
        if (auto t = step.find("timeout_ms"); t != step.end() && t->is_number())
            w.timeout = milliseconds(t->get<long>());
        co_await p.async_wait_for_selector(string_of(step, "wait_for", where), w);
    }
    else if (step.contains("scroll"))
    {
        auto const target = string_of(step, "scroll", where);
        // named first: GCC 12 evaluates both arms of a ?: inside co_await (docs/ARCHITECTURE.md, trap 2)
        auto js = target == "bottom" ? std::string("window.scrollTo(0, document.documentElement.scrollHeight)")
                                     : "document.querySelector(" + json(target).dump() + ")?.scrollIntoView()";
        co_await p.async_evaluate(std::move(js));
    }
    else if (step.contains("evaluate"))
        co_await p.async_evaluate(string_of(step, "evaluate", where));
    else if (auto ms = step.find("sleep_ms"); ms != step.end() && ms->is_number())
        co_await sleep(milliseconds(ms->get<long>()));
    else
        detail::fail(error::unsupported, where + ": unknown step " + step.dump() +
                                             " (known: click, type, wait_for, scroll, evaluate, sleep_ms)");
}

task<http::response> render_on(std::shared_ptr<detail::page_impl> impl, render_spec spec)
{
    page p(std::move(impl)); // the lease's page; a second handle on it
    co_await p.async_set_request_filter(spec.filter);
    if (!spec.proxy_auth.username.empty())
        co_await p.async_authenticate(spec.proxy_auth);
    co_await p.async_set_extra_headers(spec.extra_headers);
    if (!spec.user_agent.empty())
        co_await p.async_set_user_agent(spec.user_agent);
    auto nav = spec.nav;
    nav.timeout = std::min(nav.timeout, left(spec));
    p.reset_request_counts();
    auto res = co_await p.async_goto(spec.url, nav);
    if (!spec.wait_for.empty())
    {
        auto wait = spec.wait;
        wait.timeout = std::min(wait.timeout, left(spec));
        co_await p.async_wait_for_selector(spec.wait_for, wait);
    }
    for (std::size_t i = 0; i < spec.actions.size(); ++i)
        co_await run_action(p, spec.actions[i], spec.url + ": meta actions[" + std::to_string(i) + "]",
                            std::min(spec.wait.timeout, left(spec)));
    if (spec.script && *spec.script)
        co_await (*spec.script)(p);
    if (!spec.screenshot.empty())
    {
        screenshot_options const whole{.full_page = true}; // named: no braced temporary in co_await (STYLE.md)
        auto png = co_await p.async_screenshot(whole);
        write_screenshot(spec.url, spec.screenshot, png);
    }
    res.body = co_await p.async_content();
    res.subresources = p.requests_by_type(); // what the page loaded (crawl stats)
    for (char const* h : {"Content-Length", "Content-Encoding", "Transfer-Encoding"})
        res.headers.remove(h);
    co_return res;
}

task<http::response> render(page_pool* pool, http::fetch_options const* opts, std::shared_ptr<void> keep_alive,
                            http::request req, milliseconds total)
{
    check_proxy(req, *opts);
    if (req.method() != "GET")
        detail::fail(error::unsupported,
                     "chromium fetcher: " + req.method() + " " + req.url() + ": only GET can be rendered");
    auto spec = make_spec(req, total);
    spec.deadline = detail::clock::now() + total;
    spec.proxy_auth = proxy_credentials(opts->proxy);
    auto job = [spec](page& p) { return render_on(p.impl(), spec); };
    // The steps time out at the deadline themselves, naming what they waited for; this outer
    // limit (a little later) catches what has no deadline of its own (acquiring a page).
    co_return co_await with_timeout(pool->async_run(std::move(job)), total + milliseconds(1'000), "render " + req.url());
}

error_code navigation_code(std::string_view detail)
{
    if (detail.find("ERR_CONNECTION_REFUSED") != std::string_view::npos)
        return asio::error::connection_refused;
    if (detail.find("ERR_NAME_NOT_RESOLVED") != std::string_view::npos)
        return asio::error::host_not_found;
    if (detail.find("ERR_CONNECTION_RESET") != std::string_view::npos)
        return asio::error::connection_reset;
    if (detail.find("ERR_TIMED_OUT") != std::string_view::npos)
        return make_error_code(weft::error::timed_out);
    return make_error_code(error::navigation_failed);
}

} // namespace

http::request on_page(http::request req, page_script script)
{
    req.meta()["render"] = true;
    req.attach(std::make_shared<page_script const>(std::move(script)));
    return req;
}

weft::request on_page(weft::request req, page_script script)
{
    req.http() = on_page(std::move(req.http()), std::move(script));
    return req;
}

struct render_fetcher::state
{
    state(executor e, http::fetch_options const& o, launch_options l, pool_options p)
        : ex(e), opts(o), pool(e, with_proxy(std::move(l), o), p)
    {
    }
    state(executor e, http::fetch_options const& o, std::string endpoint, connect_options c, pool_options p)
        : ex(e), opts(o),
          pool(e, std::move(endpoint), c, p,
               context_options{.proxy_server = chromium_proxy(o.proxy), .proxy_bypass_list = proxy_everything})
    {
    }
    static launch_options with_proxy(launch_options l, http::fetch_options const& o)
    {
        if (auto const proxy = chromium_proxy(o.proxy); !proxy.empty())
        {
            l.args.push_back("--proxy-server=" + proxy);
            l.args.push_back(std::string("--proxy-bypass-list=") + proxy_everything);
        }
        return l;
    }
    // Chromium sends loopback addresses around a proxy by default; libcurl does not.
    static constexpr char const* proxy_everything = "<-loopback>";
    executor ex;
    http::fetch_options opts;
    page_pool pool;
    std::set<std::shared_ptr<asio::cancellation_signal>> in_flight;
};

namespace
{

pool_options default_pool(http::fetch_options const& opts)
{
    pool_options p;
    p.max_pages = std::clamp<std::size_t>(opts.max_connections_per_host, 1, 4);
    if (char const* n = std::getenv("WEFT_CHROMIUM_PAGES"); n && std::atoi(n) > 0)
        p.max_pages = static_cast<std::size_t>(std::atoi(n));
    return p;
}

} // namespace

render_fetcher::render_fetcher(executor ex, http::fetch_options const& opts)
{
    if (char const* endpoint = std::getenv("WEFT_CHROMIUM_ENDPOINT"); endpoint && *endpoint)
        state_ = std::make_shared<state>(ex, opts, std::string(endpoint), connect_options{}, default_pool(opts));
    else
        state_ = std::make_shared<state>(ex, opts, launch_options{}, default_pool(opts));
}

render_fetcher::render_fetcher(executor ex, http::fetch_options const& opts, launch_options launch, pool_options pool)
    : state_(std::make_shared<state>(ex, opts, std::move(launch), pool))
{
}

render_fetcher::render_fetcher(executor ex, http::fetch_options const& opts, std::string endpoint,
                               connect_options connect, pool_options pool)
    : state_(std::make_shared<state>(ex, opts, std::move(endpoint), connect, pool))
{
}

render_fetcher::~render_fetcher()
{
    shutdown();
}

executor render_fetcher::get_executor() const
{
    return state_->ex;
}

http::fetch_options const& render_fetcher::options() const noexcept
{
    return state_->opts;
}

page_pool& render_fetcher::pool() noexcept
{
    return state_->pool;
}

void render_fetcher::shutdown()
{
    auto signals = state_->in_flight;
    for (auto const& s : signals)
        s->emit(asio::cancellation_type::terminal);
}

void render_fetcher::async_fetch_impl(http::request req, http::body_sink* sink,
                                      asio::any_completion_handler<signature> handler)
{
    auto st = state_;
    auto sig = std::make_shared<asio::cancellation_signal>();
    st->in_flight.insert(sig);
    if (auto slot = asio::get_associated_cancellation_slot(handler); slot.is_connected())
        slot.assign(
            [w = std::weak_ptr<asio::cancellation_signal>(sig)](asio::cancellation_type t)
            {
                if (auto s = w.lock())
                    s->emit(t);
            });
    auto const total = req.timeout()                         ? *req.timeout()
                       : st->opts.timeouts.total.count() > 0 ? st->opts.timeouts.total
                                                             : milliseconds(60'000);
    std::string url = req.url();
    auto done = [st, sig, sink, url, h = std::move(handler)](std::exception_ptr e, http::response res) mutable
    {
        st->in_flight.erase(sig);
        error_code ec;
        if (e)
        {
            try
            {
                std::rethrow_exception(e);
            }
            catch (system_error const& se)
            {
                ec = se.code();
                res.error_detail = se.what();
                if (ec == error::navigation_failed)
                    ec = navigation_code(res.error_detail);
            }
            catch (std::exception const& ex)
            {
                ec = make_error_code(error::protocol_error);
                res.error_detail = ex.what();
            }
            res.url = url;
        }
        else if (sink)
        {
            if (auto sec = sink->on_headers(res))
                ec = sec;
            else if (auto dec = sink->on_data(res.body))
                ec = dec;
            res.body.clear();
        }
        std::move(h)(ec, std::move(res));
    };
    asio::co_spawn(st->ex, render(&st->pool, &st->opts, st, std::move(req), total),
                   asio::bind_cancellation_slot(sig->slot(), std::move(done)));
}

WEFT_REGISTER_FETCHER("chromium", render_fetcher);

} // namespace weft::chromium
