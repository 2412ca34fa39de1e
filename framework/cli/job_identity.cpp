#include "job_identity.hpp"

#include <weft/sink/file.hpp>

#include <CLI/CLI.hpp>

#include <fstream>

namespace weft::cli
{

nlohmann::json job_identity(std::string const& spider, std::vector<std::string> const& start_urls,
                            std::map<std::string, std::string> const& args)
{
    return {{"spider", spider}, {"start_urls", start_urls}, {"args", args}};
}

void check_job_identity(std::filesystem::path const& dir, nlohmann::json const& identity, bool anyway)
{
    auto const path = dir / "job.json";
    std::error_code ec;
    // An empty record is one a crash cut short before it was written (earlier weft wrote it in
    // place): the job has no identity yet.
    if (std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) > 0 && !ec)
    {
        nlohmann::json recorded;
        try
        {
            std::ifstream in(path);
            recorded = nlohmann::json::parse(in);
        }
        catch (nlohmann::json::exception const& e)
        {
            throw CLI::ValidationError("--job-dir", path.string() + " is not valid JSON (" + e.what() +
                                                        "): remove it to adopt the job as this run's");
        }
        if (recorded == identity || anyway)
            return; // the record keeps the job's first identity
        throw CLI::ValidationError(
            "--job-dir", "job directory '" + dir.string() + "' was made for " + recorded.dump() + ", not for " +
                             identity.dump() +
                             ": pass another --job-dir, or --resume-anyway to go on with its pending requests "
                             "(this run's start URLs are added)");
    }
    std::filesystem::create_directories(dir, ec);
    // Atomically: a run killed while writing it must not leave a torn record that refuses the resume.
    std::string diagnostics;
    if (write_file_atomically(path.string(), identity.dump(2) + "\n", diagnostics))
        throw CLI::ValidationError("--job-dir", diagnostics + " (pass a writable --job-dir)");
}

} // namespace weft::cli
