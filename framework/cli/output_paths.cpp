// Checks of the paths commands read or write, before anything is fetched (exit 2 with a sentence).
#include "commands.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace weft::cli
{

void check_not_directory(std::string const& path, char const* flag)
{
    std::error_code ec;
    if (path != "-" && std::filesystem::is_directory(path, ec))
        throw CLI::ValidationError(flag, "'" + path + "' is a directory; give a file");
}

void check_outputs(std::vector<std::string> const& outputs, char const* flag)
{
    for (auto i = outputs.begin(); i != outputs.end(); ++i)
    {
        std::error_code ec;
        if (*i != "-" && std::filesystem::is_directory(*i, ec))
            throw CLI::ValidationError(flag,
                                       "'" + *i + "' is a directory; give a file, such as '" + *i + "/items.jsonl'");
        if (std::find(outputs.begin(), i, *i) != i)
            throw CLI::ValidationError(flag, "'" + *i +
                                                 "' is given twice; give each output once (-o appends, "
                                                 "-O overwrites)");
    }
}

} // namespace weft::cli
