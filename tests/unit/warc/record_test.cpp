#include <weft/warc/record.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <regex>
#include <set>

using namespace weft;

TEST_CASE("WARC digests are SHA-1 in base32, as web archives write them", "[warc][digest]")
{
    // Known values: python3 -c "import hashlib,base64; print(base64.b32encode(hashlib.sha1(b'abc').digest()))"
    CHECK(warc::sha1_digest("") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
    CHECK(warc::sha1_digest("abc") == "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5");
}

TEST_CASE("WARC record ids are distinct version 4 UUID URNs", "[warc][record]")
{
    std::regex const shape("<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}>");
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i)
    {
        auto id = warc::make_record_id();
        CHECK(std::regex_match(id, shape));
        seen.insert(id);
    }
    CHECK(seen.size() == 100);
}

TEST_CASE("WARC-Date is UTC with microseconds", "[warc][record]")
{
    using namespace std::chrono;
    auto const t = sys_days{year{2026} / 12 / 5} + 18h + 43min + 12s + 123456us;
    CHECK(warc::format_date(t) == "2026-12-05T18:43:12.123456Z");
}

TEST_CASE("a serialized WARC record has its version line, fields, a Content-Length of its block and two CRLFs",
          "[warc][record]")
{
    warc::record r;
    r.fields.add("WARC-Type", "resource");
    r.fields.add("Content-Length", "999"); // stale: the block's own length is written
    r.block = "hello";
    CHECK(warc::serialize(r) == "WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n");
}
