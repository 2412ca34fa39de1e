#include <weft/engine/fingerprint.hpp>

#include <weft/http/request.hpp>
#include <weft/text/ascii.hpp>

#include <algorithm>
#include <cstring>

namespace weft::engine
{
namespace
{

constexpr std::uint64_t rotl(std::uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

// Incremental SipHash-2-4 with 128-bit output (Aumasson & Bernstein; the reference
// implementation's `siphash.c` with outlen 16), so fields are hashed without concatenating them.
class siphash_state
{
public:
    siphash_state(std::uint64_t k0, std::uint64_t k1) noexcept
    {
        v0_ = 0x736f6d6570736575ULL ^ k0;
        v1_ = 0x646f72616e646f6dULL ^ k1 ^ 0xee;
        v2_ = 0x6c7967656e657261ULL ^ k0;
        v3_ = 0x7465646279746573ULL ^ k1;
    }

    void update(void const* data, std::size_t n) noexcept
    {
        auto const* p = static_cast<unsigned char const*>(data);
        total_ += n;
        if (buffered_)
        {
            auto take = std::min<std::size_t>(8 - buffered_, n);
            std::memcpy(buffer_ + buffered_, p, take);
            buffered_ += take;
            p += take;
            n -= take;
            if (buffered_ < 8)
                return;
            block(load(buffer_));
            buffered_ = 0;
        }
        for (; n >= 8; p += 8, n -= 8)
            block(load(p));
        std::memcpy(buffer_, p, n);
        buffered_ = n;
    }

    void update_field(std::string_view s) noexcept
    {
        std::uint64_t n = s.size();
        update(&n, sizeof n);
        update(s.data(), s.size());
    }

    fingerprint finish() noexcept
    {
        std::uint64_t b = static_cast<std::uint64_t>(total_) << 56;
        for (std::size_t i = 0; i < buffered_; ++i)
            b |= static_cast<std::uint64_t>(buffer_[i]) << (8 * i);
        block(b);
        v2_ ^= 0xee;
        for (int i = 0; i < 4; ++i)
            round();
        fingerprint fp;
        fp.hi = v0_ ^ v1_ ^ v2_ ^ v3_;
        v1_ ^= 0xdd;
        for (int i = 0; i < 4; ++i)
            round();
        fp.lo = v0_ ^ v1_ ^ v2_ ^ v3_;
        return fp;
    }

private:
    static std::uint64_t load(unsigned char const* p) noexcept
    {
        std::uint64_t v = 0;
        for (int i = 7; i >= 0; --i)
            v = (v << 8) | p[i]; // little-endian whatever the host
        return v;
    }
    void round() noexcept
    {
        v0_ += v1_;
        v1_ = rotl(v1_, 13);
        v1_ ^= v0_;
        v0_ = rotl(v0_, 32);
        v2_ += v3_;
        v3_ = rotl(v3_, 16);
        v3_ ^= v2_;
        v0_ += v3_;
        v3_ = rotl(v3_, 21);
        v3_ ^= v0_;
        v2_ += v1_;
        v1_ = rotl(v1_, 17);
        v1_ ^= v2_;
        v2_ = rotl(v2_, 32);
    }
    void block(std::uint64_t m) noexcept
    {
        v3_ ^= m;
        round();
        round();
        v0_ ^= m;
    }

    std::uint64_t v0_, v1_, v2_, v3_;
    unsigned char buffer_[8] = {};
    std::size_t buffered_ = 0;
    std::size_t total_ = 0;
};

// weft's fixed key: arbitrary constants. Changing them changes every fingerprint, which
// invalidates the seen-sets of existing job directories.
constexpr std::uint64_t key0 = 0x3c1b0a4f5d2e8791ULL, key1 = 0x9e8d7c6b5a4f3e2dULL;

} // namespace

std::string fingerprint::to_hex() const
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(32, '0');
    for (int i = 0; i < 16; ++i)
    {
        auto byte = static_cast<unsigned>((i < 8 ? hi >> (56 - 8 * i) : lo >> (56 - 8 * (i - 8))) & 0xff);
        out[2 * i] = digits[byte >> 4];
        out[2 * i + 1] = digits[byte & 15];
    }
    return out;
}

bool fingerprint::from_hex(std::string_view hex, fingerprint& out) noexcept
{
    if (hex.size() != 32)
        return false;
    std::uint64_t parts[2] = {0, 0};
    for (std::size_t i = 0; i < 32; ++i)
    {
        char c = hex[i];
        int v = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (v < 0)
            return false;
        parts[i / 16] = (parts[i / 16] << 4) | static_cast<std::uint64_t>(v);
    }
    out.hi = parts[0];
    out.lo = parts[1];
    return true;
}

fingerprint siphash128(std::uint64_t k0, std::uint64_t k1, std::string_view data) noexcept
{
    siphash_state h(k0, k1);
    h.update(data.data(), data.size());
    return h.finish();
}

fingerprint hash128(std::string_view data) noexcept
{
    siphash_state h(key0, key1);
    h.update(data.data(), data.size());
    return h.finish();
}

fingerprint make_fingerprint(std::string_view method, std::string_view url, std::string_view body,
                             fingerprint_options const& options, std::vector<std::string_view> const& header_values)
{
    siphash_state h(key0, key1);
    std::string m(method);
    std::transform(m.begin(), m.end(), m.begin(), text::to_upper);
    h.update_field(m);
    auto canonical = url::canonicalize(url, options.canonical);
    h.update_field(canonical ? std::string_view(*canonical) : url);
    h.update_field(body);
    for (std::size_t i = 0; i < options.headers.size(); ++i)
    {
        h.update_field(text::lower_copy(options.headers[i]));
        bool present = i < header_values.size() && header_values[i].data() != nullptr;
        unsigned char flag = present ? 1 : 0;
        h.update(&flag, 1);
        if (present)
            h.update_field(header_values[i]);
    }
    return h.finish();
}

fingerprint make_fingerprint(http::request const& req, fingerprint_options const& options)
{
    std::vector<std::string_view> values;
    values.reserve(options.headers.size());
    for (auto const& name : options.headers)
    {
        auto v = req.headers().get(name);
        values.push_back(v ? *v : std::string_view{});
    }
    return make_fingerprint(req.method(), req.url(), req.body(), options, values);
}

} // namespace weft::engine
