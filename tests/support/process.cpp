#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

namespace weft::test {
namespace {

std::string slurp(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

pid_t spawn_process(std::vector<std::string> argv, std::filesystem::path const& err)
{
    std::vector<char*> args;
    for (auto& a : argv)
        args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0)
    {
        int null = ::open("/dev/null", O_RDWR);
        int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(e, 2);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

std::optional<int> poll_exit(pid_t pid, bool block)
{
    int status = 0;
    if (::waitpid(pid, &status, block ? 0 : WNOHANG) != pid)
        return std::nullopt;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

process_result run_process(std::vector<std::string> const& argv, std::string const& stdin_data, std::chrono::seconds limit)
{
    temp_dir dir;
    auto in_path = dir / "stdin", out_path = dir / "stdout", err_path = dir / "stderr";
    std::ofstream(in_path, std::ios::binary) << stdin_data;

    std::vector<char*> args;
    for (auto const& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0)
    {
        int in = ::open(in_path.c_str(), O_RDONLY);
        int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::execv(args[0], args.data());
        ::_exit(127);
    }

    auto const deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0)
    {
        if (std::chrono::steady_clock::now() > deadline)
        {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            throw std::runtime_error("run_process: " + argv[0] + " did not finish within the limit");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    process_result r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    return r;
}

std::string weft_cli_path()
{
    return std::string(WEFT_BINARY_DIR) + "/framework/cli/weft";
}

unsigned short free_local_port()
{
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

void start_on_free_port(std::function<void(unsigned short)> const& start)
{
    for (int attempt = 0;; ++attempt)
    {
        try
        {
            start(free_local_port());
            return;
        }
        catch (std::runtime_error const&)
        {
            if (attempt == 4)
                throw;
        }
    }
}

std::vector<nlohmann::json> json_lines(std::string const& out)
{
    std::vector<nlohmann::json> items;
    std::size_t pos = 0;
    while (pos < out.size())
    {
        auto eol = out.find('\n', pos);
        auto line = out.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
        if (!line.empty())
            items.push_back(nlohmann::json::parse(line));
        pos = eol == std::string::npos ? out.size() : eol + 1;
    }
    return items;
}

} // namespace weft::test
