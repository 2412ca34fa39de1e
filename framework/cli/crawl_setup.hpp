// What `weft crawl` and `weft parse` share: their flags, and turning them into a spider (built in
// or from a plugin, with its -a arguments) and checked settings.
#pragma once

#include <weft/engine/settings.hpp>
#include <weft/spider/spider.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace CLI
{
class App;
}

namespace weft::cli
{

struct crawl_args
{
    std::vector<std::string> targets;
    std::vector<std::string> outputs;   // -o: appended to
    std::vector<std::string> overwrite; // -O: overwritten (unless the crawl resumes a job)
    std::size_t concurrency = 0;
    std::size_t per_host = 0;
    double delay_ms = -1;
    bool autothrottle = false;
    std::uint64_t max_pages = 0;
    int max_depth = -2;
    std::vector<std::string> allow_hosts;
    std::vector<std::string> allow;
    std::vector<std::string> deny;
    bool ignore_robots = false;
    double timeout_s = 0;
    int retries = -1;
    std::vector<std::string> block; // --block: resource types rendered pages do not load
    std::string fetcher;
    std::string render;          // --render requested|auto|always
    std::string render_wait_for; // --render-wait-for SELECTOR
    std::vector<std::string> proxies;
    std::string job_dir;
    std::string frontier;
    std::string crawl_id;
    double lease_s = 0;
    std::string metrics;
    std::vector<std::string> plugins;
    std::vector<std::string> settings;
    std::vector<std::string> spider_args;
    std::string stats_file;
    bool quiet = false;
    bool insecure = false;
    bool resume_anyway = false;
    std::string record; // --record FILE.warc.gz
    std::string replay; // --replay FILE.warc.gz
};

/// --render and --render-wait-for, on `cmd` (weft crawl, weft parse).
void add_render_options(CLI::App& cmd, crawl_args& a);

struct prepared
{
    std::unique_ptr<spider> sp;
    engine::settings settings;
};

/// The spider (`targets`: URLs for the site spider, or one spider's name) and its settings, every
/// flag checked. @throws CLI::ValidationError naming the flag (exit 2).
prepared prepare(crawl_args const& a);
/// -o and -O together.
std::vector<std::string> all_outputs(crawl_args const& a);
/// KEY=VALUE. @throws CLI::ValidationError naming `flag`.
std::pair<std::string, std::string> split_kv(std::string const& kv, char const* flag);

} // namespace weft::cli
