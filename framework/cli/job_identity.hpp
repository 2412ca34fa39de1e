// What a job directory was made for (spider, start URLs, spider arguments), kept in DIR/job.json:
// resuming a job with another spider or other start URLs is refused unless --resume-anyway.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace weft::cli
{

/// {"spider": name, "start_urls": [...], "args": {...}}
nlohmann::json job_identity(std::string const& spider, std::vector<std::string> const& start_urls,
                            std::map<std::string, std::string> const& args);

/// Records `identity` in `dir`/job.json when the job has none; else compares.
/// @throws CLI::ValidationError ("--job-dir", exit 2) naming both when they differ and not `anyway`.
void check_job_identity(std::filesystem::path const& dir, nlohmann::json const& identity, bool anyway);

} // namespace weft::cli
