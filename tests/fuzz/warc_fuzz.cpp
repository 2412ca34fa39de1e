// libFuzzer target for weft::warc::reader (what `weft crawl --replay FILE` reads): arbitrary
// bytes, gzipped or not, read record by record; response records parsed as HTTP responses and
// read again by offset. Corrupt input may only throw warc::format_error.
#include <weft/warc/http_exchange.hpp>
#include <weft/warc/reader.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    auto in = weft::warc::reader::from_bytes(std::string(reinterpret_cast<char const*>(data), size));
    std::vector<weft::warc::record> seen;
    try
    {
        while (auto r = in.next())
        {
            if (r->block.size() > weft::warc::reader::max_block_size)
                __builtin_trap();
            if (r->type() == "response")
            {
                try
                {
                    (void)weft::warc::response_from_record(*r);
                }
                catch (weft::warc::format_error const&)
                {
                }
            }
            if (seen.size() < 8)
                seen.push_back(std::move(*r));
        }
    }
    catch (weft::warc::format_error const&)
    {
    }
    // A record the reader says starts its own member reads again, the same, at its offset.
    for (auto const& r : seen)
    {
        if (!r.aligned)
            continue;
        try
        {
            if (in.read_at(r.offset).block != r.block)
                __builtin_trap();
        }
        catch (weft::warc::format_error const&)
        {
            __builtin_trap(); // it read whole once
        }
    }
    return 0;
}
