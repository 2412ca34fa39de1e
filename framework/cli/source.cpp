#include "source.hpp"

#include <weft/http/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace weft::cli {
namespace {

task<http::response> fetch(std::string url)
{
    http::client client;
    co_return co_await client.async_get(std::move(url));
}

} // namespace

bool is_url(std::string const& source)
{
    return source.starts_with("http://") || source.starts_with("https://");
}

loaded_source load_source(std::string const& source)
{
    loaded_source out;
    if (source == "-")
    {
        std::ostringstream ss;
        ss << std::cin.rdbuf();
        out.bytes = std::move(ss).str();
        return out;
    }
    if (is_url(source))
    {
        asio::io_context io;
        auto fut = asio::co_spawn(io, fetch(source), asio::use_future);
        io.run();
        try
        {
            auto res = fut.get();
            if (res.status >= 400)
                throw source_error(source + ": HTTP " + std::to_string(res.status) + " " + res.reason);
            out.bytes = std::move(res.body);
            out.charset = res.charset();
            out.url = res.final_url.empty() ? source : res.final_url;
        }
        catch (http::fetch_error const& e)
        {
            throw source_error(e.what());
        }
        return out;
    }
    std::error_code dir_ec;
    if (std::filesystem::is_directory(source, dir_ec))
        throw source_error(source + " is a directory; give a file");
    std::ifstream in(source, std::ios::binary);
    if (!in)
        throw source_error("cannot read " + source + ": " + std::strerror(errno));
    out.bytes.assign(std::istreambuf_iterator<char>(in), {});
    return out;
}

} // namespace weft::cli
