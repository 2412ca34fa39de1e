#include <weft/sink/text_file_sink.hpp>

namespace weft
{

text_file_sink::text_file_sink(executor ex, std::string path, sink_options const& options, text_file_format format)
    : sink(std::move(ex), std::move(path), options), format_(format)
{
}

void text_file_sink::async_open_impl(asio::any_completion_handler<signature> handler)
{
    offload(
        [this]
        {
            std::string diag;
            sink_file_mode const mode{.append = options().mode == sink_options::open_mode::append,
                                      .gzip = format_.gzip,
                                      .cut_torn_line = format_.cut_torn_line};
            if (auto ec = file_.open(path(), mode, diag))
            {
                set_diagnostics(std::move(diag));
                return ec;
            }
            return start(file_, buffer_);
        },
        std::move(handler));
}

void text_file_sink::async_write_impl(std::vector<item> items, asio::any_completion_handler<signature> handler)
{
    if (!file_.is_open())
        return complete(std::move(handler), asio::error::not_connected);
    for (auto const& it : items)
        append_item(it, buffer_);
    if (buffer_.size() < options().buffer_bytes)
        return complete(std::move(handler));
    offload([this] { return drain(false); }, std::move(handler));
}

void text_file_sink::async_flush_impl(asio::any_completion_handler<signature> handler)
{
    if (!file_.is_open())
        return complete(std::move(handler), asio::error::not_connected);
    offload([this] { return drain(true); }, std::move(handler));
}

void text_file_sink::async_close_impl(asio::any_completion_handler<signature> handler)
{
    if (!file_.is_open())
        return complete(std::move(handler));
    offload(
        [this]
        {
            finish(buffer_);
            error_code ec = drain(true);
            std::string diag;
            if (auto cec = file_.close(diag); cec && !ec)
            {
                set_diagnostics(std::move(diag));
                ec = cec;
            }
            return ec;
        },
        std::move(handler));
}

error_code text_file_sink::drain(bool sync)
{
    std::string diag;
    auto ec = file_.drain(buffer_, sync, diag);
    if (ec)
        set_diagnostics(std::move(diag));
    return ec;
}

} // namespace weft
