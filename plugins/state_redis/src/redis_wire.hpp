// The Redis protocol for weft::redis::connection: hiredis's encoder and reply parser behind
// value types, and the SHA-1 that EVALSHA names a script by. No I/O here.
#pragma once

#include "redis_client.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisReader;

namespace weft::redis::detail
{

/// One command in RESP ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"), appended to `out`.
void append_command(std::string& out, std::vector<std::string> const& args);

/// Parses replies from the bytes a socket delivers, in any chunking.
class reply_reader
{
public:
    reply_reader();
    ~reply_reader();
    reply_reader(reply_reader const&) = delete;
    reply_reader& operator=(reply_reader const&) = delete;

    /// Forgets any partial reply (a new connection starts clean).
    void reset();
    /// @throws std::runtime_error when the bytes are not RESP.
    void feed(char const* data, std::size_t size);
    /// The next complete reply, if one has arrived. @throws std::runtime_error on a protocol error.
    std::optional<reply> next();

private:
    redisReader* reader_;
};

/// Lowercase hex SHA-1 of `text`.
std::string sha1_hex(std::string_view text);

} // namespace weft::redis::detail
