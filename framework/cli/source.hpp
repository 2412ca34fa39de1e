// Reading a command's SOURCE argument: a file, a URL (fetched with the default fetcher) or "-".
#pragma once

#include <stdexcept>
#include <string>

namespace weft::cli {

/// A source that cannot be read; commands exit 2 with its message.
class source_error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

struct loaded_source
{
    std::string bytes;
    std::string charset; ///< the Content-Type charset of a fetched URL, else empty
    std::string url;     ///< the final URL of a fetched source, else empty
};

/// Reads `source`. @throws source_error naming the source and the cause.
loaded_source load_source(std::string const& source);

/// True when `source` names an http(s) URL rather than a file.
bool is_url(std::string const& source);

} // namespace weft::cli
