// weft::test::redis_server: a real redis-server on 127.0.0.1, started by a test, for the Redis
// crawl state and its client. Faults on demand: stop, kill -9, restart on the same port and data.
#pragma once

#include "support/temp_dir.hpp"

#include <string>

namespace weft::test
{

struct redis_server_options
{
    bool append_only = false; ///< appendonly yes + appendfsync always: every write survives kill -9
    std::string password;     ///< requirepass; empty: none
    std::string maxmemory;    ///< e.g. "1mb", with maxmemory-policy noeviction; empty: no limit
};

/// A redis-server (Debian's redis-server package) on a port it picks, its data and log in a
/// temporary directory; RDB snapshots off. Stopped (and waited for) by the destructor.
/// @throws std::runtime_error when redis-server is missing ("run scripts/setup.sh") or does not
/// start: a test needing it fails, it never skips.
class redis_server
{
public:
    explicit redis_server(redis_server_options options = {});
    ~redis_server();
    redis_server(redis_server const&) = delete;
    redis_server& operator=(redis_server const&) = delete;

    unsigned short port() const { return port_; }
    /// "redis://[:PASSWORD@]127.0.0.1:PORT/DB".
    std::string url(int db = 0) const;
    /// "redis://127.0.0.1:PORT/DB" with no password, whatever the server requires.
    std::string url_without_password(int db = 0) const;

    /// SIGTERM and wait: Redis finishes writing its AOF.
    void stop();
    /// SIGKILL and wait: what a crash or an OOM kill does.
    void kill9();
    /// SIGSTOP: Redis accepts bytes but answers nothing until thaw() (or kill9()).
    void freeze();
    /// SIGCONT after freeze(): Redis answers what it received meanwhile.
    void thaw();
    /// Starts again on the same port and directory (after stop() or kill9(); stops it first if
    /// it runs) and waits until it answers, its AOF loaded.
    void restart();
    bool running() const { return pid_ > 0; }
    /// redis-server's log so far, for failure messages.
    std::string log() const;

private:
    void start();

    temp_dir dir_;
    redis_server_options options_;
    std::string exe_;
    unsigned short port_ = 0;
    int pid_ = -1;
};

} // namespace weft::test
