#include <weft/warc/reader.hpp>
#include <weft/warc/writer.hpp>

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace weft;

namespace
{

warc::record resource(std::string block)
{
    warc::record r;
    r.fields.add("WARC-Type", "resource");
    r.fields.add("WARC-Record-ID", warc::make_record_id());
    r.fields.add("WARC-Target-URI", "http://127.0.0.1/" + std::to_string(block.size()));
    r.block = std::move(block);
    return r;
}

std::string slurp(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<warc::record> read_all(warc::reader& in)
{
    std::vector<warc::record> out;
    while (auto r = in.next())
        out.push_back(std::move(*r));
    return out;
}

} // namespace

TEST_CASE("records written to a WARC file read back the same, each at its own gzip member", "[warc][writer]")
{
    test::temp_dir dir;
    auto const path = dir / "a.warc.gz";
    std::vector<std::uint64_t> offsets;
    {
        warc::writer out(path);
        for (auto const* body : {"one", "", "three\r\n\r\nWARC/1.1\r\n"}) // a block that looks like a record
        {
            offsets.push_back(out.size());
            out.write(resource(body));
        }
        CHECK(out.records() == 3);
    }
    auto const bytes = slurp(path);
    for (auto o : offsets) // each record starts a gzip member
    {
        REQUIRE(o + 2 < bytes.size());
        CHECK(static_cast<unsigned char>(bytes[o]) == 0x1f);
        CHECK(static_cast<unsigned char>(bytes[o + 1]) == 0x8b);
    }
    warc::reader in(path);
    auto const all = read_all(in);
    REQUIRE(all.size() == 3);
    CHECK(all[0].block == "one");
    CHECK(all[1].block.empty());
    CHECK(all[2].block == "three\r\n\r\nWARC/1.1\r\n");
    for (std::size_t i = 0; i < 3; ++i)
    {
        CHECK(all[i].offset == offsets[i]);
        CHECK(all[i].aligned);
        CHECK(all[i].type() == "resource");
    }
    CHECK_FALSE(in.truncated_at());
    // Seekable: any record again by its offset.
    CHECK(in.read_at(offsets[2]).block == all[2].block);
    CHECK(in.read_at(offsets[0]).block == "one");
}

TEST_CASE("a WARC file cut anywhere reads up to its last whole record", "[warc][writer][reader]")
{
    test::temp_dir dir;
    auto const path = dir / "a.warc.gz";
    std::vector<std::uint64_t> ends;
    {
        warc::writer out(path);
        for (int i = 0; i < 4; ++i)
        {
            out.write(resource(std::string(300 + i * 1000, static_cast<char>('a' + i))));
            ends.push_back(out.size());
        }
    }
    auto const bytes = slurp(path);
    // Every cut point: as if the writer was killed there (kill -9 mid-write).
    for (std::size_t cut = 0; cut <= bytes.size(); ++cut)
    {
        auto in = warc::reader::from_bytes(bytes.substr(0, cut));
        std::size_t whole = 0;
        REQUIRE_NOTHROW(whole = read_all(in).size());
        std::size_t expected = 0;
        while (expected < ends.size() && ends[expected] <= cut)
            ++expected;
        INFO("cut at " << cut);
        CHECK(whole == expected);
        bool const at_boundary = cut == 0 || (expected > 0 && ends[expected - 1] == cut);
        CHECK(in.truncated_at().has_value() == !at_boundary);
        if (!at_boundary)
            CHECK(*in.truncated_at() == (expected == 0 ? 0 : ends[expected - 1]));
    }
}

TEST_CASE("a resumed job's recording appends to its WARC file", "[warc][writer]")
{
    test::temp_dir dir;
    auto const path = dir / "a.warc.gz";
    warc::writer(path).write(resource("first"));
    warc::writer(path, warc::writer::mode::append).write(resource("second"));
    warc::reader in(path);
    auto const all = read_all(in);
    REQUIRE(all.size() == 2);
    CHECK(all[1].block == "second");
    warc::writer(path).write(resource("anew"));
    warc::reader again(path);
    CHECK(read_all(again).size() == 1);
}

TEST_CASE("a WARC file that cannot be created is refused with its path", "[warc][writer]")
{
    test::temp_dir dir;
    REQUIRE_THROWS_WITH(warc::writer(dir / "no" / "such" / "dir.warc.gz"),
                        Catch::Contains("cannot write WARC file") && Catch::Contains("no/such/dir.warc.gz"));
}
