// libFuzzer target for weft::engine::robots: parse arbitrary bytes, then match a URL and an
// agent taken from the input's first line ("agent\x01path\n<robots.txt>").
#include <weft/engine/robots.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<char const*>(data), size);
    auto nl = in.find('\n');
    auto head = in.substr(0, nl);
    auto body = nl == std::string_view::npos ? in : in.substr(nl + 1);
    auto sep = head.find('\x01');
    auto agent = head.substr(0, sep);
    auto url = sep == std::string_view::npos ? std::string_view("/") : head.substr(sep + 1);

    auto r = weft::engine::robots::parse(body);
    (void)r.allowed(agent, url);
    (void)r.allowed("*", url);
    (void)r.crawl_delay(agent);
    // Every parsed pattern also matches against itself and the body's lines without trouble.
    for (auto const& g : r.groups())
        for (auto const& rule : g.rules)
            (void)r.allowed(agent, rule.pattern);
    // /robots.txt is always allowed.
    if (!r.allowed(agent, "/robots.txt"))
        __builtin_trap();
    return 0;
}
