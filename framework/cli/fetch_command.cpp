// weft fetch URL: one request through a chosen fetcher; the body streamed to stdout or a file.
#include "commands.hpp"

#include <weft/async/run.hpp>
#include <weft/http/fetcher_registry.hpp>
#include <weft/http/wait_for_selector.hpp>

#include <nlohmann/json.hpp>

#include <boost/asio/as_tuple.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

namespace weft::cli {
namespace {

struct fetch_args
{
    std::string url;
    bool include_headers = false;
    std::vector<std::string> headers;
    double timeout_s = 30;
    std::string fetcher;
    std::string proxy;
    std::string output;
    std::string method = "GET";
    std::string data;
    bool insecure = false;
    bool fail = false;
    int max_redirects = 10;
    // Rendering (headless Chromium) and waiting
    bool render = false;
    std::string wait_for;
    std::string wait_until;
    std::string screenshot;
    std::vector<std::string> block;
};

// Where output goes: stdout for "" and "-", else a temporary file beside FILE, created when the
// first response arrives and renamed over FILE by commit() once the fetch succeeded. A fetch that
// fails (or is refused, or is interrupted) leaves no partial FILE, and an existing FILE as it was.
class output_file
{
public:
    explicit output_file(std::string path) : path_(std::move(path)) {}
    ~output_file()
    {
        if (file_)
            std::fclose(file_);
        if (!tmp_.empty())
            ::unlink(tmp_.c_str());
    }
    output_file(output_file const&) = delete;
    output_file& operator=(output_file const&) = delete;

    /// @throws std::runtime_error naming the file when it cannot be created.
    std::FILE* get()
    {
        if (path_.empty() || path_ == "-")
            return stdout;
        if (!file_)
        {
            auto const dir = std::filesystem::path(path_).parent_path();
            auto name = (dir.empty() ? std::string(".") : dir.string()) + "/." +
                        std::filesystem::path(path_).filename().string() + ".weft-XXXXXX";
            int fd = ::mkstemp(name.data());
            if (fd < 0)
                throw std::runtime_error("cannot write " + path_ +
                                         ": cannot create a temporary file in its "
                                         "directory: " +
                                         std::strerror(errno));
            ::fchmod(fd, 0644); // readable as a file fopen creates (mkstemp makes it 0600)
            tmp_ = name;
            file_ = ::fdopen(fd, "wb");
        }
        return file_;
    }

    void flush() { std::fflush(file_ ? file_ : stdout); }

    /// Puts the complete output in place: FILE is replaced by what was written.
    /// @throws std::runtime_error naming the file.
    void commit()
    {
        if (!file_)
        {
            if (!path_.empty() && path_ != "-")
                (void)get(); // an empty body: still a (new, empty) file
            else
                return;
        }
        bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
        ok = std::fclose(file_) == 0 && ok;
        file_ = nullptr;
        if (!ok || std::rename(tmp_.c_str(), path_.c_str()) != 0)
            throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
        tmp_.clear();
    }

private:
    std::string path_;
    std::string tmp_; // the temporary file while it is not renamed
    std::FILE* file_ = nullptr;
};

// Streams the status line, headers (with -i) and body to the output as they arrive.
class print_sink final : public http::body_sink
{
public:
    print_sink(output_file& out, bool include_headers) : out_(out), include_headers_(include_headers) {}

    error_code on_headers(http::response const& head) override
    {
        std::FILE* f = nullptr;
        try
        {
            f = out_.get();
        }
        catch (std::runtime_error const&)
        {
            open_failure_ = std::current_exception(); // rethrown once the fetch has ended
            return make_error_code(boost::system::errc::io_error);
        }
        if (!include_headers_)
            return {};
        std::fprintf(f, "HTTP/%s %d %s\r\n", head.http_version.c_str(), head.status, head.reason.c_str());
        for (auto const& [name, value] : head.headers)
            std::fprintf(f, "%s: %s\r\n", name.c_str(), value.c_str());
        std::fputs("\r\n", f);
        return {};
    }

    error_code on_data(std::string_view chunk) override
    {
        if (std::fwrite(chunk.data(), 1, chunk.size(), out_.get()) != chunk.size())
            return {errno, boost::system::generic_category()};
        return {};
    }

    /// Throws what opening the output threw, if it did.
    void rethrow_open_failure() const
    {
        if (open_failure_)
            std::rethrow_exception(open_failure_);
    }

private:
    output_file& out_;
    bool include_headers_;
    std::exception_ptr open_failure_;
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

std::chrono::milliseconds to_ms(double seconds)
{
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

// --wait-for without --render: re-fetch (with backoff) until the selector matches, then print
// that response as a plain fetch would.
task<int> poll_until_selector(http::fetcher& fetcher, http::request req, fetch_args const& args)
{
    req.timeout(std::min(to_ms(args.timeout_s), std::chrono::milliseconds(30'000)));
    auto match = co_await async_wait_for_selector(fetcher, std::move(req), args.wait_for, {.timeout = to_ms(args.timeout_s)});
    output_file out(args.output);
    print_sink sink(out, args.include_headers);
    auto ec = sink.on_headers(match.response);
    sink.rethrow_open_failure();
    if (!ec)
        ec = sink.on_data(match.response.body);
    if (ec || std::fflush(out.get()) != 0)
        throw std::runtime_error("cannot write " + (args.output.empty() ? std::string("stdout") : args.output) + ": " +
                                 (ec ? ec.message() : std::strerror(errno)));
    out.commit();
    co_return exit_ok;
}

// A request option the fetcher refused (weft::error::bad_request_option), said as the option
// it came from: 'chromium fetcher: URL: meta "block": unknown resource type ...' reads
// "--block: unknown resource type ...".
std::string describe_bad_option(std::string detail, error_code ec)
{
    // system_error's what() ends with ": " + the code's message (and Boost's " [weft:N]").
    if (auto const at = detail.rfind(": " + ec.message()); at != std::string::npos)
        detail.erase(at);
    for (auto const& [key, option] : {std::pair{"wait_for", "--wait-for"}, std::pair{"wait_until", "--wait-until"},
                                      std::pair{"block", "--block"}, std::pair{"screenshot", "--screenshot"}})
    {
        auto const marker = "meta \"" + std::string(key) + "\": ";
        if (auto at = detail.find(marker); at != std::string::npos)
            return option + (": " + detail.substr(at + marker.size()));
    }
    return detail;
}

task<int> run_fetch(fetch_args args)
{
    http::fetch_options options;
    options.verify_tls = !args.insecure;
    options.limits.max_redirects = args.max_redirects;
    options.timeouts.total = to_ms(args.timeout_s);
    options.proxy = args.proxy;
    auto name = args.render ? std::string("chromium") : args.fetcher.empty() ? http::default_fetcher_name() : args.fetcher;
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

    // Render options travel in the request's meta, read (and checked) by the chromium fetcher.
    if (args.render)
    {
        if (!args.wait_for.empty())
            req.meta()["wait_for"] = args.wait_for;
        if (!args.wait_until.empty())
            req.meta()["wait_until"] = args.wait_until;
        if (!args.block.empty())
            req.meta()["block"] = args.block;
        if (!args.screenshot.empty())
            req.meta()["screenshot"] = args.screenshot;
    }
    else if (!args.wait_for.empty())
        co_return co_await poll_until_selector(*fetcher, std::move(req), args);

    output_file out(args.output);
    print_sink sink(out, args.include_headers);
    auto [ec, res] = co_await fetcher->async_fetch(req, &sink, asio::as_tuple(asio::use_awaitable));
    out.flush();
    sink.rethrow_open_failure();
    if (ec == weft::error::bad_request_option)
    {
        std::fprintf(stderr, "weft fetch: %s\n", describe_bad_option(res.error_detail, ec).c_str());
        co_return exit_usage;
    }
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
    out.commit();
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
    cmd->add_option("-x,--proxy", args->proxy, "Through this proxy: http://[USER:PASSWORD@]HOST:PORT, https://, socks5://, socks5h://")
        ->check(proxy_url_validator());
    cmd->add_flag("-f,--fail", args->fail, "Exit 1 on HTTP status 400 or above");
    cmd->add_option("--max-redirects", args->max_redirects, "Redirects to follow (0: none)")->check(CLI::NonNegativeNumber);
    cmd->add_flag("--render", args->render, "Render the page in headless Chromium and print the rendered HTML");
    cmd->add_option("--wait-for", args->wait_for,
                    "CSS selector to wait for (with --render: in the page; without: re-fetch until it matches); "
                    "fails with exit code 1 after --timeout");
    cmd->add_option("--wait-until", args->wait_until, "With --render: load (default), domcontentloaded or networkidle")
        ->check(CLI::IsMember({"load", "domcontentloaded", "networkidle"}));
    cmd->add_option("--screenshot", args->screenshot, "With --render: save a full-page PNG to FILE");
    cmd->add_option("--block", args->block, "With --render: resource types not to load (images,fonts,media,stylesheets,...)")
        ->delimiter(',');
    cmd->callback([args, &result] {
        bool const needs_render = !args->screenshot.empty() || !args->block.empty() || !args->wait_until.empty();
        if (needs_render && !args->render)
            throw CLI::ValidationError("--screenshot/--block/--wait-until", "need --render");
        if (args->render && !args->fetcher.empty() && args->fetcher != "chromium")
            throw CLI::ValidationError("--render", "renders with the chromium fetcher; drop --fetcher " + args->fetcher);
        if (!args->output.empty())
            check_not_directory(args->output, "-o");
        if (args->render && args->method != "GET")
            throw CLI::ValidationError("--render", "only GET can be rendered");
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
