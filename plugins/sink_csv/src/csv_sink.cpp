// The CSV sink: RFC 4180 (comma separator, CRLF line ends, fields with a comma, quote, CR or LF
// quoted and their quotes doubled), UTF-8 without a BOM. Registered for .csv.
//
// Columns: the header is the first item's keys, in their order. A key first seen in a later
// item becomes a new column at the end: rows written from then on carry it, and at close the
// file is rewritten once (streamed to '<path>.tmp', fsynced, renamed over the original) with the
// widened header and the earlier rows padded with empty fields. Until close, or if the process
// dies before it, those rows simply have more fields than the header: nothing is lost.
//
// Values: strings as they are; numbers as JSON writes them; true/false; null as an empty field;
// arrays and objects as JSON text. In append mode the columns are read from the existing
// header line (no second header is written).
//
// Registered for .csv and, gzip-compressed (one gzip member per flush), .csv.gz.
#include <weft/sink/file.hpp>
#include <weft/sink/registry.hpp>

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>
#include <unordered_map>
#include <zlib.h>

namespace weft
{
namespace
{

void append_field(std::string& out, std::string_view value)
{
    if (value.find_first_of(",\"\r\n") == std::string_view::npos)
    {
        out += value;
        return;
    }
    out += '"';
    for (char c : value)
    {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

std::string field_text(item::json const& v)
{
    switch (v.type())
    {
    case item::json::value_t::string:
        return v.get_ref<std::string const&>();
    case item::json::value_t::null:
        return {};
    default:
        return v.dump(-1, ' ', false, item::json::error_handler_t::replace);
    }
}

// Splits the first CSV record of `text`; returns its fields, or false when the record is not
// complete within `text`.
bool first_record(std::string_view text, std::vector<std::string>& fields)
{
    fields.assign(1, {});
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        char c = text[i];
        if (quoted)
        {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
            {
                fields.back() += '"';
                ++i;
            }
            else if (c == '"')
                quoted = false;
            else
                fields.back() += c;
        }
        else if (c == '"')
            quoted = true;
        else if (c == ',')
            fields.emplace_back();
        else if (c == '\n')
        {
            if (!fields.back().empty() && fields.back().back() == '\r')
                fields.back().pop_back();
            return true;
        }
        else
            fields.back() += c;
    }
    return false;
}

// Reads a plain or gzip file (zlib reads a file that is not gzip as it is).
struct reader
{
    gzFile in = nullptr;
    explicit reader(std::string const& path) : in(gzopen(path.c_str(), "rb")) {}
    ~reader()
    {
        if (in)
            gzclose(in);
    }
    reader(reader const&) = delete;
    reader& operator=(reader const&) = delete;
    std::size_t read(char* buf, std::size_t n)
    {
        auto const got = gzread(in, buf, static_cast<unsigned>(n));
        return got < 0 ? 0 : static_cast<std::size_t>(got);
    }
};

class csv_sink : public sink
{
public:
    csv_sink(executor ex, std::string path, sink_options const& options, bool gzip = false)
        : sink(std::move(ex), std::move(path), options), gzip_(gzip)
    {
    }

    std::string_view format() const noexcept override { return gzip_ ? "csv.gz" : "csv"; }
    bool resizable() const noexcept override { return path() != "-"; }

private:
    void async_open_impl(asio::any_completion_handler<signature> handler) override
    {
        offload(
            [this]
            {
                std::string diag;
                bool append = options().mode == sink_options::open_mode::append;
                auto ec = file_.open(path(), sink_file_mode{.append = append, .gzip = gzip_}, diag);
                if (ec)
                {
                    set_diagnostics(std::move(diag));
                    return ec;
                }
                if (append && file_.initial_size() > 0 && path() != "-")
                    load_header();
                return error_code{};
            },
            std::move(handler));
    }

    void async_write_impl(std::vector<item> items, asio::any_completion_handler<signature> handler) override
    {
        if (!file_.is_open())
            return complete(std::move(handler), asio::error::not_connected);
        for (auto const& it : items)
            append_row(it);
        if (buffer_.size() < options().buffer_bytes)
            return complete(std::move(handler));
        offload([this] { return drain(); }, std::move(handler));
    }

    void async_flush_impl(asio::any_completion_handler<signature> handler) override
    {
        if (!file_.is_open())
            return complete(std::move(handler), asio::error::not_connected);
        offload([this] { return drain(true); }, std::move(handler));
    }

    void async_close_impl(asio::any_completion_handler<signature> handler) override
    {
        if (!file_.is_open())
            return complete(std::move(handler));
        offload(
            [this]
            {
                auto ec = drain(true);
                std::string diag;
                if (auto cec = file_.close(diag); cec && !ec)
                {
                    set_diagnostics(diag);
                    ec = cec;
                }
                if (!ec && header_grew_ && path() != "-")
                    ec = rewrite_header();
                return ec;
            },
            std::move(handler));
    }

    void append_row(item const& it)
    {
        for (auto const& [key, value] : it.value().items())
            if (!index_.contains(key))
            {
                index_.emplace(key, columns_.size());
                columns_.push_back(key);
                if (header_written_)
                    header_grew_ = true;
            }
        if (!header_written_)
        {
            buffer_ += header_line();
            header_written_ = true;
        }
        std::vector<item::json const*> row(columns_.size(), nullptr);
        for (auto const& [key, value] : it.value().items())
            row[index_.at(key)] = &value;
        for (std::size_t i = 0; i < row.size(); ++i)
        {
            if (i)
                buffer_ += ',';
            if (row[i])
                append_field(buffer_, field_text(*row[i]));
        }
        buffer_ += "\r\n";
    }

    std::string header_line() const
    {
        std::string line;
        for (std::size_t i = 0; i < columns_.size(); ++i)
        {
            if (i)
                line += ',';
            append_field(line, columns_[i]);
        }
        return line + "\r\n";
    }

    // Runs on the blocking pool (open, append mode).
    void load_header()
    {
        reader in(path());
        if (!in.in)
            return;
        std::string text;
        char buf[4096];
        std::vector<std::string> fields;
        while (auto n = in.read(buf, sizeof buf))
        {
            text.append(buf, n);
            if (first_record(text, fields))
            {
                for (auto& f : fields)
                {
                    index_.emplace(f, columns_.size());
                    columns_.push_back(std::move(f));
                }
                header_written_ = true;
                break;
            }
        }
    }

    error_code drain(bool sync = false)
    {
        std::string diag;
        auto ec = file_.drain(buffer_, sync, diag);
        if (ec)
            set_diagnostics(std::move(diag));
        return ec;
    }


    // Streams the file into '<path>.tmp' with the widened header, padding short records, then
    // renames it over the original. Runs on the blocking pool, after the file was closed.
    error_code rewrite_header()
    {
        auto fail = [this](std::string_view doing, std::string const& where)
        {
            error_code ec{errno, boost::system::system_category()};
            set_diagnostics(sink_file::describe(doing, where, ec));
            return ec;
        };
        std::string tmp = path() + ".tmp";
        reader in(path());
        if (!in.in)
            return fail("reopen", path());
        sink_file out;
        std::string diag;
        if (auto ec = out.open(tmp, sink_file_mode{.gzip = gzip_}, diag))
        {
            set_diagnostics(diag);
            return ec;
        }
        std::string chunk = header_line();
        bool in_header = true, quoted = false, pending_cr = false;
        std::size_t fields = 1;
        char buf[65536];
        error_code ec;
        while (auto n = in.read(buf, sizeof buf))
        {
            for (std::size_t i = 0; i < n; ++i)
            {
                char c = buf[i];
                if (pending_cr && c != '\n' && !in_header)
                    chunk += '\r';
                bool was_cr = pending_cr;
                pending_cr = false;
                if (quoted)
                {
                    if (c == '"')
                        quoted = false; // a doubled quote reopens at once
                }
                else if (c == '"')
                    quoted = true;
                else if (c == ',')
                    ++fields;
                else if (c == '\r')
                {
                    pending_cr = true;
                    continue;
                }
                else if (c == '\n')
                {
                    if (!in_header)
                    {
                        for (; fields < columns_.size(); ++fields)
                            chunk += ',';
                        chunk += was_cr ? "\r\n" : "\n";
                    }
                    in_header = false;
                    fields = 1;
                    continue;
                }
                if (!in_header)
                    chunk += c;
            }
            if (chunk.size() >= sizeof buf && (ec = out.write(chunk, diag)))
                break;
            if (chunk.size() >= sizeof buf)
                chunk.clear();
        }
        if (!ec && pending_cr && !in_header)
            chunk += '\r';
        if (!ec)
            ec = out.write(chunk, diag);
        if (!ec)
            ec = out.sync(diag);
        if (auto cec = out.close(diag); !ec)
            ec = cec;
        if (ec)
        {
            set_diagnostics(diag);
            ::unlink(tmp.c_str());
            return ec;
        }
        if (std::rename(tmp.c_str(), path().c_str()) != 0)
            return fail("replace", path());
        auto dir = std::filesystem::path(path()).parent_path();
        if (int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0)
        {
            ::fsync(dfd); // the rename itself must be durable
            ::close(dfd);
        }
        header_grew_ = false;
        return {};
    }

    bool gzip_;
    sink_file file_;
    std::string buffer_;
    std::vector<std::string> columns_;
    std::unordered_map<std::string, std::size_t> index_;
    bool header_written_ = false;
    bool header_grew_ = false;
};

} // namespace
} // namespace weft

namespace weft
{
namespace
{
struct csv_gz_sink final : csv_sink
{
    csv_gz_sink(executor ex, std::string path, sink_options const& options)
        : csv_sink(std::move(ex), std::move(path), options, true)
    {
    }
};
} // namespace
} // namespace weft

WEFT_REGISTER_SINK(csv, ".csv", weft::csv_sink);
WEFT_REGISTER_SINK(csv_gz, ".csv.gz", weft::csv_gz_sink);
