// weft::write_file_atomically: the small records a crash must never tear (a job's job.json, an
// export's progress sidecar) are replaced whole or not at all.
#include "support/temp_dir.hpp"

#include <weft/sink/file.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace
{

std::string slurp(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

TEST_CASE("write_file_atomically creates and then replaces a file whole, leaving no temporary behind",
          "[sink][sink_file]")
{
    weft::test::temp_dir dir;
    auto const path = dir / "job.json";
    std::string diagnostics;
    REQUIRE_FALSE(weft::write_file_atomically(path.string(), "{\"a\":1}\n", diagnostics));
    CHECK(slurp(path) == "{\"a\":1}\n");
    REQUIRE_FALSE(weft::write_file_atomically(path.string(), "{}\n", diagnostics));
    CHECK(slurp(path) == "{}\n"); // shorter: nothing of the old content is left
    CHECK_FALSE(std::filesystem::exists(path.string() + ".tmp"));
    CHECK(diagnostics.empty());
}

TEST_CASE("write_file_atomically into a missing directory fails naming the path and what to do, "
          "and touches nothing",
          "[sink][sink_file]")
{
    weft::test::temp_dir dir;
    auto const path = dir / "missing" / "job.json";
    std::string diagnostics;
    auto const ec = weft::write_file_atomically(path.string(), "{}\n", diagnostics);
    CHECK(ec);
    CHECK(diagnostics.find((dir / "missing").string()) != std::string::npos);
    CHECK(diagnostics.find("create the directory") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "missing"));
}
