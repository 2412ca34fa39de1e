#include "support/redis_server.hpp"

#include "support/process.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace weft::test
{

namespace
{

std::string find_redis_server()
{
    std::vector<std::string> dirs;
    if (char const* path = std::getenv("PATH"))
    {
        std::stringstream s(path);
        for (std::string d; std::getline(s, d, ':');)
            if (!d.empty())
                dirs.push_back(d);
    }
    dirs.push_back("/usr/bin");
    dirs.push_back("/usr/sbin");
    for (auto const& d : dirs)
        if (auto exe = d + "/redis-server"; ::access(exe.c_str(), X_OK) == 0)
            return exe;
    throw std::runtime_error("redis-server not found on PATH or in /usr/bin: run scripts/setup.sh (Debian package "
                             "redis-server)");
}

// True when Redis answers PING with PONG, or asks for a password (then it is up too); false
// while it is not listening or still loading its data.
bool answers(unsigned short port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    timeval tv{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool up = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 && ::send(fd, "PING\r\n", 6, MSG_NOSIGNAL) == 6)
    {
        char buf[64] = {};
        auto n = ::recv(fd, buf, sizeof buf - 1, 0);
        std::string r(buf, n > 0 ? n : 0);
        up = r.starts_with("+PONG") || r.starts_with("-NOAUTH");
    }
    ::close(fd);
    return up;
}

void wait_for(int pid)
{
    int status = 0;
    ::waitpid(pid, &status, 0);
}

} // namespace

redis_server::redis_server(redis_server_options options) : options_(std::move(options)), exe_(find_redis_server())
{
    start_on_free_port(
        [this](unsigned short port)
        {
            port_ = port;
            start();
        });
}

redis_server::~redis_server()
{
    if (pid_ > 0)
    {
        ::kill(pid_, SIGKILL); // the data is thrown away with the directory: no need to wait for a clean stop
        wait_for(pid_);
    }
}

std::string redis_server::url(int db) const
{
    std::string auth = options_.password.empty() ? "" : ":" + options_.password + "@";
    return "redis://" + auth + "127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
}

std::string redis_server::url_without_password(int db) const
{
    return "redis://127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
}

void redis_server::start()
{
    std::vector<std::string> argv{exe_,
                                  "--port",
                                  std::to_string(port_),
                                  "--bind",
                                  "127.0.0.1",
                                  "--dir",
                                  dir_.path(),
                                  "--logfile",
                                  (dir_ / "redis.log").string(),
                                  "--daemonize",
                                  "no",
                                  "--save",
                                  "",
                                  "--set-max-intset-entries",
                                  "4096"};
    if (options_.append_only)
        argv.insert(argv.end(), {"--appendonly", "yes", "--appendfsync", "always"});
    if (!options_.password.empty())
        argv.insert(argv.end(), {"--requirepass", options_.password});
    if (!options_.maxmemory.empty())
        argv.insert(argv.end(), {"--maxmemory", options_.maxmemory, "--maxmemory-policy", "noeviction"});
    pid_t const pid = spawn_process(std::move(argv), dir_ / "redis.stderr");
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline)
    {
        if (answers(port_))
        {
            pid_ = pid;
            return;
        }
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) // exited: port taken or bad option
            throw std::runtime_error("redis-server exited at start (port " + std::to_string(port_) + "): " + log());
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid, SIGKILL);
    wait_for(pid);
    throw std::runtime_error("redis-server did not answer PING within 20 s: " + log());
}

void redis_server::freeze()
{
    if (pid_ > 0)
        ::kill(pid_, SIGSTOP);
}

void redis_server::thaw()
{
    if (pid_ > 0)
        ::kill(pid_, SIGCONT);
}

void redis_server::stop()
{
    if (pid_ <= 0)
        return;
    ::kill(pid_, SIGTERM);
    ::kill(pid_, SIGCONT); // a frozen Redis handles SIGTERM once it runs again
    wait_for(pid_);
    pid_ = -1;
}

void redis_server::kill9()
{
    if (pid_ <= 0)
        return;
    ::kill(pid_, SIGKILL);
    wait_for(pid_);
    pid_ = -1;
}

void redis_server::restart()
{
    stop();
    // The port is ours only by convention while Redis is down: retry a few times if the bind
    // races with another test's free_local_port().
    for (int attempt = 0;; ++attempt)
    {
        try
        {
            start();
            return;
        }
        catch (std::runtime_error const&)
        {
            if (attempt == 4)
                throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
}

std::string redis_server::log() const
{
    std::ifstream in(dir_ / "redis.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace weft::test
