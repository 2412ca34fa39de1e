#include "support/postgres_server.hpp"

#include "support/process.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace weft::test
{

namespace
{

std::string find_bin()
{
    for (std::string dir : {"/usr/lib/postgresql/15/bin"})
        if (::access((dir + "/postgres").c_str(), X_OK) == 0 && ::access((dir + "/initdb").c_str(), X_OK) == 0)
            return dir;
    throw std::runtime_error("PostgreSQL 15 not found in /usr/lib/postgresql/15/bin: run scripts/setup.sh (Debian "
                             "package postgresql-15)");
}

} // namespace

std::vector<std::string> postgres_server::as_postgres(std::vector<std::string> argv) const
{
    if (::geteuid() != 0)
        return argv;
    argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
    return argv;
}

void postgres_server::run(std::vector<std::string> argv, char const* doing) const
{
    auto r = run_process(as_postgres(std::move(argv)), {}, std::chrono::seconds(120));
    if (r.exit_code != 0)
        throw std::runtime_error(std::string("PostgreSQL test server: cannot ") + doing + ": " + r.err + r.out + "\n" +
                                 log());
}

postgres_server::postgres_server() : bin_(find_bin())
{
    namespace fs = std::filesystem;
    if (::geteuid() == 0)
    {
        passwd const* pw = ::getpwnam("postgres");
        if (!pw)
            throw std::runtime_error("running as root, the PostgreSQL test server needs user 'postgres': run "
                                     "scripts/setup.sh (Debian package postgresql-15 creates it)");
        if (::chown(dir_.path().c_str(), pw->pw_uid, pw->pw_gid) != 0)
            throw std::runtime_error("cannot give " + dir_.path().string() + " to user postgres");
    }
    fs::permissions(dir_.path(), fs::perms::owner_all, fs::perm_options::replace);
    {
        std::ofstream pw(dir_ / "pwfile");
        pw << "postgres-pw\n";
    }
    if (::geteuid() == 0)
        if (passwd const* pw = ::getpwnam("postgres"))
            (void)::chown((dir_ / "pwfile").c_str(), pw->pw_uid, pw->pw_gid);
    run({bin_ + "/initdb", "-D", (dir_ / "data").string(), "-U", "postgres", "--pwfile", (dir_ / "pwfile").string(),
         "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"},
        "initdb");
    start_on_free_port(
        [this](unsigned short port)
        {
            port_ = port;
            start();
        });
    psql("CREATE ROLE weft LOGIN PASSWORD 'weft-pw'", "postgres");
    psql("CREATE DATABASE weft OWNER weft", "postgres"); // not in a transaction: a psql call of its own
}

postgres_server& postgres_server::shared()
{
    static postgres_server server;
    return server;
}

postgres_server::~postgres_server()
{
    try
    {
        stop();
    }
    catch (...)
    {
    }
}

std::string postgres_server::url(std::string const& query, std::string const& db) const
{
    return "postgresql://weft:weft-pw@127.0.0.1:" + std::to_string(port_) + "/" + db + query;
}

std::string postgres_server::psql(std::string const& sql, std::string const& db) const
{
    auto r =
        run_process(as_postgres({bin_ + "/psql", "-X", "-q", "-h", dir_.path().string(), "-p", std::to_string(port_),
                                 "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql}),
                    {}, std::chrono::seconds(120));
    if (r.exit_code != 0)
        throw std::runtime_error("psql failed on '" + sql + "': " + r.err);
    return r.out;
}

void postgres_server::start()
{
    // fsync stays on: the kill tests rely on committed rows surviving.
    auto const options = "-p " + std::to_string(port_) + " -k " + dir_.path().string() +
                         " -c listen_addresses=127.0.0.1 -c max_connections=50";
    run({bin_ + "/pg_ctl", "-D", (dir_ / "data").string(), "-l", (dir_ / "server.log").string(), "-o", options, "-w",
         "-t", "60", "start"},
        "start the server");
    running_ = true;
}

void postgres_server::stop()
{
    if (!running_)
        return;
    running_ = false;
    run({bin_ + "/pg_ctl", "-D", (dir_ / "data").string(), "-m", "immediate", "-w", "stop"}, "stop the server");
}

std::string postgres_server::log() const
{
    std::ifstream in(dir_ / "server.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace weft::test
