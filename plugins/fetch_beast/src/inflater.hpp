// Streaming Content-Encoding decoder (gzip, deflate) with an output limit checked as zlib inflates.
#pragma once

#include <weft/error.hpp>

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace weft::http::detail
{

class inflater
{
public:
    enum class format
    {
        gzip,
        deflate, ///< zlib (RFC 1950) or, as some servers send, raw deflate (RFC 1951)
    };
    using output = std::function<error_code(std::string_view)>;

    /// The format for a Content-Encoding value, or nothing when it is not one we decode.
    static std::optional<format> from_content_encoding(std::string_view value);

    inflater(format f, std::size_t max_output);
    ~inflater();
    inflater(inflater const&) = delete;
    inflater& operator=(inflater const&) = delete;

    /// Decodes `in`, passing each decoded piece to `out`. Fails with decompressed_too_large
    /// before passing anything beyond the limit, with bad_content_encoding on corrupt data, or
    /// with what `out` returns.
    error_code feed(std::string_view in, output const& out);
    /// Ends the stream: bad_content_encoding if it stopped before the compressed data's end.
    error_code finish();
    std::size_t total_out() const noexcept { return total_out_; }

private:
    error_code start(bool raw);
    bool starts_gzip_member(std::string_view in) const;
    error_code inflate_some(std::string_view in, output const& out);

    struct zstream;
    std::unique_ptr<zstream> z_;
    format format_;
    std::size_t max_output_;
    std::size_t total_out_ = 0;
    bool started_ = false;
    bool ended_ = false;
    bool saw_input_ = false;
    std::string pending_; // the first byte of a deflate body, until the second tells zlib from raw
    std::array<char, 16384> buf_;
};

} // namespace weft::http::detail
