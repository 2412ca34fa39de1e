// The JSON lines sink: one compact JSON object per line, UTF-8 (invalid sequences in strings
// replaced by U+FFFD), '\n' line ends. Registered for .jsonl, "-" (stdout) and, gzip-compressed
// (one gzip member per flush), .jsonl.gz. (.json is the JSON array sink, json_sink.cpp.)
//
// Buffering, durability and errors are text_file_sink's. In append mode a torn last line (or gzip
// member) left by a crash is cut off, so the file stays valid JSON lines.
#include <weft/sink/registry.hpp>
#include <weft/sink/text_file_sink.hpp>

namespace weft
{
namespace
{

class jsonl_sink : public text_file_sink
{
public:
    jsonl_sink(executor ex, std::string path, sink_options const& options, bool gzip = false)
        : text_file_sink(std::move(ex), std::move(path), options, {.gzip = gzip}), gzip_(gzip)
    {
    }

    std::string_view format() const noexcept override { return gzip_ ? "jsonl.gz" : "jsonl"; }

private:
    void append_item(item const& it, std::string& out) override
    {
        out += it.dump();
        out += '\n';
    }

    bool gzip_;
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
