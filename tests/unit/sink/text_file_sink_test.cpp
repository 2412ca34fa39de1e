#include "sink_support.hpp"

#include "support/temp_dir.hpp"

#include <weft/sink/text_file_sink.hpp>

#include <catch2/catch.hpp>

using weft::item;
using weft::test::make_item;
using weft::test::read_file;

namespace
{

// A format of its own, as a plugin writes one: a header, one line per item, a footer; refuses
// to append to a file that has content.
struct lines_sink final : weft::text_file_sink
{
    lines_sink(weft::executor ex, std::string path, weft::sink_options const& o)
        : text_file_sink(std::move(ex), std::move(path), o, {.resizable = false})
    {
    }
    std::string_view format() const noexcept override { return "lines"; }
    weft::error_code start(weft::sink_file& file, std::string& out) override
    {
        if (file.initial_size() > 0)
        {
            set_diagnostics("cannot append to '" + path() + "'");
            return {EEXIST, boost::system::system_category()};
        }
        out += "BEGIN\n";
        return {};
    }
    void append_item(item const& it, std::string& out) override { out += it.get<std::string>("k") + "\n"; }
    void finish(std::string& out) override { out += "END\n"; }
};

weft::error_code drive(std::string const& path, std::vector<std::vector<item>> batches, weft::sink_options o,
                       bool close = true)
{
    boost::asio::io_context io;
    lines_sink s(io.get_executor(), path, o);
    auto fut = boost::asio::co_spawn(io, weft::test::drive_sink(s, std::move(batches), close), boost::asio::use_future);
    io.run();
    auto ec = fut.get();
    if (ec)
        FAIL_CHECK(s.diagnostics());
    return ec;
}

} // namespace

TEST_CASE("a text file sink writes its format's header, items in order and footer", "[sink][text_file_sink]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "out.lines").string();
    weft::sink_options small;
    small.buffer_bytes = 4; // every write reaches the OS
    REQUIRE_FALSE(drive(path, {{make_item({{"k", "a"}}), make_item({{"k", "b"}})}, {make_item({{"k", "c"}})}}, small));
    CHECK(read_file(path) == "BEGIN\na\nb\nc\nEND\n");
}

TEST_CASE("a text file sink's flushed items are in the file before close, without the footer",
          "[sink][text_file_sink]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "out.lines").string();
    REQUIRE_FALSE(drive(path, {{make_item({{"k", "a"}})}}, {}, false));
    CHECK(read_file(path) == "BEGIN\na\n");
}

TEST_CASE("a text file sink's start() refusing fails the open with its words", "[sink][text_file_sink]")
{
    weft::test::temp_dir dir;
    auto path = (dir / "out.lines").string();
    REQUIRE_FALSE(drive(path, {{make_item({{"k", "a"}})}}, {}));
    boost::asio::io_context io;
    weft::sink_options append;
    append.mode = weft::sink_options::open_mode::append;
    lines_sink s(io.get_executor(), path, append);
    auto fut = boost::asio::co_spawn(io, weft::test::drive_sink(s, {}), boost::asio::use_future);
    io.run();
    CHECK(fut.get() == boost::system::error_code(EEXIST, boost::system::system_category()));
    CHECK(s.diagnostics() == "cannot append to '" + path + "'");
    CHECK(read_file(path) == "BEGIN\na\nEND\n"); // untouched
}
