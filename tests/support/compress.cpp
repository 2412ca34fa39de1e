#include "support/compress.hpp"

#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include <stdexcept>

namespace weft::test
{
namespace
{

// windowBits 15 + 16 selects the gzip wrapper, 15 alone the zlib one.
class deflater
{
public:
    explicit deflater(int window_bits)
    {
        if (deflateInit2(&z_, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY) != Z_OK)
            throw std::runtime_error("deflateInit2 failed");
    }
    ~deflater() { deflateEnd(&z_); }
    deflater(deflater const&) = delete;
    deflater& operator=(deflater const&) = delete;

    void feed(std::string_view in, bool last)
    {
        z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        z_.avail_in = static_cast<uInt>(in.size());
        int rc = Z_OK;
        do
        {
            char buf[16384];
            z_.next_out = reinterpret_cast<Bytef*>(buf);
            z_.avail_out = sizeof buf;
            rc = deflate(&z_, last ? Z_FINISH : Z_NO_FLUSH);
            if (rc == Z_STREAM_ERROR)
                throw std::runtime_error("deflate failed");
            out_.append(buf, sizeof buf - z_.avail_out);
        } while (z_.avail_out == 0 || (last && rc != Z_STREAM_END));
    }
    std::string take() { return std::move(out_); }

private:
    z_stream z_{};
    std::string out_;
};

std::string zlib_compress(std::string_view data, int window_bits)
{
    deflater d(window_bits);
    d.feed(data, true);
    return d.take();
}

} // namespace

std::string gzip(std::string_view data)
{
    return zlib_compress(data, 15 + 16);
}

std::string deflate_zlib(std::string_view data)
{
    return zlib_compress(data, 15);
}

std::string brotli(std::string_view data)
{
    std::string out(BrotliEncoderMaxCompressedSize(data.size()) + 64, '\0');
    std::size_t n = out.size();
    if (!BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, data.size(),
                               reinterpret_cast<uint8_t const*>(data.data()), &n,
                               reinterpret_cast<uint8_t*>(out.data())))
        throw std::runtime_error("BrotliEncoderCompress failed");
    out.resize(n);
    return out;
}

std::string zstd(std::string_view data)
{
    std::string out(ZSTD_compressBound(data.size()), '\0');
    auto const n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
    if (ZSTD_isError(n))
        throw std::runtime_error(std::string("ZSTD_compress: ") + ZSTD_getErrorName(n));
    out.resize(n);
    return out;
}

std::string gzip_zeros(std::size_t n)
{
    deflater d(15 + 16);
    std::string const zeros(1u << 20, '\0');
    while (n > 0)
    {
        auto const k = std::min(n, zeros.size());
        n -= k;
        d.feed(std::string_view(zeros).substr(0, k), n == 0);
    }
    return d.take();
}

std::string inflate(std::string_view data)
{
    z_stream z{};
    if (inflateInit2(&z, 15 + 32) != Z_OK) // +32: detect gzip or zlib
        throw std::runtime_error("inflateInit2 failed");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    std::string out;
    int rc = Z_OK;
    while (rc == Z_OK)
    {
        char buf[16384];
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        rc = ::inflate(&z, Z_NO_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
        if (rc == Z_BUF_ERROR && z.avail_in == 0)
            break;
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END)
        throw std::runtime_error("inflate: data does not decode");
    return out;
}

} // namespace weft::test
