#include <weft/sink/file.hpp>

#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace weft
{
namespace
{

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

sink_file::~sink_file()
{
    if (fd_ >= 0 && !is_stdout_)
        ::close(fd_);
}

error_code sink_file::open(std::string const& path, bool append, std::string& diagnostics)
{
    path_ = path;
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
    if (append && initial_size_ > 0)
    {
        // A crash may have left a torn last line: cut the file after its last '\n'.
        int rfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (rfd >= 0)
        {
            long long keep = 0;
            char buf[4096];
            for (long long end = initial_size_; end > 0 && keep == 0;)
            {
                auto n = static_cast<long long>(std::min<long long>(end, sizeof buf));
                auto got = ::pread(rfd, buf, static_cast<size_t>(n), end - n);
                if (got != n)
                    break;
                for (long long i = n - 1; i >= 0; --i)
                    if (buf[i] == '\n')
                    {
                        keep = end - n + i + 1;
                        break;
                    }
                end -= n;
            }
            ::close(rfd);
            if (keep != initial_size_ && ::ftruncate(fd_, keep) == 0)
                initial_size_ = keep;
        }
        ::lseek(fd_, 0, SEEK_END);
    }
    return {};
}

error_code sink_file::write(std::string_view data, std::string& diagnostics)
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

error_code sink_file::sync(std::string& diagnostics)
{
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

} // namespace weft
