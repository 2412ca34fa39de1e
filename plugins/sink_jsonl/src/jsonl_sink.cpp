// The JSON lines sink: one compact JSON object per line, UTF-8 (invalid sequences in strings
// replaced by U+FFFD), '\n' line ends. Registered for .jsonl, "-" (stdout) and, gzip-compressed
// (one gzip member per flush), .jsonl.gz. (.json is the JSON array sink, json_sink.cpp.)
//
// Writes accumulate in a buffer; a full buffer is written (not synced) on the blocking pool;
// async_flush writes the rest and fdatasyncs. In append mode a torn last line (or gzip member)
// left by a crash is cut off, so the file stays valid JSON lines.
#include <weft/sink/file.hpp>
#include <weft/sink/registry.hpp>

namespace weft
{
namespace
{

class jsonl_sink : public sink
{
public:
    jsonl_sink(executor ex, std::string path, sink_options const& options, bool gzip = false)
        : sink(std::move(ex), std::move(path), options), gzip_(gzip)
    {
    }

    std::string_view format() const noexcept override { return gzip_ ? "jsonl.gz" : "jsonl"; }
    bool resizable() const noexcept override { return path() != "-"; }

private:
    void async_open_impl(asio::any_completion_handler<signature> handler) override
    {
        offload(
            [this]
            {
                std::string diag;
                sink_file_mode mode{.append = options().mode == sink_options::open_mode::append, .gzip = gzip_};
                auto ec = file_.open(path(), mode, diag);
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
            [this] { return drain(true); },
            std::move(handler));
    }

    void async_close_impl(asio::any_completion_handler<signature> handler) override
    {
        if (!file_.is_open())
            return complete(std::move(handler));
        offload(
            [this]
            {
                error_code ec = drain(true);
                std::string diag;
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
    error_code drain(bool sync = false)
    {
        std::string diag;
        auto ec = file_.drain(buffer_, sync, diag);
        if (ec)
            set_diagnostics(std::move(diag));
        return ec;
    }

    bool gzip_;
    sink_file file_;
    std::string buffer_;
};

struct jsonl_gz_sink final : jsonl_sink
{
    jsonl_gz_sink(executor ex, std::string path, sink_options const& options)
        : jsonl_sink(std::move(ex), std::move(path), options, true)
    {
    }
};

} // namespace
} // namespace weft

WEFT_REGISTER_SINK(jsonl, ".jsonl", weft::jsonl_sink);
WEFT_REGISTER_SINK(jsonl_gz, ".jsonl.gz", weft::jsonl_gz_sink);
WEFT_REGISTER_SINK(stdout, "-", weft::jsonl_sink);
