#include "inflater.hpp"

#include <weft/text/ascii.hpp>

#include <zlib.h>

#include <algorithm>
#include <cctype>

namespace weft::http::detail
{

struct inflater::zstream
{
    z_stream s{};
    bool live = false;
    ~zstream()
    {
        if (live)
            inflateEnd(&s);
    }
};

std::optional<inflater::format> inflater::from_content_encoding(std::string_view value)
{
    auto const v = text::lower_copy(text::trim(value, text::is_http_space));
    if (v == "gzip" || v == "x-gzip")
        return format::gzip;
    if (v == "deflate")
        return format::deflate;
    return std::nullopt;
}

inflater::inflater(format f, std::size_t max_output)
    : z_(std::make_unique<zstream>()), format_(f), max_output_(max_output)
{
}

inflater::~inflater() = default;

bool inflater::starts_gzip_member(std::string_view in) const
{
    return format_ == format::gzip && !in.empty() && static_cast<unsigned char>(in.front()) == 0x1f;
}

error_code inflater::start(bool raw)
{
    // 15 + 16: gzip only; -15: raw deflate; 15: zlib.
    int const bits = format_ == format::gzip ? 15 + 16 : raw ? -15 : 15;
    if (inflateInit2(&z_->s, bits) != Z_OK)
        return make_error_code(error::bad_content_encoding);
    z_->live = true;
    started_ = true;
    return {};
}

error_code inflater::feed(std::string_view in, output const& out)
{
    if (in.empty())
        return {};
    saw_input_ = true;
    if (ended_)
    {
        if (!starts_gzip_member(in))
            return {}; // bytes after the end of the compressed data are ignored, as curl does
        inflateReset(&z_->s);
        ended_ = false;
    }
    if (!started_)
    {
        if (format_ == format::gzip)
        {
            if (auto ec = start(false))
                return ec;
        }
        else
        {
            // "deflate" should be zlib but is often raw deflate: a zlib header is CM=8 and a
            // multiple of 31 over its two bytes.
            pending_.append(in);
            if (pending_.size() < 2)
                return {};
            auto const b0 = static_cast<unsigned char>(pending_[0]);
            auto const b1 = static_cast<unsigned char>(pending_[1]);
            bool const zlib = (b0 & 0x0f) == 8 && (b0 * 256 + b1) % 31 == 0;
            if (auto ec = start(!zlib))
                return ec;
            std::string const first = std::move(pending_);
            pending_.clear();
            return inflate_some(first, out);
        }
    }
    return inflate_some(in, out);
}

error_code inflater::inflate_some(std::string_view in, output const& out)
{
    auto& s = z_->s;
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    s.avail_in = static_cast<uInt>(in.size());
    while (!ended_ && (s.avail_in > 0 || s.avail_out == 0))
    {
        s.next_out = reinterpret_cast<Bytef*>(buf_.data());
        s.avail_out = static_cast<uInt>(buf_.size());
        int const rc = ::inflate(&s, Z_NO_FLUSH);
        if (rc == Z_STREAM_END)
        {
            ended_ = true;
            // A gzip body may hold several members (RFC 1952, 2.2): decode them all.
            auto const rest = std::string_view(reinterpret_cast<char const*>(s.next_in), s.avail_in);
            if (starts_gzip_member(rest))
            {
                inflateReset(&s);
                ended_ = false;
            }
        }
        else if (rc == Z_BUF_ERROR)
            break; // needs more input
        else if (rc != Z_OK)
            return make_error_code(error::bad_content_encoding);
        std::size_t const n = buf_.size() - s.avail_out;
        if (n == 0)
            continue;
        if (n > max_output_ - total_out_)
            return make_error_code(error::decompressed_too_large);
        total_out_ += n;
        if (auto ec = out(std::string_view(buf_.data(), n)))
            return ec;
    }
    return {};
}

error_code inflater::finish()
{
    if (!saw_input_ || ended_)
        return {};
    return make_error_code(error::bad_content_encoding);
}

} // namespace weft::http::detail
