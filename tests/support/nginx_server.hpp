// weft::test::nginx_server: Debian's nginx on 127.0.0.1, started by a test, for what the test
// server does not speak (HTTP/2) and for a production server's behaviour.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace weft::test
{

/// An nginx serving a directory over HTTPS (HTTP/2 and HTTP/1.1 by ALPN) with a fresh
/// self-signed certificate, on a port it picks; gzip on for text. Its access log records one
/// line per request: "<connection serial> <protocol> <uri>". Stopped (and waited for) by the
/// destructor.
/// @throws std::runtime_error when nginx is missing ("run scripts/setup.sh") or does not start:
/// a test needing it fails, it never skips.
class nginx_server
{
public:
    explicit nginx_server(std::filesystem::path root);
    ~nginx_server();
    nginx_server(nginx_server const&) = delete;
    nginx_server& operator=(nginx_server const&) = delete;

    /// "https://127.0.0.1:PORT" + path.
    std::string url(std::string_view path = "/") const;
    /// The certificate (its own CA) as a PEM file, for fetch_options::ca_file.
    std::filesystem::path ca_file() const;

    struct log_line
    {
        std::string connection; ///< nginx's connection serial: equal for requests on one connection
        std::string protocol;   ///< "HTTP/2.0", "HTTP/1.1"
        std::string uri;
    };
    /// The access log so far (nginx writes each line when its request ends).
    std::vector<log_line> access_log() const;

private:
    std::filesystem::path dir_; // config, certificate, logs, pid
    unsigned short port_ = 0;
    int pid_ = -1;
};

} // namespace weft::test
