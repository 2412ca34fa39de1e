#include <weft/warc/writer.hpp>

#include <zlib.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace weft::warc
{

namespace
{

[[noreturn]] void throw_errno(int err, std::filesystem::path const& path, char const* doing)
{
    throw std::system_error(err, std::generic_category(), std::string(doing) + " WARC file " + path.string());
}

} // namespace

std::string gzip_member(std::string_view data)
{
    z_stream z{};
    // 15 + 16: a gzip header and trailer around the deflate stream (zlib's deflateInit2 manual).
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::bad_alloc();
    std::string out(deflateBound(&z, data.size()) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int const rc = deflate(&z, Z_FINISH); // deflateBound guarantees one call suffices
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END)
        throw std::runtime_error("gzip compression of a WARC record failed");
    return out;
}

writer::writer(std::filesystem::path path, mode m) : path_(std::move(path))
{
    int const flags = O_WRONLY | O_CREAT | O_CLOEXEC | (m == mode::append ? O_APPEND : O_TRUNC);
    fd_ = ::open(path_.c_str(), flags, 0644);
    if (fd_ < 0)
        throw_errno(errno, path_, "cannot write");
    struct stat st
    {
    };
    if (::fstat(fd_, &st) == 0)
        size_ = static_cast<std::uint64_t>(st.st_size);
}

writer::~writer()
{
    if (fd_ >= 0)
        ::close(fd_);
}

void writer::write(record const& r)
{
    auto const member = gzip_member(serialize(r));
    std::size_t done = 0;
    while (done < member.size())
    {
        auto const n = ::write(fd_, member.data() + done, member.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw_errno(errno, path_, "cannot write to");
        done += static_cast<std::size_t>(n);
    }
    size_ += member.size();
    ++records_;
}

} // namespace weft::warc
