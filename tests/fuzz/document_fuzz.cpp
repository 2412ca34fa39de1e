// libFuzzer: arbitrary bytes parse (with any encoding), select and serialize without crashing;
// serializing and re-parsing keeps the element count of the body stable enough to be walked.
#include <weft/html/document.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace
{

weft::html::selector const& sel(int i)
{
    static weft::html::selector const all[] = {
        weft::html::selector("a[href]"),
        weft::html::selector("div > p:nth-child(2n+1), li:has(> a), :not(span) ~ *"),
        weft::html::selector("*:empty, :root, [class~=x i], :is(td, th):last-of-type"),
        weft::html::selector("body *:only-child:checked, :disabled, :lang(en), :contains(a)"),
    };
    return all[i];
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    if (size == 0)
        return 0;
    // The first byte picks the transport charset so every decoder gets fuzzed.
    static constexpr std::string_view charsets[] = {
        "",    "utf-8",  "windows-1252", "utf-16le", "utf-16be", "shift_jis",
        "gbk", "euc-kr", "iso-2022-jp",  "big5",     "koi8-r",   "x-user-defined"};
    std::string_view const charset = charsets[data[0] % std::size(charsets)];
    std::string_view const bytes(reinterpret_cast<char const*>(data) + 1, size - 1);
    (void)weft::html::detect_encoding(bytes);
    auto const doc = weft::html::document::parse(bytes, charset);
    for (int i = 0; i < 4; ++i)
        for (auto const& e : doc.css(sel(i)))
        {
            (void)e.text();
            (void)e.attrs();
            (void)e.parent();
        }
    (void)doc.title();
    (void)doc.base_href();
    std::string const html = doc.html();
    auto const again = weft::html::document::from_utf8(html);
    (void)again.root().outer_html();
    (void)again.root().text();
    return 0;
}
