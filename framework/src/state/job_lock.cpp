#include "state/job_lock.hpp"

#include <weft/error.hpp>

#include "async/exit_hook.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace weft::state::detail
{

namespace
{

std::string read_all(int fd)
{
    std::string out;
    char buf[64];
    ::lseek(fd, 0, SEEK_SET);
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return out;
}

[[noreturn]] void fail(int err, std::string what)
{
    throw system_error(error_code(err, boost::system::generic_category()), std::move(what));
}

// Spill files of this process that a quick exit (a second Ctrl-C) unlinks: plain C strings in
// fixed slots, since the exit runs in a signal handler (unlink is async-signal-safe).
constexpr std::size_t spill_slots = 8;
constexpr std::size_t spill_path_max = 4096;
std::array<std::array<char, spill_path_max>, spill_slots> g_spills{};
std::array<volatile sig_atomic_t, spill_slots> g_spill_used{};
std::mutex g_spill_mutex;

void unlink_spills() noexcept
{
    for (std::size_t i = 0; i < spill_slots; ++i)
        if (g_spill_used[i])
        {
            ::unlink(g_spills[i].data());
            // SQLite's side files, named after the database.
            char side[spill_path_max + 16];
            for (char const* suffix : {"-journal", "-wal", "-shm"})
            {
                std::size_t n = std::strlen(g_spills[i].data());
                std::memcpy(side, g_spills[i].data(), n);
                std::memcpy(side + n, suffix, std::strlen(suffix) + 1);
                ::unlink(side);
            }
        }
}

} // namespace

job_lock::job_lock(std::filesystem::path const& dir)
{
    auto const path = dir / "lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
    {
        auto const err = errno;
        fail(err, fmt::format("cannot make the job directory's lock file '{}' (pass a writable --job-dir)",
                              path.string()));
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0)
    {
        auto const err = errno;
        auto const owner = read_all(fd_);
        ::close(fd_);
        fd_ = -1;
        if (err == EWOULDBLOCK)
            fail(EBUSY,
                 fmt::format("job directory '{}' is in use by another crawl (pid {}); wait for it to end or stop "
                             "it, or pass another --job-dir",
                             dir.string(), owner.empty() ? std::string("unknown") : owner));
        fail(err, fmt::format("cannot lock the job directory '{}'", dir.string()));
    }
    auto const pid = std::to_string(::getpid()) + "\n";
    // The pid is only for a second crawl's message: the lock holds without it.
    [[maybe_unused]] bool const wrote =
        ::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
}

job_lock::~job_lock()
{
    if (fd_ >= 0)
        ::close(fd_); // releases the flock; the file stays (removing it would race a new owner)
}

std::size_t remove_stale_spills(std::filesystem::path const& dir)
{
    std::size_t removed = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec))
    {
        auto const name = it->path().filename().string();
        constexpr std::string_view prefix = "weft-frontier-";
        if (!name.starts_with(prefix))
            continue;
        long pid = 0;
        if (std::sscanf(name.c_str() + prefix.size(), "%ld-", &pid) != 1 || pid <= 0)
            continue;
        if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)
            continue; // alive (or not ours to judge)
        std::error_code rm;
        if (std::filesystem::remove(it->path(), rm))
            ++removed;
    }
    return removed;
}

void track_spill(std::filesystem::path const& path, bool remove)
{
    std::lock_guard lock(g_spill_mutex);
    auto const& s = path.native();
    if (s.size() >= spill_path_max)
        return;
    for (std::size_t i = 0; i < spill_slots; ++i)
    {
        if (remove)
        {
            if (g_spill_used[i] && s == g_spills[i].data())
                g_spill_used[i] = 0;
            continue;
        }
        if (!g_spill_used[i])
        {
            std::memcpy(g_spills[i].data(), s.c_str(), s.size() + 1);
            g_spill_used[i] = 1;
            weft::detail::on_exit_now(&unlink_spills);
            return;
        }
    }
}

} // namespace weft::state::detail
