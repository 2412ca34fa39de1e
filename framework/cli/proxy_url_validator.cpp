#include "commands.hpp"

#include <weft/http/proxy.hpp>

#include <stdexcept>
#include <string>

namespace weft::cli {

CLI::Validator proxy_url_validator()
{
    return CLI::Validator(
        [](std::string& url)
        {
            try
            {
                http::checked_proxy_url(url);
                return std::string();
            }
            catch (std::invalid_argument const& e)
            {
                return std::string(e.what());
            }
        },
        "URL");
}

} // namespace weft::cli
