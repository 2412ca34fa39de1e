// `weft crawl --job-dir` under kill -9 at seeded pseudo-random moments: a crawl killed over and over
// and resumed with the same command each time ends with the same URLs as an uninterrupted crawl,
// each exactly once, and no torn line, in JSON lines and in CSV; and, with several -o at once, in
// each of them: a JSON array (.json) that is valid and gzip outputs (.jsonl.gz, .csv.gz) that
// decompress whole.
//
// The kill moments come from a fixed seed (printed, like each kill); WEFT_KILL_SEED=<n> replays
// another. Each kill targets an amount of committed output (stratified over the whole crawl, so
// kills land at its start, middle and end) plus a random delay, so it falls at any phase of the
// engine's group commit; about one in five kills lands in a run's start-up instead (opening the
// job, recovering the last batch, robots.txt). The crawl is slowed (--delay, a 50 ms group commit)
// so that 24 kills fit in a few seconds of crawling. A failure names the URL lost or doubled and
// the runs (and so the kills) that fetched and wrote it.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_server.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include <zlib.h>

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace
{

constexpr int site_pages = 300;
constexpr int kill_slots = 24; // at least 20 must land; a few spare for a crawl that ends early
constexpr std::uint32_t default_seed = 20261205;

std::uint32_t kill_seed()
{
    char const* env = std::getenv("WEFT_KILL_SEED");
    return env && *env ? static_cast<std::uint32_t>(std::strtoul(env, nullptr, 10)) : default_seed;
}

std::string page_name(int i)
{
    return i == 0 ? std::string("index.html") : "p" + std::to_string(i) + ".html";
}

// `n` pages from "/" (index.html): each links to its two children in a binary tree (so every
// page is reachable), to three pseudo-random pages (so most URLs are discovered several times,
// some before their parent is fetched), home and a fragment of a page; every 25th page links to a
// missing page (a 404 item) and to one under /private/, which robots.txt disallows. Returns who
// links to whom, to explain a lost page.
using link_graph = std::map<std::string, std::set<std::string>>; // path -> paths of the pages linking to it

std::string page_path(int i)
{
    return i == 0 ? std::string("/") : "/" + page_name(i);
}

link_graph make_site(std::filesystem::path const& root, int n, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    link_graph referrers;
    std::filesystem::create_directories(root / "private");
    std::ofstream(root / "robots.txt") << "User-agent: *\nDisallow: /private/\n";
    for (int i = 0; i < n; ++i)
    {
        std::string body = "<html><head><title>Page " + std::to_string(i) + "</title></head><body>";
        auto link = [&](std::string const& href, std::string const& path)
        {
            body += "<a href=\"" + href + "\">link</a>";
            referrers[path].insert(page_path(i));
        };
        for (int c : {2 * i + 1, 2 * i + 2})
            if (c < n)
                link(page_name(c), page_path(c));
        for (int k = 0; k < 3; ++k)
        {
            auto const j = static_cast<int>(rng() % static_cast<unsigned>(n));
            link(page_path(j), page_path(j));
        }
        link("/", "/");
        link("p1.html#top", "/p1.html");
        if (i % 25 == 0)
        {
            auto const gone = "gone" + std::to_string(i) + ".html", hidden = "private/p" + std::to_string(i) + ".html";
            link(gone, "/" + gone);
            link(hidden, "/" + hidden);
            std::ofstream(root / hidden) << "<title>private</title>";
        }
        body += "</body></html>";
        std::ofstream(root / page_name(i)) << body;
    }
    return referrers;
}

// --- reading an output file: one URL per record, "" for a record that is not a whole item ---

struct record_problem
{
    std::size_t record; ///< 0-based, as in output_file::urls
    std::string what;
};

struct output_file
{
    std::vector<std::string> urls;        ///< by record (line; CSV: after the header), in file order
    std::vector<record_problem> problems; ///< torn or invalid records
};

std::string slurp(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::string shorten(std::string s)
{
    return s.size() > 160 ? s.substr(0, 160) + "..." : s;
}

output_file read_jsonl(std::string const& text)
{
    output_file out;
    std::size_t pos = 0;
    while (pos < text.size())
    {
        auto end = text.find('\n', pos);
        auto line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        auto const j = nlohmann::json::parse(line, nullptr, false);
        bool const whole = !j.is_discarded() && j.is_object() && j.contains("url") && j["url"].is_string();
        if (end == std::string::npos)
            out.problems.push_back({out.urls.size(), "has no end of line (torn): " + shorten(line)});
        else if (!whole)
            out.problems.push_back({out.urls.size(), "is not a JSON item with a url: " + shorten(line)});
        out.urls.push_back(whole ? j["url"].get<std::string>() : std::string());
        pos = end == std::string::npos ? text.size() : end + 1;
    }
    return out;
}

// RFC 4180 records; `complete` is false for a last record without its line end.
std::vector<std::vector<std::string>> csv_records(std::string const& text, bool& complete)
{
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> fields(1);
    bool quoted = false;
    complete = true;
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        char const c = text[i];
        if (quoted && c == '"' && i + 1 < text.size() && text[i + 1] == '"')
            fields.back() += text[++i];
        else if (c == '"')
            quoted = !quoted;
        else if (!quoted && c == ',')
            fields.emplace_back();
        else if (!quoted && c == '\n')
        {
            if (!fields.back().empty() && fields.back().back() == '\r')
                fields.back().pop_back();
            records.push_back(std::move(fields));
            fields.assign(1, {});
        }
        else
            fields.back() += c;
    }
    if (fields.size() > 1 || !fields.back().empty() || quoted)
    {
        complete = false;
        records.push_back(std::move(fields));
    }
    return records;
}

output_file read_csv(std::string const& text)
{
    output_file out;
    bool complete = true;
    auto records = csv_records(text, complete);
    if (records.empty())
        return out;
    auto const& header = records.front();
    auto const url_column = std::find(header.begin(), header.end(), "url") - header.begin();
    if (url_column == static_cast<long>(header.size()))
        out.problems.push_back({0, "the header has no url column: " + shorten(text.substr(0, text.find('\n')))});
    for (std::size_t r = 1; r < records.size(); ++r)
    {
        auto const& f = records[r];
        if (r + 1 == records.size() && !complete)
            out.problems.push_back({r - 1, "has no end of line (torn)"});
        else if (f.size() != header.size())
            out.problems.push_back(
                {r - 1, "has " + std::to_string(f.size()) + " fields, the header " + std::to_string(header.size())});
        out.urls.push_back(f.size() == header.size() ? f[static_cast<std::size_t>(url_column)] : std::string());
    }
    return out;
}

output_file read_output(std::filesystem::path const& p)
{
    return p.extension() == ".csv" ? read_csv(slurp(p)) : read_jsonl(slurp(p));
}

// Every gzip member of `data`, decompressed; `whole` is false when the data ends inside a member
// or is not gzip.
std::string gunzip(std::string const& data, bool& whole)
{
    std::string out;
    z_stream zs{};
    inflateInit2(&zs, 15 + 16);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    char buf[65536];
    whole = false;
    while (true)
    {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        int const rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buf, sizeof buf - zs.avail_out);
        if (rc == Z_STREAM_END && zs.avail_in == 0)
            whole = true;
        if (rc == Z_STREAM_END && zs.avail_in > 0)
            inflateReset(&zs);
        else if (rc != Z_OK)
            break;
    }
    inflateEnd(&zs);
    return out;
}

// One JSON array of items (a .json output), or gzip JSON lines or CSV: their URLs, and a problem
// when the file is not whole.
output_file read_any_output(std::filesystem::path const& p)
{
    auto const name = p.filename().string();
    if (name.ends_with(".gz"))
    {
        bool whole = false;
        auto const text = gunzip(slurp(p), whole);
        auto out = name.ends_with(".csv.gz") ? read_csv(text) : read_jsonl(text);
        if (!whole)
            out.problems.push_back({out.urls.size(), "does not decompress to its end (a torn gzip member)"});
        return out;
    }
    if (name.ends_with(".json"))
    {
        output_file out;
        auto const j = nlohmann::json::parse(slurp(p), nullptr, false);
        if (j.is_discarded() || !j.is_array())
            out.problems.push_back({0, "is not one JSON array: " + shorten(slurp(p))});
        else
            for (auto const& e : j)
                out.urls.push_back(e.is_object() && e.contains("url") ? e["url"].get<std::string>() : "");
        return out;
    }
    return read_output(p);
}

// Each URL of `expected` exactly once in `out`, nothing else, no problem.
void check_exactly_once(std::set<std::string> const& expected, std::string const& name, output_file const& out)
{
    for (auto const& p : out.problems)
        FAIL_CHECK("record " << p.record + 1 << " of " << name << " " << p.what);
    std::map<std::string, int> count;
    for (auto const& u : out.urls)
        ++count[u];
    for (auto const& [url, n] : count)
        if (n > 1 || !expected.count(url))
            FAIL_CHECK(url << " is " << n << " times in " << name
                           << (expected.count(url) ? "" : ", not in the reference"));
    for (auto const& url : expected)
        if (!count.count(url))
            FAIL_CHECK(url << " is lost in " << name);
}

// Line ends in the file, for watching the crawl's progress (re-counted when it shrinks).
class line_counter
{
public:
    explicit line_counter(std::filesystem::path p) : path_(std::move(p)) {}

    std::size_t count()
    {
        std::error_code ec;
        auto const size = std::filesystem::file_size(path_, ec);
        if (ec)
            return 0;
        if (size < offset_)
            offset_ = lines_ = 0;
        if (size == offset_)
            return lines_;
        std::ifstream in(path_, std::ios::binary);
        in.seekg(static_cast<std::streamoff>(offset_));
        char buf[8192];
        while (in.read(buf, sizeof buf) || in.gcount() > 0)
        {
            lines_ += static_cast<std::size_t>(std::count(buf, buf + in.gcount(), '\n'));
            offset_ += static_cast<std::size_t>(in.gcount());
        }
        return lines_;
    }

private:
    std::filesystem::path path_;
    std::size_t offset_ = 0;
    std::size_t lines_ = 0;
};

// --- the kill plan ---

struct kill_slot
{
    bool at_startup = false;             ///< kill `jitter` after the start, whatever the progress
    std::size_t target = 0;              ///< else: once the output has this many line ends...
    std::chrono::milliseconds jitter{0}; ///< ...and then this much later
};

// Targets stratified over [0, 95%) of the reference's lines, so kills cover the whole crawl; the
// last 5% are left so that a kill is not outrun by the crawl's end.
std::vector<kill_slot> plan_kills(std::mt19937& rng, std::size_t total_lines)
{
    std::vector<kill_slot> plan;
    for (int k = 0; k < kill_slots; ++k)
    {
        kill_slot s;
        s.at_startup = k == 0 || rng() % 5 == 0;
        double const u = (rng() % 10000) / 10000.0;
        s.target = static_cast<std::size_t>((k + u) / kill_slots * 0.95 * static_cast<double>(total_lines));
        s.jitter = std::chrono::milliseconds(s.at_startup ? rng() % 150 : rng() % 60);
        plan.push_back(s);
    }
    return plan;
}

std::string describe(kill_slot const& s)
{
    if (s.at_startup)
        return "at start-up + " + std::to_string(s.jitter.count()) + " ms";
    return "at " + std::to_string(s.target) + " lines + " + std::to_string(s.jitter.count()) + " ms";
}

// --- running weft ---

struct run_record
{
    std::optional<kill_slot> slot; ///< the kill planned for this run, if any
    bool killed = false;           ///< the kill landed (else the run ended by itself)
    int exit_code = -1;
    long at_ms = 0; ///< kill (or exit) time after the start
    std::size_t lines_at_kill = 0;
    std::vector<std::string> urls_after;       ///< the output's records once the process was gone
    std::map<std::string, std::size_t> served; ///< the server's requests per path so far
    std::string err;
};

std::string describe(run_record const& run, std::size_t index)
{
    std::string s = "run " + std::to_string(index + 1);
    if (run.killed)
        return s + " (ended by kill " + std::to_string(index + 1) + ": planned " + describe(*run.slot) +
               ", landed at " + std::to_string(run.at_ms) + " ms with " + std::to_string(run.lines_at_kill) + " lines)";
    return s + " (exited " + std::to_string(run.exit_code) + " after " + std::to_string(run.at_ms) + " ms)";
}

using served_fn = std::function<std::map<std::string, std::size_t>()>;

// One run of `args`, killed as `slot` says (if any) or waited for; gives up after 30 s.
run_record run_once(std::vector<std::string> const& args, std::filesystem::path const& out,
                    std::filesystem::path const& err, std::optional<kill_slot> slot)
{
    run_record run;
    run.slot = slot;
    line_counter lines(out);
    auto const start = clock_type::now();
    auto const deadline = start + 30s;
    auto argv = args;
    argv.insert(argv.begin(), weft::test::weft_cli_path());
    pid_t const pid = weft::test::spawn_process(argv, err);
    std::optional<int> code;
    bool const wait_for_lines = slot && !slot->at_startup;
    while (!(code = weft::test::poll_exit(pid, false)) && clock_type::now() < deadline &&
           (!slot || (wait_for_lines && lines.count() < slot->target)))
        std::this_thread::sleep_for(1ms);
    if (!code && slot)
    {
        std::this_thread::sleep_for(slot->jitter);
        run.lines_at_kill = lines.count();
    }
    // A process that ended meanwhile stays a zombie until waited for: the signal hits no other.
    if (!code)
        ::kill(pid, SIGKILL);
    auto const end = clock_type::now();
    run.at_ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(end - start).count());
    if (!code)
        code = weft::test::poll_exit(pid, true);
    run.exit_code = *code;
    run.killed = slot && end < deadline && run.exit_code == 128 + SIGKILL;
    run.err = slurp(err);
    if (end >= deadline)
        FAIL("weft " << args[0] << " " << args[1] << " did not finish within 30 s; its stderr: " << run.err);
    return run;
}

// Runs `args` until a run exits by itself; the first runs are killed as `plan` says.
std::vector<run_record> crawl_with_kills(std::vector<std::string> const& args, std::filesystem::path const& out,
                                         std::filesystem::path const& err, std::vector<kill_slot> const& plan,
                                         served_fn const& served)
{
    std::vector<run_record> runs;
    while (true)
    {
        std::optional<kill_slot> slot;
        if (runs.size() < plan.size())
            slot = plan[runs.size()];
        auto run = run_once(args, out, err, slot);
        run.urls_after = read_output(out).urls;
        run.served = served();
        std::printf("  %s\n", describe(run, runs.size()).c_str());
        runs.push_back(std::move(run));
        if (!runs.back().killed)
            break;
    }
    std::fflush(stdout);
    return runs;
}

// --- explaining a failure: which runs fetched and wrote a URL ---

// The run that wrote record i of the final output: the earliest after which that record was
// there, unchanged, in every later snapshot.
std::size_t writer_of(std::vector<run_record> const& runs, std::size_t i)
{
    auto const& last = runs.back().urls_after;
    std::size_t r = runs.size() - 1;
    while (r > 0 && runs[r - 1].urls_after.size() > i && runs[r - 1].urls_after[i] == last[i])
        --r;
    return r;
}

// The runs in which the server was asked for `path`, and those after which `url` was in the output.
std::string history(std::vector<run_record> const& runs, std::string const& path, std::string const& url)
{
    std::string fetched, present;
    for (std::size_t r = 0; r < runs.size(); ++r)
    {
        auto const before = r == 0 ? 0 : runs[r - 1].served.at(path);
        if (runs[r].served.at(path) > before)
            fetched += "\n    fetched in " + describe(runs[r], r);
        auto const& u = runs[r].urls_after;
        if (std::find(u.begin(), u.end(), url) != u.end())
            present += " " + std::to_string(r + 1);
    }
    return fetched + "\n    in the output after runs:" + (present.empty() ? " none" : present);
}

// Writes one failure per lost, doubled, unexpected or torn record (the first 10 of each kind).
void check_against_reference(std::vector<run_record> const& runs, std::set<std::string> const& expected,
                             link_graph const& graph, std::string const& base, std::string const& name,
                             output_file const& out)
{
    int shown = 0;
    for (auto const& p : out.problems)
        if (++shown <= 10)
            FAIL_CHECK("record " << p.record + 1 << " of " << name << " " << p.what << "; written by "
                                 << describe(runs[writer_of(runs, p.record)], writer_of(runs, p.record)));
    std::map<std::string, std::vector<std::size_t>> where;
    for (std::size_t i = 0; i < out.urls.size(); ++i)
        if (!out.urls[i].empty())
            where[out.urls[i]].push_back(i);
    shown = 0;
    for (auto const& [url, records] : where)
        if (records.size() > 1 && ++shown <= 10)
        {
            std::string text;
            for (auto i : records)
                text += "\n    record " + std::to_string(i + 1) + " written by " +
                        describe(runs[writer_of(runs, i)], writer_of(runs, i));
            FAIL_CHECK(url << " is doubled: " << records.size() << " times in " << name << text);
        }
    // Lost pages that were fetched first: a kill lost those. One never fetched was lost before
    // its fetch, or never discovered because the pages linking to it were lost.
    std::vector<std::string> lost;
    for (auto const& url : expected)
        if (!where.count(url))
            lost.push_back(url);
    std::stable_partition(lost.begin(), lost.end(),
                          [&](std::string const& u) { return runs.back().served.at(u.substr(base.size())) > 0; });
    for (std::size_t i = 0; i < lost.size() && i < 10; ++i)
    {
        auto const path = lost[i].substr(base.size());
        std::string referrers;
        if (runs.back().served.at(path) == 0)
            for (auto const& from : graph.at(path))
                referrers += "\n    linked from " + from + ":" + history(runs, from, base + from);
        FAIL_CHECK(lost[i] << " is lost: in the reference, not in " << name << "; "
                           << (referrers.empty() ? "" : "never fetched in any run;") << history(runs, path, lost[i])
                           << referrers);
    }
    if (lost.size() > 10)
        FAIL_CHECK(lost.size() << " URLs of the reference are lost in all, those above and e.g. " << lost.back());
    shown = 0;
    for (auto const& [url, records] : where)
        if (!expected.count(url) && ++shown <= 10)
            FAIL_CHECK(url << " is in " << name << " but not in the reference; record " << records[0] + 1
                           << " written by "
                           << describe(runs[writer_of(runs, records[0])], writer_of(runs, records[0])));
}

} // namespace

TEST_CASE("a crawl killed with SIGKILL at 20+ random moments and resumed each time writes each page of an "
          "uninterrupted crawl exactly once, without a torn line",
          "[cli][crawl][resume][kill]")
{
    // "several": -o .jsonl (watched for the kills) and -o .json, .jsonl.gz and .csv.gz at once.
    auto const format = GENERATE(as<std::string>{}, "jsonl", "csv", "several");
    auto const seed = kill_seed();
    std::printf("job_kill_test (%s): seed %u (WEFT_KILL_SEED=%u replays it)\n", format.c_str(), seed, seed);
    INFO("format " << format << ", seed " << seed << " (WEFT_KILL_SEED=" << seed << " replays it)");
    weft::test::temp_dir dir;
    auto const graph = make_site(dir / "site", site_pages, seed);
    weft::test::test_server server({.tls = false, .root = dir / "site"});
    bool const several = format == "several";
    auto const ext = several ? std::string("jsonl") : format;
    auto const out1 = dir / ("out1." + ext), out2 = dir / ("out2." + ext);
    std::vector<std::filesystem::path> extra_outputs;
    if (several)
        extra_outputs = {dir / "out2.json", dir / "out2.jsonl.gz", dir / "out2.csv.gz"};
    // Slowed to ~100 pages/s (--delay 3 on one host: 3 s for the site) with a group commit every
    // 50 ms, so that a kill finds a few pages committed and a few in flight.
    auto command = [&](std::filesystem::path const& out, std::string const& job)
    {
        auto args = std::vector<std::string>{
            "crawl", server.url("/"), "-o", out.string(), "--job-dir", (dir / job).string(),    "-c", "4", "--per-host",
            "4",     "--delay",       "3",  "-q",         "-s",        "sink_flush_interval=50"};
        if (job == "D2")
            for (auto const& p : extra_outputs)
                args.insert(args.end(), {"-o", p.string()});
        return args;
    };

    auto args1 = command(out1, "D1");
    args1.insert(args1.begin(), weft::test::weft_cli_path());
    auto const ref = weft::test::run_process(args1);
    {
        INFO("the reference crawl's stderr: " << ref.err);
        REQUIRE(ref.exit_code == 0);
    }
    auto const reference = read_output(out1);
    for (auto const& p : reference.problems)
        FAIL_CHECK("record " << p.record + 1 << " of the reference " << out1.filename() << " " << p.what);
    std::set<std::string> const expected(reference.urls.begin(), reference.urls.end());
    // The reference is whole: every page, the 12 missing pages' 404s, nothing robots.txt disallows.
    REQUIRE(reference.urls.size() == expected.size());
    for (int i = 1; i < site_pages; ++i)
        REQUIRE(expected.count(server.url("/" + page_name(i))));
    REQUIRE(expected.count(server.url("/gone275.html")));
    REQUIRE(expected.size() == site_pages + 12);

    server.reset_counters(); // from here on, the requests of the killed crawl only
    std::mt19937 rng(seed);
    auto const plan = plan_kills(rng, line_counter(out1).count());
    auto base = server.url("/");
    base.pop_back(); // "http://127.0.0.1:PORT": a URL is base + its path
    served_fn served = [&]
    {
        std::map<std::string, std::size_t> m;
        for (auto const& u : expected)
            m[u.substr(base.size())] = server.request_count(u.substr(base.size()));
        return m;
    };
    auto const started = clock_type::now();
    auto const runs = crawl_with_kills(command(out2, "D2"), out2, dir / "stderr", plan, served);
    auto const kills = std::count_if(runs.begin(), runs.end(), [](run_record const& r) { return r.killed; });
    std::printf("  %ld kills, %zu runs, %.1f s\n", static_cast<long>(kills), runs.size(),
                std::chrono::duration<double>(clock_type::now() - started).count());
    std::fflush(stdout);

    {
        INFO("the last run's stderr: " << runs.back().err);
        CHECK(runs.back().exit_code == 0);
    }
    // A crawl that outran its kills (its last 5% fitting in one group commit) tests less than asked.
    CHECK(kills >= 20);
    check_against_reference(runs, expected, graph, base, out2.filename().string(), read_output(out2));
    for (auto const& p : extra_outputs)
        check_exactly_once(expected, p.filename().string(), read_any_output(p));
}
