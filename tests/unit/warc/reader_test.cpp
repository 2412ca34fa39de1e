#include <weft/warc/reader.hpp>
#include <weft/warc/writer.hpp>

#include <catch2/catch.hpp>

#include <optional>

using namespace weft;

namespace
{

std::string plain(std::string_view type, std::string_view block)
{
    return "WARC/1.1\r\nWARC-Type: " + std::string(type) + "\r\nContent-Length: " + std::to_string(block.size()) +
           "\r\n\r\n" + std::string(block) + "\r\n\r\n";
}

// The offset a reader names for the first corrupt record of `bytes`.
std::uint64_t corrupt_at(std::string bytes, std::string_view says)
{
    auto in = warc::reader::from_bytes(std::move(bytes));
    try
    {
        while (in.next())
        {
        }
    }
    catch (warc::format_error const& e)
    {
        CHECK_THAT(e.what(), Catch::Contains(std::string(says)));
        return e.offset();
    }
    FAIL("no format_error");
    return 0;
}

} // namespace

TEST_CASE("an uncompressed WARC file reads record by record with exact offsets", "[warc][reader]")
{
    auto const a = plain("warcinfo", "software: x\r\n");
    auto in = warc::reader::from_bytes(a + plain("resource", "body"));
    auto r1 = in.next();
    auto r2 = in.next();
    REQUIRE(r1);
    REQUIRE(r2);
    CHECK(r1->type() == "warcinfo");
    CHECK(r2->block == "body");
    CHECK(r2->offset == a.size());
    CHECK_FALSE(in.next());
    CHECK_FALSE(in.truncated_at());
}

TEST_CASE("records sharing one gzip member (a whole-file .gz) still read, but not by offset", "[warc][reader]")
{
    auto in = warc::reader::from_bytes(warc::gzip_member(plain("resource", "a") + plain("resource", "b")));
    auto r1 = in.next();
    auto r2 = in.next();
    REQUIRE(r1);
    REQUIRE(r2);
    CHECK(r1->aligned);
    CHECK(r2->block == "b");
    CHECK_FALSE(r2->aligned);
    CHECK_FALSE(in.next());
}

TEST_CASE("corrupt WARC input is refused with the byte offset of the bad record", "[warc][reader]")
{
    auto const good = warc::gzip_member(plain("resource", "fine"));
    CHECK(corrupt_at(good + "garbage!!", "not a gzip member") == good.size());
    CHECK(corrupt_at(good + warc::gzip_member("HTTP/1.1 200 OK\r\n\r\n"), "WARC version line") == good.size());
    CHECK(corrupt_at(good + warc::gzip_member("WARC/1.1\r\nContent-Length: ten\r\n\r\n"), "is not a number") ==
          good.size());
    CHECK(corrupt_at(good + warc::gzip_member("WARC/1.1\r\nWARC-Type: x\r\n\r\n"), "no Content-Length") == good.size());
    CHECK(corrupt_at(warc::gzip_member("WARC/1.1\r\nContent-Length: 2\r\n\r\nabcdef\r\n\r\n"), "CRLF CRLF") == 0);
    CHECK(corrupt_at("WARC/1.1\r\nbad line\r\nContent-Length: 0\r\n\r\n\r\n\r\n", "without 'Name:'") == 0);
    CHECK(corrupt_at(plain("a", "b") + "WARC/1.1\r\nContent-Length: 99999999999999\r\n\r\n", "over the") ==
          plain("a", "b").size());
    auto flipped = good;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x55);
    flipped[flipped.size() / 2 + 1] = static_cast<char>(flipped[flipped.size() / 2 + 1] ^ 0x55);
    // Two flipped bytes in the deflate data: an error at that member, or (a stream that no longer
    // ends) a torn record there; never a record of garbage.
    auto in = warc::reader::from_bytes(good + flipped);
    CHECK(in.next());
    std::optional<std::uint64_t> failed_at;
    std::optional<warc::record> second;
    try
    {
        second = in.next();
    }
    catch (warc::format_error const& e)
    {
        failed_at = e.offset();
    }
    CHECK_FALSE(second);
    if (!failed_at)
        failed_at = in.truncated_at();
    REQUIRE(failed_at);
    CHECK(*failed_at == good.size());
}

TEST_CASE("an empty WARC file has no records and is not truncated", "[warc][reader]")
{
    auto in = warc::reader::from_bytes("");
    CHECK_FALSE(in.next());
    CHECK_FALSE(in.truncated_at());
}

TEST_CASE("a WARC file that does not exist is refused with its path", "[warc][reader]")
{
    REQUIRE_THROWS_WITH(warc::reader("/nonexistent/x.warc.gz"),
                        Catch::Contains("cannot read WARC file /nonexistent/x.warc.gz"));
}
