// libFuzzer: the streaming scanner against DOM-based extraction on arbitrary input.
// Both must report the same links, base href and title, except for the differences scanner.hpp
// documents (tree-construction effects): inputs that contain a tag name behind one of them are
// still scanned for crashes, but not compared, nor are pages past the DOM's parse-error cap.
// Input that is not UTF-8 is scanned as is and compared through the DOM's decoded text
// (document::source()), like the differential test.
#include <weft/html/document.hpp>
#include <weft/html/links.hpp>
#include <weft/html/scanner.hpp>

#include <gumbo.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace
{

bool contains_ci(std::string_view hay, std::string_view needle)
{
    auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                          [](char a, char b) { return (a >= 'A' && a <= 'Z' ? a + 32 : a) == b; });
    return it != hay.end();
}

// Tags whose tree-construction effects the scanner approximates (scanner.hpp): the tree builder
// drops tags inside <select> and outside <frameset>, and foreign content is tracked simply.
bool has_documented_difference(std::string_view s)
{
    for (auto t : {"<select", "<frameset", "<frame", "<svg", "<math"})
        if (contains_ci(s, t))
            return true;
    return false;
}

// The DOM keeps at most 100 parse errors (document.cpp), and past that cap gumbo 0.10.1 glues a
// duplicate attribute's name onto the next one (add_duplicate_attr_error returns before it clears
// its buffer): `<a <a href>` loses its href. A page that broken is not compared.
bool past_error_cap(std::string_view text)
{
    GumboOptions options = kGumboDefaultOptions;
    options.max_errors = 101;
    GumboOutput* out = gumbo_parse_with_options(&options, text.data(), text.size());
    bool const past = out->errors.length > 100;
    gumbo_destroy_output(&options, out);
    return past;
}

std::string describe(std::vector<weft::html::link> const& links)
{
    std::string s;
    for (auto const& l : links)
        s += std::string(weft::html::to_string(l.source)) + " " + l.url + (l.nofollow ? " nofollow" : "") + "\n";
    return s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<char const*>(data), size);
    constexpr std::string_view page = "http://example.com/dir/page.html";
    auto raw = weft::html::scan(in, page); // crash/UB check on raw bytes
    (void)raw;
    auto doc = weft::html::document::from_utf8(in);
    auto text = doc.source();
    auto scanned = weft::html::scan(text, page);
    if (has_documented_difference(text) || past_error_cap(text))
        return 0;
    auto dom = weft::html::extract_links(doc, page);
    if (dom != scanned.links)
    {
        std::fprintf(stderr, "links differ\nDOM:\n%sscanner:\n%s", describe(dom).c_str(),
                     describe(scanned.links).c_str());
        std::abort();
    }
    auto base = doc.base_href();
    if (base.has_value() != scanned.base_href.has_value() || (base && *base != *scanned.base_href))
        std::abort();
    return 0;
}
