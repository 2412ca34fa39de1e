// weft::test::postgres_server: a real PostgreSQL 15 (Debian's postgresql-15) on 127.0.0.1, started
// by a test, for the PostgreSQL sink. Faults on demand: stop (immediate, as a crash) and restart.
#pragma once

#include "support/temp_dir.hpp"

#include <string>
#include <vector>

namespace weft::test
{

/// initdb into a temporary directory, then a server on a port it picks (TCP on 127.0.0.1, its
/// unix socket in the directory). TCP connections need a password (scram-sha-256); role
/// `weft` (password `weft-pw`) owns database `weft`. Run as root, the server runs as user
/// postgres (PostgreSQL refuses root). Stopped by the destructor.
/// @throws std::runtime_error when the binaries are missing ("run scripts/setup.sh") or the
/// server does not start: a test needing it fails, it never skips.
class postgres_server
{
public:
    postgres_server();
    ~postgres_server();
    postgres_server(postgres_server const&) = delete;
    postgres_server& operator=(postgres_server const&) = delete;

    /// One server for the whole test run (started on first use), for tests that neither stop it
    /// nor share a table: initdb takes seconds on a loaded machine.
    static postgres_server& shared();

    unsigned short port() const { return port_; }
    /// "postgresql://weft:weft-pw@127.0.0.1:PORT/DB" plus `query` ("?table=x") when given.
    std::string url(std::string const& query = "", std::string const& db = "weft") const;

    /// Runs `sql` with psql as the superuser over the unix socket; its output, unaligned
    /// (-At: one row a line, columns separated by '|'). @throws std::runtime_error with psql's
    /// message when it fails.
    std::string psql(std::string const& sql, std::string const& db = "weft") const;

    /// Stops at once (pg_ctl stop -m immediate: like a crash; committed data survives).
    void stop();
    /// Starts again on the same port and data.
    void start();
    bool running() const { return running_; }
    /// The server's log so far, for failure messages.
    std::string log() const;

private:
    std::vector<std::string> as_postgres(std::vector<std::string> argv) const;
    void run(std::vector<std::string> argv, char const* doing) const;

    temp_dir dir_;
    std::string bin_;
    unsigned short port_ = 0;
    bool running_ = false;
};

} // namespace weft::test
