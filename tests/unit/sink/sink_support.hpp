// Helpers for the sink tests: run a sink's operations to completion and read files back.
#pragma once

#include <weft/sink/registry.hpp>

#include "support/run_sync.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <zlib.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace weft::test
{

enum class sink_step
{
    open,
    write,
    flush,
    close
};

/// Runs open, then write(items) for each batch, then flush, then close (as `steps` says) and
/// returns the first error.
inline task<error_code> drive_sink(sink& s, std::vector<std::vector<item>> batches, bool close = true)
{
    auto [ec] = co_await s.async_open(asio::as_tuple(asio::use_awaitable));
    if (ec)
        co_return ec;
    for (auto& batch : batches)
    {
        auto [wec] = co_await s.async_write(std::move(batch), asio::as_tuple(asio::use_awaitable));
        if (wec)
            co_return wec;
    }
    auto [fec] = co_await s.async_flush(asio::as_tuple(asio::use_awaitable));
    if (fec || !close)
        co_return fec;
    auto [cec] = co_await s.async_close(asio::as_tuple(asio::use_awaitable));
    co_return cec;
}

inline task<error_code> close_sink(sink& s)
{
    auto [ec] = co_await s.async_close(asio::as_tuple(asio::use_awaitable));
    co_return ec;
}

/// Makes the sink for `path` on `io` and drives it with `batches`.
inline error_code write_items(std::string const& path, std::vector<std::vector<item>> batches,
                              sink_options options = {})
{
    asio::io_context io;
    auto s = make_sink_for_path(path, io.get_executor(), options);
    auto fut = asio::co_spawn(io, drive_sink(*s, std::move(batches)), asio::use_future);
    io.run();
    return fut.get();
}

inline std::string read_file(std::string const& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The decompressed content of a gzip file (every member); "<not gzip>" when zlib cannot read it
/// to its end, so that a torn member fails the comparison that uses it.
inline std::string read_gzip(std::string const& path)
{
    std::string out;
    // gzread would pass a file that is not gzip through as it is: check the magic first.
    auto const raw = read_file(path);
    if (raw.size() < 2 || static_cast<unsigned char>(raw[0]) != 0x1f || static_cast<unsigned char>(raw[1]) != 0x8b)
        return "<not gzip>";
    z_stream zs{};
    inflateInit2(&zs, 15 + 16);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
    zs.avail_in = static_cast<uInt>(raw.size());
    char buf[65536];
    while (true)
    {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        int rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buf, sizeof buf - zs.avail_out);
        if (rc == Z_STREAM_END)
        {
            if (zs.avail_in == 0)
                break;
            inflateReset(&zs); // the next member
            continue;
        }
        if (rc != Z_OK)
        {
            out = "<not gzip>";
            break;
        }
    }
    inflateEnd(&zs);
    return out;
}

inline item make_item(item::json value)
{
    return item(std::move(value));
}

} // namespace weft::test
