#include "support/nginx_server.hpp"

#include "support/process.hpp"
#include "support/tls_cert.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/io_context.hpp>

#include <csignal>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

namespace weft::test
{

namespace
{

constexpr char const* nginx_exe = "/usr/sbin/nginx";

std::string read_all(std::filesystem::path const& p)
{
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

bool accepts(unsigned short port)
{
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket s(io);
    boost::system::error_code ec;
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    return !ec;
}

std::filesystem::path make_dir()
{
    std::random_device rd;
    auto dir = std::filesystem::temp_directory_path() / ("weft-nginx-" + std::to_string(rd()));
    std::filesystem::create_directories(dir / "tmp");
    return dir;
}

void write_config(std::filesystem::path const& dir, std::filesystem::path const& root, unsigned short port)
{
    auto at = [&](char const* name) { return (dir / name).string(); };
    std::ofstream(dir / "nginx.conf")
        << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
        << "pid " << at("nginx.pid") << ";\nerror_log " << at("error.log") << " warn;\n"
        << "events { worker_connections 256; }\n"
        << "http {\n"
        << "  include /etc/nginx/mime.types;\n"
        << "  log_format weft '$connection $server_protocol $request_uri';\n"
        << "  access_log " << at("access.log") << " weft;\n"
        << "  client_body_temp_path " << at("tmp") << "; proxy_temp_path " << at("tmp") << ";\n"
        << "  fastcgi_temp_path " << at("tmp") << "; uwsgi_temp_path " << at("tmp") << "; scgi_temp_path " << at("tmp")
        << ";\n"
        << "  gzip on; gzip_min_length 100; gzip_types text/plain text/css application/json;\n"
        << "  server {\n"
        << "    listen 127.0.0.1:" << port << " ssl http2;\n"
        << "    ssl_certificate " << at("cert.pem") << "; ssl_certificate_key " << at("key.pem") << ";\n"
        << "    root " << root.string() << ";\n"
        << "  }\n"
        << "}\n";
}

} // namespace

nginx_server::nginx_server(std::filesystem::path root) : dir_(make_dir())
{
    if (::access(nginx_exe, X_OK) != 0)
        throw std::runtime_error(std::string(nginx_exe) + " not found: run scripts/setup.sh (Debian package nginx-light)");
    auto cert = make_self_signed_cert();
    std::ofstream(dir_ / "cert.pem") << cert.cert_pem;
    std::ofstream(dir_ / "key.pem") << cert.key_pem;

    for (int attempt = 0; attempt < 5 && pid_ < 0; ++attempt)
    {
        port_ = free_local_port();
        write_config(dir_, root, port_);
        pid_t pid = ::fork();
        if (pid == 0)
        {
            ::execl(nginx_exe, nginx_exe, "-q", "-e", (dir_ / "error.log").c_str(), "-p", dir_.c_str(), "-c", (dir_ / "nginx.conf").c_str(), nullptr);
            ::_exit(127);
        }
        for (int i = 0; i < 100; ++i) // up to 5 s
        {
            if (accepts(port_))
            {
                pid_ = pid;
                break;
            }
            int status = 0;
            if (::waitpid(pid, &status, WNOHANG) == pid) // exited: port taken or bad config
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (pid_ < 0)
        {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
    if (pid_ < 0)
        throw std::runtime_error("nginx did not start: " + read_all(dir_ / "error.log"));
}

nginx_server::~nginx_server()
{
    if (pid_ > 0)
    {
        ::kill(pid_, SIGQUIT); // graceful: finishes the access log
        bool reaped = false;
        for (int i = 0; i < 100 && !reaped; ++i)
        {
            reaped = ::waitpid(pid_, nullptr, WNOHANG) == pid_;
            if (!reaped)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (!reaped)
        {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

std::string nginx_server::url(std::string_view path) const
{
    return "https://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::filesystem::path nginx_server::ca_file() const
{
    return dir_ / "cert.pem";
}

std::vector<nginx_server::log_line> nginx_server::access_log() const
{
    std::vector<log_line> out;
    std::ifstream in(dir_ / "access.log");
    for (log_line l; in >> l.connection >> l.protocol >> l.uri;)
        out.push_back(l);
    return out;
}

} // namespace weft::test
