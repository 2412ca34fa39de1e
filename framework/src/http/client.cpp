#include <weft/http/client.hpp>
#include <weft/http/fetcher_registry.hpp>

#include <boost/asio/as_tuple.hpp>

#include <cstdio>

namespace weft::http {
namespace {

// Writes a streamed body to a temporary file; the caller renames it into place on success.
class file_sink final : public body_sink
{
public:
    explicit file_sink(std::filesystem::path const& path) : file_(std::fopen(path.c_str(), "wb")) {}
    ~file_sink() override { close(); }

    bool is_open() const { return file_ != nullptr; }

    error_code on_data(std::string_view chunk) override
    {
        if (std::fwrite(chunk.data(), 1, chunk.size(), file_) != chunk.size())
            return {errno, boost::system::generic_category()};
        return {};
    }

    error_code close()
    {
        error_code ec;
        if (file_ && std::fclose(file_) != 0)
            ec = {errno, boost::system::generic_category()};
        file_ = nullptr;
        return ec;
    }

private:
    std::FILE* file_;
};

} // namespace

error_code status_error(int status)
{
    if (status >= 400 && status < 500)
        return error::http_client_status;
    if (status >= 500 && status < 600)
        return error::http_server_status;
    return error::http_status;
}

client::client(fetch_options options, std::string fetcher_name)
    : options_(std::move(options)), fetcher_name_(std::move(fetcher_name))
{
}

client::client(std::unique_ptr<http::fetcher> fetcher) : fetcher_(std::move(fetcher))
{
    if (fetcher_)
        options_ = fetcher_->options();
}

client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;
client::~client() = default;

http::fetcher& client::get_fetcher(executor ex)
{
    if (!fetcher_)
        fetcher_ = make_fetcher(fetcher_name_.empty() ? default_fetcher_name() : fetcher_name_, std::move(ex), options_);
    return *fetcher_;
}

task<response> client::async_get(std::string url) { return async_fetch(request{std::move(url)}); }

task<response> client::async_fetch(request req)
{
    auto& f = get_fetcher(co_await asio::this_coro::executor);
    auto [ec, res] = co_await f.async_fetch(req, nullptr, asio::as_tuple(asio::use_awaitable));
    if (ec)
        throw fetch_error(ec, describe_failure(req, ec, res));
    co_return std::move(res);
}

task<response> client::async_download(request req, std::filesystem::path path)
{
    auto& f = get_fetcher(co_await asio::this_coro::executor);
    auto part = path;
    part += ".part";
    file_sink sink(part);
    if (!sink.is_open())
        throw fetch_error(error_code(errno, boost::system::generic_category()),
                          "cannot write " + part.string() + " for " + req.url());
    auto [ec, res] = co_await f.async_fetch(req, &sink, asio::as_tuple(asio::use_awaitable));
    auto close_ec = sink.close();
    std::error_code ignored;
    if (ec)
    {
        std::filesystem::remove(part, ignored);
        throw fetch_error(ec, describe_failure(req, ec, res));
    }
    if (close_ec)
    {
        std::filesystem::remove(part, ignored);
        throw fetch_error(close_ec, "cannot write " + part.string() + " for " + req.url());
    }
    if (!res.ok())
    {
        std::filesystem::remove(part, ignored);
        throw fetch_error(status_error(res.status),
                          req.method() + " " + req.url() + ": HTTP " + std::to_string(res.status) + " " + res.reason +
                              ", not saved to " + path.string());
    }
    std::filesystem::rename(part, path);
    co_return std::move(res);
}

} // namespace weft::http
