// weft::text_file_sink: the base of sinks that write items as text into one file (JSON lines, a
// JSON array, XML, ...): a format says how an item reads, the base does the rest.
//
// What the base does: opens the file on the blocking pool (sink_file: O_CLOEXEC, "-" is
// stdout, gzip members if asked), buffers what append_item() writes until
// sink_options::buffer_bytes and then hands it to the OS, makes it durable on async_flush, and
// on async_close writes what finish() adds, syncs and closes. Failures come back as the
// operation's error_code with diagnostics() saying what, where and what to do (sink.hpp).
//
// A format (say XML, in a plugin):
//
//     struct xml_sink final : weft::text_file_sink {
//         xml_sink(weft::executor ex, std::string path, weft::sink_options const& o)
//             : text_file_sink(std::move(ex), std::move(path), o, {.resizable = false}) {}
//         std::string_view format() const noexcept override { return "xml"; }
//         weft::error_code start(weft::sink_file&, std::string& out) override { out += "<items>\n"; return {}; }
//         void append_item(weft::item const& it, std::string& out) override { ... }
//         void finish(std::string& out) override { out += "</items>\n"; }
//     };
//     WEFT_REGISTER_SINK(xml, ".xml", xml_sink);
//
// Thread safety: append_item() runs on the sink's caller's executor; start() and finish() on the
// blocking pool, never at the same time as another operation (one operation at a time, sink.hpp).
#pragma once

#include <weft/sink/file.hpp>
#include <weft/sink/sink.hpp>

#include <string>

namespace weft
{

/// How a text_file_sink writes its file.
struct text_file_format
{
    bool gzip = false;         ///< deflated, one gzip member per flush (sink_file_mode::gzip)
    bool cut_torn_line = true; ///< appending: cut what follows the file's last '\n' (a torn item)
    /// Cut back to its size after a flush, the file holds exactly the items flushed (sink::resizable):
    /// true for formats with no closing text, or whose start() cuts it off when appending.
    bool resizable = true;
};

class text_file_sink : public sink
{
public:
    bool resizable() const noexcept override { return format_.resizable && path() != "-"; }

protected:
    text_file_sink(executor ex, std::string path, sink_options const& options, text_file_format format = {});

    /// Appends one item, as the format writes it, to `out`.
    virtual void append_item(item const& it, std::string& out) = 0;
    /// After the file is open (truncated, or kept in append mode; `file.initial_size()` tells),
    /// before any item: appends what comes first (a header) to `out`, or, appending, finds where
    /// the existing output goes on (and cuts a closing text off `file`). An error fails async_open;
    /// call set_diagnostics() to say why.
    virtual error_code start(sink_file& file, std::string& out) { return {}; }
    /// Appends what ends the output (a closing bracket or tag) to `out`, at async_close.
    virtual void finish(std::string& out) {}

private:
    void async_open_impl(asio::any_completion_handler<signature> handler) final;
    void async_write_impl(std::vector<item> items, asio::any_completion_handler<signature> handler) final;
    void async_flush_impl(asio::any_completion_handler<signature> handler) final;
    void async_close_impl(asio::any_completion_handler<signature> handler) final;
    // On the blocking pool: writes the buffer (and syncs), keeping the first failure's words.
    error_code drain(bool sync);

    text_file_format format_;
    sink_file file_;
    std::string buffer_;
};

} // namespace weft
