// libFuzzer target for weft::engine::sitemap::parse: XML, text and gzip input, small limits.
#include <weft/engine/sitemap.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<char const*>(data), size);
    weft::engine::sitemap::limits lim;
    lim.max_urls = 1000;
    lim.max_bytes = 1 << 20;
    auto doc = weft::engine::sitemap::parse(in, lim);
    if (doc)
    {
        if (doc->urls.size() + doc->sitemaps.size() > lim.max_urls)
            __builtin_trap();
        for (auto const& u : doc->urls)
            if (u.loc.empty() || (u.priority && (*u.priority < 0 || *u.priority > 1)))
                __builtin_trap();
    }
    return 0;
}
