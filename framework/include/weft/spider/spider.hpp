// weft::spider: what a user writes; start requests, a parse callback, and hooks.
#pragma once

#include <weft/async/generator.hpp>
#include <weft/async/task.hpp>
#include <weft/plugin/registry.hpp>
#include <weft/spider/output.hpp>
#include <weft/spider/request.hpp>
#include <weft/spider/response.hpp>
#include <weft/spider/spider_tools.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace weft
{

namespace engine
{
struct settings;
}
class item_pipeline;
class downloader_middleware;
class spider_middleware;

/// What a spider may add to the crawl that runs it (spider::install); the engine implements it.
class crawl_extensions
{
public:
    virtual void add_pipeline(std::unique_ptr<item_pipeline> p) = 0;
    virtual void add_middleware(std::unique_ptr<downloader_middleware> m) = 0;
    virtual void add_spider_middleware(std::unique_ptr<spider_middleware> m) = 0;

protected:
    ~crawl_extensions() = default;
};

/// A spider: a name, start URLs (or start_requests()), and parse(), an async generator of items
/// and requests.
///
///     class quotes_spider final : public weft::spider
///     {
///     public:
///         quotes_spider() : spider{"quotes", {"http://127.0.0.1:8080/"}} {}
///         weft::generator<weft::output> parse(weft::response res) override;
///     };
///     WEFT_SPIDER(quotes_spider)
///
/// Lifetimes: the engine owns nothing of the spider; it must outlive the crawl. Callbacks run on
/// the engine's executor (get_executor()), one generator at a time per response, several
/// responses' generators interleaved.
class spider
{
public:
    explicit spider(std::string name, std::vector<std::string> start_urls = {});
    virtual ~spider();
    spider(spider const&) = delete;
    spider& operator=(spider const&) = delete;

    std::string const& name() const noexcept { return name_; }
    std::vector<std::string> const& start_urls() const noexcept { return start_urls_; }
    void add_start_url(std::string url) { start_urls_.push_back(std::move(url)); }

    /// The first requests. By default one GET per start URL, dont_filter unset.
    virtual generator<request> start_requests();
    /// The default callback.
    virtual generator<output> parse(response res) = 0;
    /// The default errback: yields nothing (the failure is counted and logged by the engine).
    virtual generator<output> on_error(failure f);

    /// Called before the first request / after the last outcome, on the engine's executor.
    virtual task<void> opened();
    virtual task<void> closed(std::string reason);
    /// Spider-specific settings (Scrapy's custom_settings); applied over the defaults, under the
    /// command line's.
    virtual void update_settings(engine::settings& s) {}
    /// Adds this spider's item pipelines and spider/downloader middlewares to the engine that runs
    /// it (Scrapy's ITEM_PIPELINES, SPIDER_MIDDLEWARES, DOWNLOADER_MIDDLEWARES), once, before the
    /// first request; `weft crawl NAME` runs a spider plugin's own this way.
    virtual void install(crawl_extensions& crawl) {}
    /// What the engine may prepare on its parse workers before calling back (settings::parse_workers):
    /// the DOM (css(), document()) and/or the link scan (links()).
    virtual bool needs_document() const { return true; }
    virtual bool needs_links() const { return false; }
    /// Hosts the crawl may visit; empty: the start requests' hosts (and their subdomains).
    virtual std::vector<std::string> allowed_hosts() const { return {}; }

    /// `-a key=value` arguments.
    std::string arg(std::string const& key, std::string fallback = {}) const;
    std::map<std::string, std::string> const& args() const noexcept { return args_; }
    void set_args(std::map<std::string, std::string> a) { args_ = std::move(a); }

    /// The crawl's settings (valid from opened() on).
    engine::settings const& settings() const;
    /// A setting given with `-s KEY=VALUE` that is not one of the engine's, or null.
    nlohmann::json setting(std::string const& key) const;

    /// The executor callbacks run on (the engine's); generators of this spider use it.
    executor get_executor() const { return executor_; }

    /// The spider's logger and counters (<weft/spider/spider_tools.hpp>): `log().info("...")`,
    /// `stats().inc("products")`, reported in the crawl's stats JSON under "custom".
    spider_log& log() noexcept { return log_; }
    spider_log const& log() const noexcept { return log_; }
    spider_stats& stats() noexcept { return stats_; }
    spider_stats const& stats() const noexcept { return stats_; }

    /// Names a callback for a job directory or a shared crawl, which store requests with their
    /// callbacks' names. Optional for member functions: one that is not registered is stored by
    /// its own symbol (callback_name()); register it to keep a job resumable across a rename.
    template <class Spider, class Arg>
    void register_callback(std::string cb_name, generator<output> (Spider::*pm)(Arg))
    {
        std::lock_guard lock(names_mutex_);
        names_[request::member_key(pm)] = cb_name;
        if constexpr (std::is_same_v<Arg, response>)
            callbacks_[cb_name] = [pm](spider& s, response r) { return (static_cast<Spider&>(s).*pm)(std::move(r)); };
        else
            errbacks_[cb_name] = [pm](spider& s, failure f) { return (static_cast<Spider&>(s).*pm)(std::move(f)); };
    }
    /// The name a request's callback is stored under (request::callback_key()): a registered name;
    /// for a member function nobody registered, "sym:" and its symbol from the dynamic symbol
    /// table (a later process with the same spider build calls it again); "" when it has neither
    /// (a hidden or local symbol, a member of a second base class). Thread-safe.
    std::string callback_name(std::string const& key) const;
    /// The names given with register_callback to callbacks (not errbacks), sorted.
    std::vector<std::string> registered_callbacks() const;
    /// The callback or errback stored under `name`, or empty. Thread-safe.
    callback_fn find_callback(std::string const& name) const;
    errback_fn find_errback(std::string const& name) const;

    /// For the engine: where callbacks run and the settings they see.
    void attach(executor ex, engine::settings const* s)
    {
        executor_ = std::move(ex);
        settings_ = s;
    }

protected:
    std::vector<std::string> start_urls_;

private:
    std::string name_;
    std::map<std::string, std::string> args_;
    mutable std::mutex names_mutex_; // the state's threads ask for names too
    mutable std::map<std::string, std::string> names_;
    mutable std::map<std::string, callback_fn> callbacks_;
    mutable std::map<std::string, errback_fn> errbacks_;
    spider_log log_;
    spider_stats stats_;
    executor executor_;
    engine::settings const* settings_ = nullptr;
};

/// Makes a spider; registered by name with WEFT_SPIDER or register_spider.
using spider_factory = std::function<std::unique_ptr<spider>()>;

/// Registers `factory` as `name`, with its origin (built in, or the plugin being loaded): it
/// replaces an earlier registration from the same origin; across origins the first one stays
/// and the later one is listed as not used (spider_entries(), <weft/plugin/registry.hpp>). A
/// plugin's registrations run only once weft has accepted it (<weft/plugin/loader.hpp>).
void register_spider(std::string name, spider_factory factory);
/// Registers a factory whose name is found by making one spider (the first time it is needed).
void register_spider_type(spider_factory factory);
/// The spider registered as `name`, or nullptr.
std::unique_ptr<spider> make_spider(std::string_view name);
/// Names of every registered spider, sorted.
std::vector<std::string> spider_names();

/// A registered spider and where it comes from: origin plugin::built_in ("built in") or the
/// plugin file; version weft's own or the plugin's; shadowed_by non-empty when another origin
/// registered the name first (this one is not used).
using spider_entry = plugin::registration;
/// Every registered spider, by name (shadowed ones after the one in use).
std::vector<spider_entry> spider_entries();

namespace detail
{
struct spider_registrar
{
    explicit spider_registrar(spider_factory f) { register_spider_type(std::move(f)); }
};
} // namespace detail

} // namespace weft

/// Registers spider class `type` (default-constructible) under its name(): at static
/// initialisation when linked into a program, once the plugin is accepted in a plugin module
/// (WEFT_PLUGIN_MODULE, <weft/plugin/module.hpp>).
#if defined(WEFT_PLUGIN_MODULE)
#include <weft/plugin/module.hpp>
#define WEFT_SPIDER(type)                                                                                              \
    WEFT_PLUGIN_DEFER_(spider_##type, "spider",                                                                        \
                       ::weft::register_spider_type([]() -> std::unique_ptr<::weft::spider>                           \
                                                    { return std::make_unique<type>(); }));
#else
#define WEFT_SPIDER(type)                                                                                              \
    static ::weft::detail::spider_registrar const weft_spider_registrar_##type{[]() -> std::unique_ptr<::weft::spider> \
                                                                               { return std::make_unique<type>(); }};
#endif
