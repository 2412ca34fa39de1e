#include <weft/middleware/builtin.hpp>
#include <weft/middleware/middleware.hpp>

#include <weft/engine/fingerprint.hpp>
#include <weft/engine/robots.hpp>
#include <weft/spider/spider.hpp>
#include <weft/url/domain.hpp>
#include <weft/url/resolve.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <unordered_map>

namespace weft
{

task<decision> middleware_chain::on_request(weft::request& req, crawl_context& ctx) const
{
    for (auto const& m : list_)
    {
        auto d = co_await m->on_request(req, ctx);
        if (!d.proceeds())
            co_return d;
    }
    co_return decision::proceed();
}

task<decision> middleware_chain::on_response(weft::request& req, http::response& res, crawl_context& ctx) const
{
    for (auto it = list_.rbegin(); it != list_.rend(); ++it)
    {
        auto d = co_await (*it)->on_response(req, res, ctx);
        if (!d.proceeds())
            co_return d;
    }
    co_return decision::proceed();
}

task<decision> middleware_chain::on_error(weft::request& req, error_code ec, crawl_context& ctx) const
{
    for (auto it = list_.rbegin(); it != list_.rend(); ++it)
    {
        auto d = co_await (*it)->on_error(req, ec, ctx);
        if (!d.proceeds())
            co_return d;
    }
    co_return decision::proceed();
}

} // namespace weft

namespace weft::middleware
{

using clock = std::chrono::steady_clock;

namespace
{

// "scheme://host[:port]" of an absolute URL, or "".
std::string origin_of(std::string_view url)
{
    auto p = url.find("://");
    if (p == std::string_view::npos)
        return {};
    auto end = url.find_first_of("/?#", p + 3);
    return std::string(url.substr(0, end));
}

std::string host_only(std::string_view url)
{
    auto h = url::host_of(url);
    return h ? *h : std::string();
}

// --- robots ---
class robots_middleware final : public downloader_middleware
{
public:
    std::string_view name() const noexcept override { return "robots"; }
    int priority() const noexcept override { return 100; }

    task<decision> on_request(weft::request& req, crawl_context& ctx) override
    {
        if (!ctx.settings().obey_robots)
            co_return decision::proceed();
        auto origin = origin_of(req.url());
        auto path = engine::robots::path_of(req.url());
        if (origin.empty() || path == "/robots.txt")
            co_return decision::proceed();
        auto& e = cache_[origin]; // node-based: the reference survives rehashing
        while (!e.policy || clock::now() >= e.expires)
        {
            if (e.waiter)
            {
                auto w = e.waiter; // another request is fetching: wait for it
                co_await w->async_wait(asio::as_tuple(asio::deferred));
                auto cs = co_await asio::this_coro::cancellation_state;
                if (cs.cancelled() != asio::cancellation_type::none)
                    co_return decision::fail(asio::error::operation_aborted, "stopped");
                continue;
            }
            e.waiter =
                std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, clock::time_point::max());
            auto [aborted, policy] = co_await fetch_robots(origin, ctx);
            auto w = std::move(e.waiter);
            w->cancel();
            if (aborted)
                co_return decision::fail(asio::error::operation_aborted, "stopped");
            e.expires = clock::now() + policy.max_age;
            e.policy = std::move(policy);
        }
        auto const& agent = ctx.settings().user_agent;
        if (!e.policy->rules.allowed(agent, req.url()))
            co_return decision::fail(weft::error::robots_disallowed, "robots.txt disallows " + req.url());
        if (auto d = e.policy->rules.crawl_delay(agent))
            ctx.set_host_delay(host_only(req.url()), *d);
        co_return decision::proceed();
    }

private:
    struct entry
    {
        std::optional<engine::robots_policy> policy;
        clock::time_point expires{};
        std::shared_ptr<asio::steady_timer> waiter;
    };

    static task<std::pair<bool, engine::robots_policy>> fetch_robots(std::string origin, crawl_context& ctx)
    {
        auto url = origin + "/robots.txt";
        int status = 0;
        std::string body;
        for (int hop = 0; hop <= engine::robots::max_redirects; ++hop)
        {
            ctx.count("robots_fetches");
            http::request req{url}; // named first: GCC 12 miscompiles owning temporaries in co_await (STYLE.md trap 2)
            auto [ec, res] = co_await ctx.async_fetch_direct(std::move(req));
            if (ec == asio::error::operation_aborted)
                co_return std::pair{true, engine::robots_policy{}};
            if (ec)
            {
                status = 0;
                break;
            }
            status = res.status;
            body = std::move(res.body);
            auto loc = res.headers.get("Location");
            if (status >= 300 && status < 400 && loc)
            {
                auto next = url::resolve(url, *loc);
                if (!next)
                    break;
                url = std::move(*next);
                continue;
            }
            break;
        }
        co_return std::pair{false, engine::robots_from_fetch(status, body)};
    }

    std::unordered_map<std::string, entry> cache_;
};

// --- user agent ---
class user_agent_middleware final : public downloader_middleware
{
public:
    std::string_view name() const noexcept override { return "user_agent"; }
    int priority() const noexcept override { return 500; }
    task<decision> on_request(weft::request& req, crawl_context& ctx) override
    {
        if (!req.headers().contains("User-Agent") && !ctx.settings().user_agent.empty())
            req.header("User-Agent", ctx.settings().user_agent);
        co_return decision::proceed();
    }
};

// --- retry ---
class retry_middleware final : public downloader_middleware
{
public:
    std::string_view name() const noexcept override { return "retry"; }
    int priority() const noexcept override { return 550; }

    task<decision> on_error(weft::request& req, error_code ec, crawl_context& ctx) override
    {
        auto const& s = ctx.settings();
        if (!is_retryable(ec) || req.attempts() > s.retries)
            co_return decision::proceed();
        co_return decision::retry(
            backoff_delay(req.attempts(), s.retry_base_delay, s.retry_max_delay, std::nullopt, rng_), ec.message());
    }

    task<decision> on_response(weft::request& req, http::response& res, crawl_context& ctx) override
    {
        auto const& s = ctx.settings();
        if (std::find(s.retry_codes.begin(), s.retry_codes.end(), res.status) == s.retry_codes.end())
            co_return decision::proceed();
        std::optional<std::chrono::milliseconds> after;
        if (auto v = res.headers.get("Retry-After"))
            after = parse_retry_after(*v);
        if (after && (res.status == 429 || res.status == 503))
            ctx.back_off_host(host_only(req.url()), std::min(*after, s.retry_max_delay));
        if (req.attempts() > s.retries)
            co_return decision::proceed();
        co_return decision::retry(backoff_delay(req.attempts(), s.retry_base_delay, s.retry_max_delay, after, rng_),
                                  "HTTP " + std::to_string(res.status));
    }

private:
    std::minstd_rand rng_{std::random_device{}()};
};

// --- redirect ---
class redirect_middleware final : public downloader_middleware
{
public:
    std::string_view name() const noexcept override { return "redirect"; }
    int priority() const noexcept override { return 600; }

    task<decision> on_response(weft::request& req, http::response& res, crawl_context& ctx) override
    {
        static constexpr int codes[] = {301, 302, 303, 307, 308};
        if (std::find(std::begin(codes), std::end(codes), res.status) == std::end(codes))
            co_return decision::proceed();
        auto loc = res.headers.get("Location");
        if (!loc)
            co_return decision::proceed();
        if (static_cast<int>(req.redirect_chain().size()) >= ctx.settings().max_redirects)
            co_return decision::fail(weft::error::too_many_redirects,
                                     req.method() + " " + req.original_url() + ": more than " +
                                         std::to_string(ctx.settings().max_redirects) + " redirects");
        auto target = url::resolve(req.url(), *loc);
        if (!target)
            co_return decision::fail(weft::error::bad_url,
                                     req.url() + ": redirect to a bad URL '" + std::string(*loc) + "'");
        weft::request next = req;
        next.redirect_chain().push_back(req.url());
        bool const cross = host_only(*target) != host_only(req.url());
        next.url(std::move(*target));
        if (res.status == 303 || ((res.status == 301 || res.status == 302) && req.method() == "POST"))
        {
            next.method("GET");
            next.body("");
            next.http().headers().remove("Content-Type");
            next.http().headers().remove("Content-Length");
        }
        next.http().headers().remove("Cookie");
        if (cross)
            next.http().headers().remove("Authorization");
        next.priority(req.priority() + 2);
        next.attempts(0);
        co_return decision::follow(std::move(next));
    }
};

// --- cookies ---
class cookies_middleware final : public downloader_middleware
{
public:
    std::string_view name() const noexcept override { return "cookies"; }
    int priority() const noexcept override { return 700; }

    task<decision> on_request(weft::request& req, crawl_context& ctx) override
    {
        auto host = host_only(req.url());
        auto path = engine::robots::path_of(req.url());
        bool const secure = req.url().starts_with("https:");
        std::string header;
        for (auto const& c : jar_)
        {
            bool const dom = c.host_only ? host == c.domain : (host == c.domain || host.ends_with("." + c.domain));
            if (!dom || !path.starts_with(c.path) || (c.secure && !secure))
                continue;
            if (!header.empty())
                header += "; ";
            header += c.name + "=" + c.value;
        }
        if (!header.empty() && !req.headers().contains("Cookie"))
            req.header("Cookie", header);
        co_return decision::proceed();
    }

    task<decision> on_response(weft::request& req, http::response& res, crawl_context& ctx) override
    {
        for (auto v : res.headers.get_all("Set-Cookie"))
            store(req.url(), v);
        co_return decision::proceed();
    }

private:
    struct cookie
    {
        std::string name, value, domain, path;
        bool host_only = true;
        bool secure = false;
    };

    static std::string trim(std::string_view s)
    {
        auto b = s.find_first_not_of(" \t");
        auto e = s.find_last_not_of(" \t");
        return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
    }

    void store(std::string const& url, std::string_view line)
    {
        cookie c;
        c.domain = host_only(url);
        auto p = engine::robots::path_of(url);
        auto q = p.find('?');
        p = p.substr(0, q);
        c.path = p.substr(0, std::max<std::size_t>(1, p.rfind('/')));
        bool expired = false;
        std::size_t start = 0;
        bool first = true;
        while (start <= line.size())
        {
            auto semi = line.find(';', start);
            auto part = line.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start);
            auto eq = part.find('=');
            auto k = trim(part.substr(0, eq));
            auto v = eq == std::string_view::npos ? std::string() : trim(part.substr(eq + 1));
            if (first)
            {
                c.name = k;
                c.value = v;
                first = false;
            }
            else
            {
                std::string lk = k;
                std::transform(lk.begin(), lk.end(), lk.begin(), [](unsigned char ch) { return std::tolower(ch); });
                if (lk == "domain" && !v.empty())
                {
                    if (v.front() == '.')
                        v.erase(0, 1);
                    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char ch) { return std::tolower(ch); });
                    c.domain = v;
                    c.host_only = false;
                }
                else if (lk == "path" && !v.empty() && v.front() == '/')
                    c.path = v;
                else if (lk == "secure")
                    c.secure = true;
                else if (lk == "max-age" && !v.empty() && (v.front() == '-' || v == "0"))
                    expired = true;
            }
            if (semi == std::string_view::npos)
                break;
            start = semi + 1;
        }
        if (c.name.empty())
            return;
        std::erase_if(jar_,
                      [&](cookie const& o) { return o.name == c.name && o.domain == c.domain && o.path == c.path; });
        if (!expired)
            jar_.push_back(std::move(c));
    }

    std::vector<cookie> jar_;
};

// --- HTTP cache (dev mode) ---
class http_cache_middleware final : public downloader_middleware
{
public:
    explicit http_cache_middleware(std::filesystem::path dir) : dir_(std::move(dir))
    {
        std::filesystem::create_directories(dir_);
    }
    std::string_view name() const noexcept override { return "http_cache"; }
    int priority() const noexcept override { return 900; }

    task<decision> on_request(weft::request& req, crawl_context& ctx) override
    {
        if (req.method() != "GET")
            co_return decision::proceed();
        auto key = engine::make_fingerprint(req.http()).to_hex();
        std::ifstream meta(dir_ / (key + ".json"));
        std::ifstream body(dir_ / (key + ".body"), std::ios::binary);
        if (!meta || !body)
            co_return decision::proceed();
        auto j = nlohmann::json::parse(meta, nullptr, false);
        if (j.is_discarded())
            co_return decision::proceed();
        http::response res;
        res.status = j.value("status", 200);
        res.url = req.url();
        res.final_url = j.value("final_url", req.url());
        for (auto const& h : j.value("headers", nlohmann::json::array()))
            res.headers.add(h.at(0).get<std::string>(), h.at(1).get<std::string>());
        res.headers.set("X-Weft-Cache", "HIT");
        std::ostringstream ss;
        ss << body.rdbuf();
        res.body = ss.str();
        co_return decision::respond(std::move(res));
    }

    task<decision> on_response(weft::request& req, http::response& res, crawl_context& ctx) override
    {
        if (req.method() != "GET" || res.status >= 500 || res.headers.contains("X-Weft-Cache"))
            co_return decision::proceed();
        auto key = engine::make_fingerprint(req.http()).to_hex();
        nlohmann::json j;
        j["status"] = res.status;
        j["final_url"] = res.final_url.empty() ? req.url() : res.final_url;
        auto& h = j["headers"] = nlohmann::json::array();
        for (auto const& [n, v] : res.headers)
            h.push_back({n, v});
        {
            std::ofstream b(dir_ / (key + ".body.tmp"), std::ios::binary);
            b.write(res.body.data(), static_cast<std::streamsize>(res.body.size()));
        }
        {
            std::ofstream m(dir_ / (key + ".json.tmp"));
            m << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        std::error_code ec;
        std::filesystem::rename(dir_ / (key + ".body.tmp"), dir_ / (key + ".body"), ec);
        std::filesystem::rename(dir_ / (key + ".json.tmp"), dir_ / (key + ".json"), ec);
        co_return decision::proceed();
    }

private:
    std::filesystem::path dir_;
};

} // namespace

std::unique_ptr<downloader_middleware> make_robots()
{
    return std::make_unique<robots_middleware>();
}
std::unique_ptr<downloader_middleware> make_user_agent()
{
    return std::make_unique<user_agent_middleware>();
}
std::unique_ptr<downloader_middleware> make_retry()
{
    return std::make_unique<retry_middleware>();
}
std::unique_ptr<downloader_middleware> make_redirect()
{
    return std::make_unique<redirect_middleware>();
}
std::unique_ptr<downloader_middleware> make_cookies()
{
    return std::make_unique<cookies_middleware>();
}
std::unique_ptr<downloader_middleware> make_http_cache(std::filesystem::path dir)
{
    return std::make_unique<http_cache_middleware>(std::move(dir));
}

void install_defaults(middleware_chain& chain, engine::settings const& s)
{
    auto add = [&](std::unique_ptr<downloader_middleware> m)
    {
        if (!chain.find(m->name()))
            chain.add(std::move(m));
    };
    if (s.obey_robots)
        add(make_robots());
    add(make_user_agent());
    add(make_retry());
    add(make_redirect());
    if (s.cookies)
        add(make_cookies());
    if (!s.http_cache_dir.empty())
        add(make_http_cache(s.http_cache_dir));
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view v,
                                                           std::chrono::system_clock::time_point now)
{
    auto b = v.find_first_not_of(" \t");
    if (b == std::string_view::npos)
        return std::nullopt;
    v.remove_prefix(b);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
        v.remove_suffix(1);
    if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
    {
        if (v.size() > 9)
            return std::chrono::hours(24 * 365);
        return std::chrono::seconds(std::stol(std::string(v)));
    }
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    std::tm tm{};
    std::istringstream ss{std::string(v)};
    ss >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S");
    if (ss.fail())
        return std::nullopt;
    auto t = std::chrono::system_clock::from_time_t(timegm(&tm));
    if (t <= now)
        return std::chrono::milliseconds(0);
    return std::chrono::duration_cast<std::chrono::milliseconds>(t - now);
}

std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base, std::chrono::milliseconds max,
                                        std::optional<std::chrono::milliseconds> retry_after, std::minstd_rand& rng)
{
    double d = static_cast<double>(base.count()) * std::pow(2.0, std::max(0, attempt - 1));
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    d *= jitter(rng);
    auto out = std::chrono::milliseconds(static_cast<long long>(std::min(d, static_cast<double>(max.count()))));
    if (retry_after)
        out = std::max(out, std::min(*retry_after, max));
    return out;
}

bool is_retryable(error_code ec)
{
    return ec == condition::timeout || ec == condition::network || ec == condition::dns ||
           ec == weft::error::connection_closed;
}

} // namespace weft::middleware
