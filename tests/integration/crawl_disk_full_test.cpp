// A disk that fills up under --job-dir loses nothing (README, "Reliability"): the crawl stops on
// ENOSPC naming the path, and once there is space again the job's next run writes every page's
// items, each once. The full disk is tests/preload/enospc_preload.cpp, LD_PRELOAD'ed into weft:
// writes to one path fail with ENOSPC past a byte budget, as the kernel's do.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace
{

constexpr int pages = 80;

// "/" links to /p?i=0 .. /p?i=79, which link nowhere.
void serve_site(weft::test::test_server& server)
{
    server.add_handler("/",
                       [](weft::test::received_request const&)
                       {
                           std::string body = "<html><body>";
                           for (int i = 0; i < pages; ++i)
                               body += "<a href=\"/p?i=" + std::to_string(i) + "\">" + std::to_string(i) + "</a>";
                           return weft::test::html_response(body + "</body></html>");
                       });
    server.add_handler("/p", [](weft::test::received_request const& r)
                       { return weft::test::html_response("<html><title>page " + r.param("i") + "</title></html>"); });
}

std::filesystem::path preload_library()
{
    auto lib = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "libweft_enospc_preload.so";
    REQUIRE(std::filesystem::exists(lib)); // built with the tests (tests/CMakeLists.txt)
    return lib;
}

// How many times each URL is in a JSON Lines file.
std::map<std::string, int> url_counts(std::filesystem::path const& file)
{
    std::map<std::string, int> counts;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            ++counts[nlohmann::json::parse(line)["url"].get<std::string>()];
    return counts;
}

} // namespace

TEST_CASE("a crawl whose disk fills up stops naming the path, and the job's next run writes every item once",
          "[cli][crawl][job][disk]")
{
    // The output file fills up, or the job directory (job.db and its WAL).
    auto const full = GENERATE(as<std::string>{}, "output", "job");
    INFO("full: " << full);
    weft::test::test_server server;
    serve_site(server);
    weft::test::temp_dir dir;
    auto const out = dir / "out.jsonl";
    auto const job = dir / "job";
    auto const watched = full == "output" ? out : job;
    std::vector<std::string> crawl{weft::test::weft_cli_path(), "crawl", server.url("/"), "-o", out.string(),
                                   "--job-dir", job.string(), "--ignore-robots", "-c", "4", "-q",
                                   "-s", "sink_flush_interval=20"};

    std::vector<std::string> on_full_disk{"/usr/bin/env", "LD_PRELOAD=" + preload_library().string(),
                                          "WEFT_ENOSPC_PATH=" + watched.string(),
                                          std::string("WEFT_ENOSPC_BYTES=") + (full == "output" ? "4000" : "100000")};
    on_full_disk.insert(on_full_disk.end(), crawl.begin(), crawl.end());
    auto first = weft::test::run_process(on_full_disk);
    INFO(first.err);
    CHECK(first.exit_code == 1);
    // The cause as the system or SQLite says it (SQLITE_FULL: "database or disk is full").
    CHECK((first.err.find("No space left on device") != std::string::npos ||
           first.err.find("disk is full") != std::string::npos));
    CHECK(first.err.find(watched.string()) != std::string::npos); // names where
    CHECK(url_counts(out).size() < pages + 1);                     // it stopped before the end

    auto second = weft::test::run_process(crawl);
    INFO(second.err);
    CHECK(second.exit_code == 0);
    auto const counts = url_counts(out);
    CHECK(counts.size() == pages + 1);
    for (auto const& [url, n] : counts)
    {
        INFO(url);
        CHECK(n == 1);
    }
}
