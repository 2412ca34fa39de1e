#include <weft/warc/record.hpp>

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <fmt/format.h>

#include <array>
#include <ctime>
#include <random>

namespace weft::warc
{

using http::iequals;

std::string_view record::type() const
{
    return field("WARC-Type");
}

std::string_view record::field(std::string_view name) const
{
    return fields.get(name).value_or(std::string_view());
}

std::string serialize(record const& r)
{
    std::string out;
    out.reserve(r.block.size() + 512);
    out += "WARC/1.1\r\n";
    for (auto const& [name, value] : r.fields)
    {
        if (iequals(name, "Content-Length"))
            continue; // from the block, below
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    out += "Content-Length: ";
    out += std::to_string(r.block.size());
    out += "\r\n\r\n";
    out += r.block;
    out += "\r\n\r\n";
    return out;
}

std::string sha1_digest(std::string_view data)
{
    std::array<unsigned char, SHA_DIGEST_LENGTH> h{};
    SHA1(reinterpret_cast<unsigned char const*>(data.data()), data.size(), h.data());
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out = "sha1:";
    // 160 bits are exactly 32 base32 digits: no padding.
    std::uint64_t acc = 0;
    int bits = 0;
    for (auto byte : h)
    {
        acc = (acc << 8) | byte;
        bits += 8;
        while (bits >= 5)
        {
            bits -= 5;
            out += alphabet[(acc >> bits) & 31];
        }
    }
    return out;
}

std::string make_record_id()
{
    std::array<unsigned char, 16> b{};
    if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1)
    {
        // OpenSSL's generator failing is near impossible; an id needs uniqueness, not secrecy.
        static thread_local std::mt19937_64 rng{std::random_device{}()};
        for (auto& x : b)
            x = static_cast<unsigned char>(rng());
    }
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40); // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80); // RFC 4122 variant
    std::string hex;
    for (std::size_t i = 0; i < b.size(); ++i)
    {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            hex += '-';
        hex += fmt::format("{:02x}", b[i]);
    }
    return "<urn:uuid:" + hex + ">";
}

std::string format_date(std::chrono::system_clock::time_point t)
{
    auto const secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
    auto const micros = std::chrono::duration_cast<std::chrono::microseconds>(t - secs).count();
    std::time_t const tt = std::chrono::system_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
}

} // namespace weft::warc
