// A plugin fixture: one spider, one fetcher and one sink, each named after TEST_PLUGIN_NAME
// (spider "N", fetcher "N-fetcher", sink ".N"); with TEST_PLUGIN_DUPLICATE also a fetcher "curl" and a
// sink ".jsonl". Built as several plugins by tests/plugins/CMakeLists.txt.
#include <weft/http/fetcher_registry.hpp>
#include <weft/sink/registry.hpp>
#include <weft/spider/spider.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#ifdef TEST_PLUGIN_UNRESOLVED
void weft_test_function_no_weft_has(); // never defined: loading must fail, not crash later
#endif

namespace
{

class test_spider final : public weft::spider
{
public:
    test_spider() : spider{TEST_PLUGIN_NAME, {"http://127.0.0.1:1/"}}
    {
#ifdef TEST_PLUGIN_UNRESOLVED
        weft_test_function_no_weft_has();
#endif
    }

    weft::generator<weft::output> parse(weft::response res) override
    {
        weft::item it;
        it.set("plugin", TEST_PLUGIN_NAME);
        it.set("url", res.url());
        co_yield it;
    }
};

// Fails every fetch: enough to see it registered and made by name.
class test_fetcher final : public weft::http::fetcher
{
public:
    test_fetcher(weft::executor ex, weft::http::fetch_options const& o) : ex_(std::move(ex)), options_(o) {}

    std::string_view name() const noexcept override { return TEST_PLUGIN_NAME "-fetcher"; }
    weft::executor get_executor() const override { return ex_; }
    weft::http::fetch_options const& options() const noexcept override { return options_; }
    void shutdown() override {}

protected:
    void async_fetch_impl(weft::http::request req, weft::http::body_sink* sink,
                          weft::asio::any_completion_handler<signature> handler) override
    {
        weft::asio::post(ex_, [h = std::move(handler)]() mutable
                         { std::move(h)(weft::asio::error::operation_not_supported, weft::http::response()); });
    }

private:
    weft::executor ex_;
    weft::http::fetch_options options_;
};

// Accepts and drops every item.
class test_sink final : public weft::sink
{
public:
    test_sink(weft::executor ex, std::string path, weft::sink_options const& o)
        : sink(std::move(ex), std::move(path), o)
    {
    }

    std::string_view format() const noexcept override { return TEST_PLUGIN_NAME; }

protected:
    void async_open_impl(weft::asio::any_completion_handler<signature> h) override { done(std::move(h)); }
    void async_write_impl(std::vector<weft::item>, weft::asio::any_completion_handler<signature> h) override
    {
        done(std::move(h));
    }
    void async_flush_impl(weft::asio::any_completion_handler<signature> h) override { done(std::move(h)); }
    void async_close_impl(weft::asio::any_completion_handler<signature> h) override { done(std::move(h)); }

private:
    void done(weft::asio::any_completion_handler<signature> h)
    {
        weft::asio::post(get_executor(), [h = std::move(h)]() mutable { std::move(h)(weft::error_code()); });
    }
};

} // namespace

WEFT_SPIDER(test_spider)
WEFT_REGISTER_FETCHER(TEST_PLUGIN_NAME "-fetcher", test_fetcher);
WEFT_REGISTER_SINK(test, "." TEST_PLUGIN_NAME, test_sink);

#ifdef TEST_PLUGIN_DUPLICATE
// Names weft has built in: weft keeps its own, and lists these as not used, naming both origins.
using duplicate_fetcher = test_fetcher;
WEFT_REGISTER_FETCHER("curl", duplicate_fetcher);
WEFT_REGISTER_SINK(duplicate, ".jsonl", test_sink);
#endif
