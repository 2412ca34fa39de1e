// A disk that fills up, for tests of `weft crawl` under ENOSPC (README, "Reliability"): loaded
// with LD_PRELOAD into the process under test, it lets writes to files whose path starts with
// $WEFT_ENOSPC_PATH through until $WEFT_ENOSPC_BYTES bytes were written to them, then fails every
// further write to them with ENOSPC, as a full file system does (SQLite then reports
// SQLITE_FULL). Other files are untouched. It stands for the kernel, not for any part of weft.
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <dlfcn.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

namespace
{

std::atomic<long long> written{0};

// True when fd is a file under $WEFT_ENOSPC_PATH.
bool watched(int fd)
{
    const char* prefix = getenv("WEFT_ENOSPC_PATH");
    if (!prefix || !*prefix)
        return false;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return false;
    path[n] = '\0';
    return std::strncmp(path, prefix, std::strlen(prefix)) == 0;
}

// False when the disk is full (errno set).
bool take(int fd, size_t bytes)
{
    if (!watched(fd))
        return true;
    const char* limit = std::getenv("WEFT_ENOSPC_BYTES");
    long long const budget = limit ? std::atoll(limit) : 0;
    auto const n = static_cast<long long>(bytes);
    if (written.fetch_add(n) + n > budget)
    {
        errno = ENOSPC;
        return false;
    }
    return true;
}

template <class F>
F real(char const* name)
{
    return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

} // namespace

extern "C"
{

ssize_t write(int fd, const void* buf, size_t count)
{
    static auto const next = real<ssize_t (*)(int, const void*, size_t)>("write");
    if (!take(fd, count))
        return -1;
    return next(fd, buf, count);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset)
{
    static auto const next = real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
    if (!take(fd, count))
        return -1;
    return next(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset)
{
    static auto const next = real<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
    if (!take(fd, count))
        return -1;
    return next(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int n)
{
    static auto const next = real<ssize_t (*)(int, const struct iovec*, int)>("writev");
    size_t total = 0;
    for (int i = 0; i < n; ++i)
        total += iov[i].iov_len;
    if (!take(fd, total))
        return -1;
    return next(fd, iov, n);
}

} // extern "C"
