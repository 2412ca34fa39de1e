#include "transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/write.hpp>

namespace weft::chromium::detail
{
namespace
{

class pipe_transport final : public transport
{
public:
    pipe_transport(executor ex, int to_browser, int from_browser, std::string name)
        : out_(ex, to_browser), in_(ex, from_browser), name_(std::move(name))
    {
    }

    task<error_code> async_send(std::string message) override
    {
        message.push_back('\0');
        auto [ec, n] = co_await asio::async_write(out_, asio::buffer(message), asio::as_tuple(asio::deferred));
        co_return ec;
    }

    task<received> async_receive() override
    {
        std::size_t constexpr chunk = 64 * 1024;
        for (;;)
        {
            if (auto nul = buffer_.find('\0', scanned_); nul != std::string::npos)
            {
                received r;
                r.message = std::string_view(buffer_).substr(begin_, nul - begin_);
                begin_ = scanned_ = nul + 1;
                co_return r;
            }
            buffer_.erase(0, begin_);
            begin_ = 0;
            scanned_ = buffer_.size();
            buffer_.resize(scanned_ + chunk);
            auto [ec, n] = co_await in_.async_read_some(asio::buffer(buffer_.data() + scanned_, chunk),
                                                        asio::as_tuple(asio::deferred));
            buffer_.resize(scanned_ + n);
            if (ec)
            {
                received r;
                r.ec = ec;
                r.why = name_ + " closed (" + ec.message() + ")";
                co_return r;
            }
        }
    }

    task<void> async_shutdown(std::chrono::milliseconds) override
    {
        close(); // the browser sees EOF on its fd 3
        co_return;
    }

    void close() noexcept override
    {
        error_code ignored;
        out_.close(ignored);
        in_.close(ignored);
    }

private:
    asio::posix::stream_descriptor out_;
    asio::posix::stream_descriptor in_;
    std::string name_;
    std::string buffer_;
    std::size_t begin_ = 0;   // the first byte not yet returned
    std::size_t scanned_ = 0; // where the search for the next NUL resumes
};

} // namespace

std::unique_ptr<transport> make_pipe_transport(executor ex, int to_browser, int from_browser, std::string name)
{
    return std::make_unique<pipe_transport>(ex, to_browser, from_browser, std::move(name));
}

} // namespace weft::chromium::detail
