// A temporary directory removed with everything in it when the test ends.
#pragma once

#include <filesystem>

namespace weft::test {

class temp_dir
{
public:
    temp_dir();
    ~temp_dir();
    temp_dir(temp_dir const&) = delete;
    temp_dir& operator=(temp_dir const&) = delete;

    std::filesystem::path const& path() const { return path_; }
    std::filesystem::path operator/(std::filesystem::path const& p) const { return path_ / p; }

private:
    std::filesystem::path path_;
};

} // namespace weft::test
