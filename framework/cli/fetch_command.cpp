// weft fetch URL: one request through a chosen fetcher; the body streamed to stdout or a file.
#include "commands.hpp"

#include <weft/async/run.hpp>
#include <weft/http/fetcher_registry.hpp>

#include <boost/asio/as_tuple.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <memory>
#include <optional>

namespace weft::cli {
namespace {

struct fetch_args
{
    std::string url;
    bool include_headers = false;
    std::vector<std::string> headers;
    double timeout_s = 30;
    std::string fetcher;
    std::string output;
    std::string method = "GET";
    std::string data;
    bool insecure = false;
    bool fail = false;
    int max_redirects = 10;
};

// Streams the status line, headers (with -i) and body to a FILE as they arrive.
class print_sink final : public http::body_sink
{
public:
    print_sink(std::FILE* out, bool include_headers) : out_(out), include_headers_(include_headers) {}

    error_code on_headers(http::response const& head) override
    {
        if (!include_headers_)
            return {};
        std::fprintf(out_, "HTTP/%s %d %s\r\n", head.http_version.c_str(), head.status, head.reason.c_str());
        for (auto const& [name, value] : head.headers)
            std::fprintf(out_, "%s: %s\r\n", name.c_str(), value.c_str());
        std::fputs("\r\n", out_);
        return {};
    }

    error_code on_data(std::string_view chunk) override
    {
        if (std::fwrite(chunk.data(), 1, chunk.size(), out_) != chunk.size())
            return {errno, boost::system::generic_category()};
        return {};
    }

private:
    std::FILE* out_;
    bool include_headers_;
};

std::optional<std::pair<std::string, std::string>> split_header(std::string const& line)
{
    auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0)
        return std::nullopt;
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    return std::pair{line.substr(0, colon), value};
}

task<int> run_fetch(fetch_args args)
{
    http::fetch_options options;
    options.verify_tls = !args.insecure;
    options.limits.max_redirects = args.max_redirects;
    options.timeouts.total = std::chrono::milliseconds(static_cast<long long>(args.timeout_s * 1000));
    auto name = args.fetcher.empty() ? http::default_fetcher_name() : args.fetcher;
    auto fetcher = http::make_fetcher(name, co_await asio::this_coro::executor, options);

    http::request req{args.url, args.method};
    if (!args.data.empty())
        req.body(args.data);
    for (auto const& line : args.headers)
    {
        auto kv = split_header(line);
        if (!kv)
            throw std::invalid_argument("-H '" + line + "': expected 'Name: value'");
        req.header(kv->first, kv->second);
    }

    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
    std::FILE* out = stdout;
    if (!args.output.empty() && args.output != "-")
    {
        file.reset(std::fopen(args.output.c_str(), "wb"));
        if (!file)
            throw std::runtime_error("cannot write " + args.output + ": " + std::strerror(errno));
        out = file.get();
    }

    print_sink sink(out, args.include_headers);
    auto [ec, res] = co_await fetcher->async_fetch(req, &sink, asio::as_tuple(asio::use_awaitable));
    std::fflush(out);
    if (ec)
    {
        std::fprintf(stderr, "weft fetch: %s\n", http::describe_failure(req, ec, res).c_str());
        co_return exit_failure;
    }
    if (args.fail && res.status >= 400)
    {
        std::fprintf(stderr, "weft fetch: %s %s: HTTP %d %s\n", req.method().c_str(), res.final_url.c_str(),
                     res.status, res.reason.c_str());
        co_return exit_failure;
    }
    co_return exit_ok;
}

} // namespace

void add_fetch_command(CLI::App& app, int& result)
{
    auto args = std::make_shared<fetch_args>();
    auto* cmd = app.add_subcommand("fetch", "Fetch one URL and print its body");
    cmd->add_option("url", args->url, "http:// or https:// URL")->required();
    cmd->add_flag("-i,--include", args->include_headers, "Print the status line and headers before the body");
    cmd->add_option("-H,--header", args->headers, "Extra request header 'Name: value' (repeatable)");
    cmd->add_option("--timeout", args->timeout_s, "Total timeout in seconds")->check(CLI::PositiveNumber);
    cmd->add_option("--fetcher", args->fetcher, "Fetcher plugin: " + [] {
        std::string names;
        for (auto const& n : http::fetcher_names())
            names += (names.empty() ? "" : "|") + n;
        return names;
    }());
    cmd->add_option("-o,--output", args->output, "Write the body to FILE instead of stdout");
    cmd->add_option("-X,--method", args->method, "Request method");
    cmd->add_option("-d,--data", args->data, "Request body (use with -X POST)");
    cmd->add_flag("-k,--insecure", args->insecure, "Do not verify TLS certificates");
    cmd->add_flag("-f,--fail", args->fail, "Exit 1 on HTTP status 400 or above");
    cmd->add_option("--max-redirects", args->max_redirects, "Redirects to follow (0: none)")->check(CLI::NonNegativeNumber);
    cmd->callback([args, &result] {
        if (!args->fetcher.empty())
        {
            auto names = http::fetcher_names();
            if (std::find(names.begin(), names.end(), args->fetcher) == names.end())
                throw CLI::ValidationError("--fetcher", "unknown fetcher '" + args->fetcher + "'");
        }
        result = weft::run(run_fetch(*args));
    });
}

} // namespace weft::cli
