#include "redis_wire.hpp"

#include <hiredis/hiredis.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace weft::redis::detail
{

namespace
{

reply convert(redisReply const& r)
{
    reply out;
    switch (r.type)
    {
    case REDIS_REPLY_STRING:
        out.type = reply::kind::string;
        break;
    case REDIS_REPLY_STATUS:
        out.type = reply::kind::status;
        break;
    case REDIS_REPLY_ERROR:
        out.type = reply::kind::error;
        break;
    case REDIS_REPLY_INTEGER:
        out.type = reply::kind::integer;
        break;
    case REDIS_REPLY_ARRAY:
        out.type = reply::kind::array;
        break;
    default:
        out.type = reply::kind::nil;
        break;
    }
    if (r.str)
        out.str.assign(r.str, r.len);
    out.integer = r.integer;
    out.elements.reserve(r.elements);
    for (std::size_t i = 0; i < r.elements; ++i)
        out.elements.push_back(convert(*r.element[i]));
    return out;
}

} // namespace

void append_command(std::string& out, std::vector<std::string> const& args)
{
    std::vector<char const*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (auto const& a : args)
    {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    char* cmd = nullptr;
    int n = redisFormatCommandArgv(&cmd, static_cast<int>(args.size()), argv.data(), lengths.data());
    if (n < 0)
        throw std::bad_alloc();
    out.append(cmd, static_cast<std::size_t>(n));
    redisFreeCommand(cmd);
}

reply_reader::reply_reader() : reader_(redisReaderCreate())
{
    if (!reader_)
        throw std::bad_alloc();
}

reply_reader::~reply_reader()
{
    redisReaderFree(reader_);
}

void reply_reader::reset()
{
    redisReader* fresh = redisReaderCreate();
    if (!fresh)
        throw std::bad_alloc();
    redisReaderFree(reader_);
    reader_ = fresh;
}

void reply_reader::feed(char const* data, std::size_t size)
{
    if (redisReaderFeed(reader_, data, size) != REDIS_OK)
        throw std::runtime_error(std::string("malformed reply from Redis: ") + reader_->errstr);
}

std::optional<reply> reply_reader::next()
{
    void* raw = nullptr;
    if (redisReaderGetReply(reader_, &raw) != REDIS_OK)
        throw std::runtime_error(std::string("malformed reply from Redis: ") + reader_->errstr);
    if (!raw)
        return std::nullopt;
    std::unique_ptr<redisReply, void (*)(void*)> owned(static_cast<redisReply*>(raw), freeReplyObject);
    return convert(*owned);
}

std::string sha1_hex(std::string_view text)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha1(), nullptr) != 1)
        throw std::runtime_error("OpenSSL could not compute a SHA-1");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i)
    {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xf];
    }
    return out;
}

} // namespace weft::redis::detail

namespace weft::redis
{

script::script(std::string src) : source(std::move(src)), sha1(detail::sha1_hex(source)) {}

} // namespace weft::redis
