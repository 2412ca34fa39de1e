#include <weft/sink/file.hpp>

#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace weft
{
namespace
{

// The offset after the last complete gzip member of `fd`'s first `size` bytes (0 when none is).
long long end_of_complete_members(int fd, long long size)
{
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return 0;
    long long keep = 0, offset = 0; // offset: file position of zs.next_in's buffer start
    unsigned char in[65536], out[65536];
    bool done = false;
    while (!done && offset < size)
    {
        auto const want = static_cast<std::size_t>(std::min<long long>(size - offset, sizeof in));
        auto const got = ::pread(fd, in, want, offset);
        if (got <= 0)
            break;
        zs.next_in = in;
        zs.avail_in = static_cast<uInt>(got);
        while (zs.avail_in > 0)
        {
            zs.next_out = out;
            zs.avail_out = sizeof out;
            int rc = inflate(&zs, Z_NO_FLUSH);
            if (rc == Z_STREAM_END)
            {
                keep = offset + (zs.next_in - in);
                inflateReset(&zs);
            }
            else if (rc != Z_OK && rc != Z_BUF_ERROR)
            {
                done = true; // not gzip from here on: keep what was whole
                break;
            }
            else if (rc == Z_BUF_ERROR && zs.avail_in == 0)
                break;
        }
        offset += got;
    }
    inflateEnd(&zs);
    return keep;
}

// The offset after the last '\n' of `fd`'s first `size` bytes (0 when there is none).
long long end_of_last_line(int fd, long long size)
{
    char buf[4096];
    for (long long end = size; end > 0;)
    {
        auto n = std::min<long long>(end, sizeof buf);
        if (::pread(fd, buf, static_cast<size_t>(n), end - n) != n)
            return size; // unreadable: cut nothing
        for (long long i = n - 1; i >= 0; --i)
            if (buf[i] == '\n')
                return end - n + i + 1;
        end -= n;
    }
    return 0;
}

error_code last_error()
{
    return {errno, boost::system::system_category()};
}

std::string parent_of(std::string const& path)
{
    auto parent = std::filesystem::path(path).parent_path().string();
    return parent.empty() ? "." : parent;
}

} // namespace

std::string sink_file::describe(std::string_view doing, std::string const& path, error_code ec)
{
    std::string advice;
    switch (ec.value())
    {
    case ENOENT:
    case ENOTDIR:
        advice = "create the directory '" + parent_of(path) + "' first, or choose another output path";
        break;
    case EACCES:
    case EPERM:
        advice = "check the permissions of '" + path + "' and its directory, or choose a writable location";
        break;
    case EROFS:
        advice = "the file system is read-only; choose another output path";
        break;
    case EISDIR:
        advice = "it is a directory; give a file name such as '" + path + "/items.jsonl'";
        break;
    case ENOSPC:
    case EDQUOT:
        advice = "the disk is full; free some space or write elsewhere";
        break;
    default:
        advice = "choose another output path";
    }
    return "cannot " + std::string(doing) + " '" + path + "': " + ec.message() + "; " + advice;
}

// One gzip member at a time: begun by the first write after a sync, ended by the sync.
struct sink_file::deflater
{
    z_stream zs{};
    bool in_member = false;
    ~deflater()
    {
        if (in_member)
            deflateEnd(&zs);
    }
};

sink_file::sink_file() = default;

sink_file::~sink_file()
{
    if (fd_ >= 0 && !is_stdout_)
        ::close(fd_);
}

error_code sink_file::open(std::string const& path, sink_file_mode mode, std::string& diagnostics)
{
    path_ = path;
    bool const append = mode.append;
    if (mode.gzip && path != "-")
        gzip_ = std::make_unique<deflater>();
    if (path == "-")
    {
        fd_ = STDOUT_FILENO;
        is_stdout_ = true;
        return {};
    }
    bool existed = ::access(path.c_str(), F_OK) == 0;
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? 0 : O_TRUNC);
    int fd;
    do
        fd = ::open(path.c_str(), flags, 0644);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
    {
        auto ec = last_error();
        diagnostics = describe("open output file", path, ec);
        return ec;
    }
    fd_ = fd;
    dir_synced_ = existed;
    struct stat st
    {
    };
    if (::fstat(fd_, &st) != 0)
    {
        auto ec = last_error();
        diagnostics = describe("read the size of", path, ec);
        return ec;
    }
    if (S_ISDIR(st.st_mode))
    {
        error_code ec{EISDIR, boost::system::system_category()};
        diagnostics = describe("open output file", path, ec);
        return ec;
    }
    initial_size_ = st.st_size;
    if (mode.append && initial_size_ > 0 && (mode.gzip || mode.cut_torn_line))
    {
        // A crash may have left a torn tail: a line without its '\n', or a gzip member without
        // its trailer.
        long long keep = initial_size_;
        bool not_gzip = false;
        if (int rfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC); rfd >= 0)
        {
            unsigned char magic[2] = {};
            not_gzip = mode.gzip && initial_size_ >= 2 &&
                       (::pread(rfd, magic, 2, 0) != 2 || magic[0] != 0x1f || magic[1] != 0x8b);
            if (!not_gzip)
                keep = mode.gzip ? end_of_complete_members(rfd, initial_size_) : end_of_last_line(rfd, initial_size_);
            ::close(rfd);
        }
        if (not_gzip) // someone else's file: never cut it to nothing
        {
            error_code ec{EINVAL, boost::system::system_category()};
            diagnostics = "cannot append to '" + path + "': it is not a gzip file; give -O " + path +
                          " to overwrite it, or another output file";
            return ec;
        }
        if (keep != initial_size_ && ::ftruncate(fd_, keep) == 0)
            initial_size_ = keep;
    }
    if (mode.append)
        ::lseek(fd_, 0, SEEK_END);
    return {};
}

error_code sink_file::write(std::string_view data, std::string& diagnostics)
{
    if (!gzip_)
        return write_raw(data, diagnostics);
    if (data.empty())
        return {}; // no member for nothing (a flush with an empty buffer)
    auto& zs = gzip_->zs;
    if (!gzip_->in_member)
    {
        if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        {
            error_code ec{ENOMEM, boost::system::system_category()};
            diagnostics = describe("compress the output to", path_, ec);
            return ec;
        }
        gzip_->in_member = true;
    }
    unsigned char out[65536];
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    do
    {
        zs.next_out = out;
        zs.avail_out = sizeof out;
        deflate(&zs, Z_NO_FLUSH);
        std::string_view produced(reinterpret_cast<char*>(out), sizeof out - zs.avail_out);
        if (auto ec = write_raw(produced, diagnostics))
            return ec;
    } while (zs.avail_in > 0 || zs.avail_out == 0);
    return {};
}

error_code sink_file::end_member(std::string& diagnostics)
{
    if (!gzip_ || !gzip_->in_member)
        return {};
    auto& zs = gzip_->zs;
    unsigned char out[65536];
    zs.next_in = nullptr;
    zs.avail_in = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END)
    {
        zs.next_out = out;
        zs.avail_out = sizeof out;
        rc = deflate(&zs, Z_FINISH);
        std::string_view produced(reinterpret_cast<char*>(out), sizeof out - zs.avail_out);
        if (auto ec = write_raw(produced, diagnostics))
            return ec;
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            break;
    }
    deflateEnd(&zs);
    gzip_->in_member = false;
    return {};
}

error_code sink_file::write_raw(std::string_view data, std::string& diagnostics)
{
    while (!data.empty())
    {
        auto n = ::write(fd_, data.data(), data.size());
        if (n < 0)
        {
            if (errno == EINTR)
                continue;
            auto ec = last_error();
            diagnostics = describe("write to", path_, ec);
            return ec;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

error_code sink_file::drain(std::string& buffer, bool sync_after, std::string& diagnostics)
{
    auto ec = write(buffer, diagnostics);
    buffer.clear();
    if (!ec && sync_after)
        ec = sync(diagnostics);
    return ec;
}

error_code sink_file::sync(std::string& diagnostics)
{
    if (auto ec = end_member(diagnostics))
        return ec;
    if (::fdatasync(fd_) != 0)
    {
        // Pipes, terminals and some special files cannot be synced: nothing more to do there.
        if (is_stdout_ && (errno == EINVAL || errno == EROFS || errno == ENOTSUP))
            return {};
        auto ec = last_error();
        diagnostics = describe("sync", path_, ec);
        return ec;
    }
    if (!dir_synced_)
    {
        int dfd = ::open(parent_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0)
        {
            ::fsync(dfd);
            ::close(dfd);
        }
        dir_synced_ = true;
    }
    return {};
}

error_code sink_file::close(std::string& diagnostics)
{
    if (fd_ < 0)
        return {};
    int fd = fd_;
    fd_ = -1;
    if (is_stdout_)
        return {};
    if (::close(fd) != 0 && errno != EINTR)
    {
        auto ec = last_error();
        diagnostics = describe("close", path_, ec);
        return ec;
    }
    return {};
}

error_code write_file_atomically(std::string const& path, std::string_view text, std::string& diagnostics)
{
    auto const tmp = path + ".tmp";
    sink_file file;
    if (auto ec = file.open(tmp, sink_file_mode{}, diagnostics))
        return ec;
    if (auto ec = file.write(text, diagnostics))
        return ec;
    if (auto ec = file.sync(diagnostics))
        return ec;
    if (auto ec = file.close(diagnostics))
        return ec;
    if (::rename(tmp.c_str(), path.c_str()) != 0)
    {
        auto ec = last_error();
        diagnostics = sink_file::describe("replace", path, ec);
        return ec;
    }
    if (int dfd = ::open(parent_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0)
    {
        ::fsync(dfd); // the new name is durable
        ::close(dfd);
    }
    return {};
}

} // namespace weft
