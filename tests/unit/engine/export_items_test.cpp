#include <weft/engine/export_items.hpp>

#include "support/kept_items_state.hpp"
#include "support/run_sync.hpp"
#include "support/temp_dir.hpp"
#include "unit/sink/sink_support.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

using namespace weft;
using namespace std::chrono_literals;
using engine::export_options;

namespace
{

export_options crawl_options()
{
    export_options o;
    o.address = "redis://:secret@127.0.0.1:6379/0";
    o.crawl_id = "books";
    return o;
}

engine::export_stats export_to(test::kept_items_state& st, std::vector<std::string> outputs, export_options o)
{
    return test::run_sync(engine::async_export_items(st, std::move(outputs), std::move(o)));
}

// The "n" of each line of a JSON lines file, in order.
std::vector<int> numbers(std::filesystem::path const& p)
{
    std::vector<int> out;
    std::ifstream in(p);
    for (std::string line; std::getline(in, line);)
        out.push_back(nlohmann::json::parse(line).at("n").get<int>()); // a torn line throws
    return out;
}

std::vector<int> one_to(int n)
{
    std::vector<int> v;
    for (int i = 1; i <= n; ++i)
        v.push_back(i);
    return v;
}

std::string slurp(std::filesystem::path const& p)
{
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

TEST_CASE("an export writes every kept item once, in commit order, in batches of 1000", "[export]")
{
    test::kept_items_state st;
    st.commit_numbered(2500);
    test::temp_dir dir;
    auto const out = (dir / "items.jsonl").string();
    auto s = export_to(st, {out}, crawl_options());
    CHECK(s.items == 2500);
    CHECK(s.batches == 3);
    CHECK(s.last_id == "2500-0");
    CHECK(st.reads == 3); // the last batch was short: nothing more was committed
    CHECK(numbers(out) == one_to(2500));

    auto const side = nlohmann::json::parse(slurp(engine::export_sidecar_path(out)));
    CHECK(side.at("last_id") == "2500-0");
    CHECK(side.at("crawl_id") == "books");
    CHECK(side.at("items") == 2500);
    CHECK(side.at("size") == std::filesystem::file_size(out));
    CHECK(side.at("frontier") == "redis://:***@127.0.0.1:6379/0"); // never the password
    CHECK(slurp(engine::export_sidecar_path(out)).find("secret") == std::string::npos);

    // A second full export to a new file gives the same items.
    auto const again = (dir / "again.jsonl").string();
    export_to(st, {again}, crawl_options());
    CHECK(slurp(again) == slurp(out));
}

TEST_CASE("an export stopped between a batch and its record resumes without duplicates", "[export]")
{
    test::kept_items_state st;
    st.commit_numbered(3500);
    test::temp_dir dir;
    auto const out = (dir / "items.jsonl").string();
    auto crash = crawl_options();
    // The process dies after batch 3 reached the file, before the sidecar recorded it.
    crash.before_record = [](std::uint64_t batch)
    {
        if (batch == 3)
            throw std::runtime_error("killed");
    };
    CHECK_THROWS_WITH(export_to(st, {out}, crash), "killed");
    CHECK(numbers(out).size() == 3000); // batch 3 is in the file, but not recorded

    auto s = export_to(st, {out}, crawl_options());
    CHECK(s.resumed == 1);
    CHECK(s.items == 1500); // batches 3 and 4 (cut back, then written again)
    CHECK(numbers(out) == one_to(3500));
}

TEST_CASE("an export resumes with what the crawl committed since the last one", "[export]")
{
    test::kept_items_state st;
    st.commit_numbered(1200);
    test::temp_dir dir;
    auto const out = (dir / "items.jsonl").string();
    CHECK(export_to(st, {out}, crawl_options()).items == 1200);
    st.commit_numbered(300);
    auto s = export_to(st, {out}, crawl_options());
    CHECK(s.resumed == 1);
    CHECK(s.items == 300);
    CHECK(numbers(out) == one_to(1500));
    CHECK(export_to(st, {out}, crawl_options()).items == 0); // nothing new
    CHECK(numbers(out) == one_to(1500));
}

TEST_CASE("an export rewrites from the start with from_start, a fresh output or a sidecar that does not parse",
          "[export]")
{
    test::kept_items_state st;
    st.commit_numbered(1500);
    test::temp_dir dir;
    auto const out = (dir / "items.jsonl").string();
    export_to(st, {out}, crawl_options());

    auto fresh = crawl_options();
    fresh.from_start = true;
    CHECK(export_to(st, {out}, fresh).items == 1500);
    CHECK(numbers(out) == one_to(1500));

    std::ofstream(engine::export_sidecar_path(out)) << "{\"last_id\": \"10"; // torn
    std::vector<std::string> said;
    auto logged = crawl_options();
    logged.log = [&said](std::string const& m) { said.push_back(m); };
    CHECK(export_to(st, {out}, logged).items == 1500);
    CHECK(numbers(out) == one_to(1500));
    REQUIRE(said.size() == 1);
    CHECK_THAT(said[0], Catch::Contains("does not parse"));

    std::filesystem::remove(out); // the output is gone: its sidecar means nothing
    CHECK(export_to(st, {out}, crawl_options()).items == 1500);
    CHECK(numbers(out) == one_to(1500));
}

TEST_CASE("an export refuses an output that holds another crawl's export", "[export]")
{
    test::kept_items_state st;
    st.commit_numbered(10);
    test::temp_dir dir;
    auto const out = (dir / "items.jsonl").string();
    export_to(st, {out}, crawl_options());
    auto other = crawl_options();
    other.crawl_id = "films";
    CHECK_THROWS_AS(export_to(st, {out}, other), std::invalid_argument);
    CHECK_THROWS_WITH(export_to(st, {out}, other), Catch::Contains("books") && Catch::Contains("--from-start"));
    other.from_start = true;
    CHECK(export_to(st, {out}, other).items == 10);
}

TEST_CASE("an export writes to several outputs, each from its own position, CSV included", "[export]")
{
    test::kept_items_state st;
    st.commit_numbered(1100);
    test::temp_dir dir;
    auto const jl = (dir / "items.jsonl").string();
    auto const csv = (dir / "items.csv").string();
    export_to(st, {jl}, crawl_options());
    st.commit_numbered(1000);
    auto crash = crawl_options();
    crash.before_record = [](std::uint64_t batch)
    {
        if (batch == 2)
            throw std::runtime_error("killed");
    };
    CHECK_THROWS(export_to(st, {jl, csv}, crash)); // csv: batch 1 recorded, batch 2 not
    auto s = export_to(st, {jl, csv}, crawl_options());
    CHECK(s.resumed == 2);
    CHECK(numbers(jl) == one_to(2100));

    auto const text = slurp(csv);
    std::size_t lines = 0;
    for (char c : text)
        lines += c == '\n';
    CHECK(lines == 2101); // the header and one row per item
    CHECK(text.rfind("n,text\r\n", 0) == 0); // RFC 4180 line ends
    CHECK(text.find("\n2100,\"item \"\"2100\"\", with a comma\"\r\n") != std::string::npos);
}

TEST_CASE("an export that follows the crawl goes on until the crawl is finished", "[export]")
{
    test::kept_items_state st;
    st.finished = false;
    st.commit_numbered(500);
    test::temp_dir dir;
    auto const out = (dir / "items.jsonl").string();
    auto o = crawl_options();
    o.follow = true;
    o.poll = 10ms;
    // Each recorded batch: the crawl commits more; after the fourth it is finished.
    o.before_record = [&st](std::uint64_t batch)
    {
        if (batch < 4)
            st.commit_numbered(500);
        else
            st.finished = true;
    };
    auto s = export_to(st, {out}, o);
    CHECK(s.items == 2000);
    CHECK(numbers(out) == one_to(2000));
}

TEST_CASE("an export appends to an output without a sidecar (-o) and rewrites one given in overwrite (-O)", "[export]")
{
    test::kept_items_state st;
    st.commit_numbered(20);
    test::temp_dir dir;
    auto const out = (dir / "items.jsonl").string();
    std::ofstream(out) << "{\"n\":0}\n"; // written by something else before
    CHECK(export_to(st, {out}, crawl_options()).items == 20);
    auto expected = one_to(20);
    expected.insert(expected.begin(), 0);
    CHECK(numbers(out) == expected);

    auto over = crawl_options();
    over.overwrite = {out};
    CHECK(export_to(st, {out}, over).items == 20);
    CHECK(numbers(out) == one_to(20));
}

TEST_CASE("an export to .json and .jsonl.gz stopped between a batch and its record resumes without duplicates",
          "[export][json][gzip]")
{
    test::kept_items_state st;
    st.commit_numbered(3500);
    test::temp_dir dir;
    auto const json = (dir / "items.json").string();
    auto const gz = (dir / "items.jsonl.gz").string();
    auto crash = crawl_options();
    crash.before_record = [](std::uint64_t batch)
    {
        if (batch == 3)
            throw std::runtime_error("killed");
    };
    CHECK_THROWS_WITH(export_to(st, {json, gz}, crash), "killed");
    CHECK(export_to(st, {json, gz}, crawl_options()).items == 1500);

    auto const array = nlohmann::json::parse(slurp(json)); // one valid array
    std::vector<int> got;
    for (auto const& e : array)
        got.push_back(e.at("n").get<int>());
    CHECK(got == one_to(3500));

    std::vector<int> unzipped;
    std::istringstream lines(test::read_gzip(gz));
    for (std::string line; std::getline(lines, line);)
        unzipped.push_back(nlohmann::json::parse(line).at("n").get<int>());
    CHECK(unzipped == one_to(3500));
}
