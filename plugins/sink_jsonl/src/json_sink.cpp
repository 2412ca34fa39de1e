// The JSON array sink (Scrapy's .json feed): one JSON array, an item per line. Registered for .json.
//
//     [
//     {"url":"https://a.example/"},
//     {"url":"https://b.example/"}
//     ]
//
// The file is written as "[", then "\n{item}" for the first item and ",\n{item}" for the next, and
// "\n]\n" on close: after every flush the file is the array without its closing bracket, so a
// crash leaves at worst a torn last item. Appending (-o, or a resumed crawl) goes on inside the
// array: the closing bracket and a torn last line are cut off first. A file that does not look
// like such an array (another program's JSON) is not appended to: that is an error saying so.
#include <weft/sink/registry.hpp>
#include <weft/sink/text_file_sink.hpp>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace weft
{
namespace
{

bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Reads bytes [from, to) of `fd`.
std::string read_range(int fd, long long from, long long to)
{
    std::string out(static_cast<std::size_t>(to - from), '\0');
    auto const got = ::pread(fd, out.data(), out.size(), from);
    out.resize(got < 0 ? 0 : static_cast<std::size_t>(got));
    return out;
}

// Where the array in `fd` (of `size` bytes) goes on: the offset after its last whole item (or
// after "[" when it has none), and whether it has items. Returns false when the file is not an
// array this sink writes.
bool find_append_point(int fd, long long size, long long& keep, bool& has_items)
{
    // Ours starts with "[" (after blanks); a blank file is an empty output.
    char first = ' ';
    for (long long at = 0; at < size && blank(first); ++at)
        if (::pread(fd, &first, 1, at) != 1)
            return false;
    if (blank(first))
    {
        keep = 0;
        has_items = false;
        return true;
    }
    if (first != '[')
        return false;
    long long end = size;
    while (true)
    {
        // Skip trailing blanks, then find the start of the last line.
        char c = 0;
        while (end > 0 && ::pread(fd, &c, 1, end - 1) == 1 && blank(c))
            --end;
        if (end == 0)
        {
            keep = 0; // blank: an empty output
            has_items = false;
            return true;
        }
        long long start = end;
        char buf[4096];
        while (start > 0)
        {
            auto const n = std::min<long long>(start, sizeof buf);
            if (::pread(fd, buf, static_cast<std::size_t>(n), start - n) != n)
                return false;
            long long i = n - 1;
            while (i >= 0 && buf[i] != '\n')
                --i;
            if (i >= 0)
            {
                start = start - n + i + 1;
                break;
            }
            start -= n;
        }
        auto line = read_range(fd, start, end);
        if (line == "]")
        {
            end = start; // the closing bracket of a finished output
            continue;
        }
        if (line == "[")
        {
            keep = end;
            has_items = false;
            return true;
        }
        auto whole = line;
        if (!whole.empty() && whole.back() == ',')
            whole.pop_back();
        auto const j = item::json::parse(whole, nullptr, false);
        if (!j.is_discarded() && j.is_object() && start > 0)
        {
            keep = start + static_cast<long long>(whole.size());
            has_items = true;
            return true;
        }
        if (start == 0)
            return false; // the first line is neither "[" nor an item: not our array
        end = start;      // a torn last item: drop it
    }
}

class json_sink final : public text_file_sink
{
public:
    json_sink(executor ex, std::string path, sink_options const& options)
        : text_file_sink(std::move(ex), std::move(path), options, {.cut_torn_line = false})
    {
    }

    std::string_view format() const noexcept override { return "json"; }

private:
    void append_item(item const& it, std::string& out) override
    {
        out += has_items_ ? ",\n" : "\n";
        out += it.dump();
        has_items_ = true;
    }

    void finish(std::string& out) override { out += "\n]\n"; }

    // On the blocking pool: "[" for a new output; appending, the existing array goes on after its
    // last whole item (the closing bracket and a torn item cut off).
    error_code start(sink_file& file, std::string& out) override
    {
        long long keep = 0;
        if (options().mode == sink_options::open_mode::append && file.initial_size() > 0)
        {
            // The output's own descriptor is write-only: read through another.
            int rfd = ::open(path().c_str(), O_RDONLY | O_CLOEXEC);
            bool const ours = rfd >= 0 && find_append_point(rfd, file.initial_size(), keep, has_items_);
            if (rfd >= 0)
                ::close(rfd);
            if (!ours)
            {
                set_diagnostics("cannot append to '" + path() +
                                "': it is not a JSON array of items, one per line, as weft writes them; give -O " +
                                path() + " to overwrite it, or another output file");
                return {EINVAL, boost::system::system_category()};
            }
            if (keep != file.initial_size() && ::ftruncate(file.native_handle(), keep) != 0)
            {
                error_code ec{errno, boost::system::system_category()};
                set_diagnostics(sink_file::describe("cut the closing bracket off", path(), ec));
                return ec;
            }
            ::lseek(file.native_handle(), 0, SEEK_END);
        }
        if (keep == 0)
            out = "["; // a new (or blank) output
        return {};
    }

    bool has_items_ = false;
};

} // namespace
} // namespace weft

WEFT_REGISTER_SINK(json, ".json", weft::json_sink);
