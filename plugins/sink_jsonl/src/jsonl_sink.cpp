// The JSON lines sink: one compact JSON object per line, UTF-8 (invalid sequences in strings
// replaced by U+FFFD), '\n' line ends. Registered for .jsonl, .json and "-" (stdout).
//
// Writes accumulate in a buffer; a full buffer is written (not synced) on the blocking pool;
// async_flush writes the rest and fdatasyncs. In append mode a torn last line left by a crash is
// cut off, so the file stays valid JSON lines.
#include <weft/sink/file.hpp>
#include <weft/sink/registry.hpp>

namespace weft
{
namespace
{

class jsonl_sink final : public sink
{
public:
    jsonl_sink(executor ex, std::string path, sink_options const& options)
        : sink(std::move(ex), std::move(path), options)
    {
    }

    std::string_view format() const noexcept override { return "jsonl"; }

private:
    void async_open_impl(asio::any_completion_handler<signature> handler) override
    {
        offload(
            [this]
            {
                std::string diag;
                auto ec = file_.open(path(), options().mode == sink_options::open_mode::append, diag);
                if (ec)
                    set_diagnostics(std::move(diag));
                return ec;
            },
            std::move(handler));
    }

    void async_write_impl(std::vector<item> items, asio::any_completion_handler<signature> handler) override
    {
        if (!file_.is_open())
            return complete(std::move(handler), asio::error::not_connected);
        for (auto const& it : items)
        {
            buffer_ += it.dump();
            buffer_ += '\n';
        }
        if (buffer_.size() < options().buffer_bytes)
            return complete(std::move(handler));
        offload([this] { return drain(); }, std::move(handler));
    }

    void async_flush_impl(asio::any_completion_handler<signature> handler) override
    {
        if (!file_.is_open())
            return complete(std::move(handler), asio::error::not_connected);
        offload(
            [this]
            {
                if (auto ec = drain())
                    return ec;
                std::string diag;
                auto ec = file_.sync(diag);
                if (ec)
                    set_diagnostics(std::move(diag));
                return ec;
            },
            std::move(handler));
    }

    void async_close_impl(asio::any_completion_handler<signature> handler) override
    {
        if (!file_.is_open())
            return complete(std::move(handler));
        offload(
            [this]
            {
                std::string diag;
                error_code ec = drain();
                if (!ec && (ec = file_.sync(diag)))
                    set_diagnostics(diag);
                if (auto cec = file_.close(diag); cec && !ec)
                {
                    set_diagnostics(diag);
                    ec = cec;
                }
                return ec;
            },
            std::move(handler));
    }

    // Runs on the blocking pool.
    error_code drain()
    {
        std::string diag;
        auto ec = file_.write(buffer_, diag);
        if (ec)
            set_diagnostics(std::move(diag));
        buffer_.clear();
        return ec;
    }

    sink_file file_;
    std::string buffer_;
};

} // namespace
} // namespace weft

WEFT_REGISTER_SINK(jsonl, ".jsonl", weft::jsonl_sink);
WEFT_REGISTER_SINK(json, ".json", weft::jsonl_sink);
WEFT_REGISTER_SINK(stdout, "-", weft::jsonl_sink);
