// libFuzzer: arbitrary selector text must parse or fail cleanly; what parses runs against a
// fixed document that exercises every matcher path.
#include <weft/html/document.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace
{

weft::html::document const& fixture()
{
    static auto const doc = weft::html::document::from_utf8(R"(<!DOCTYPE html>
<html lang=en><head><title>t</title><base href=/b/></head><body>
<div id=a class="x y" data-v="foo-bar"><p class=x>one <b>two</b></p><p lang=fr-CA></p><!--c--><span></span></div>
<ul><li>1<li class=odd>2<li>3<li>4</ul><table><tr><td>c</td></tr></table>
<form><input type=checkbox checked><input disabled><select><option selected>o<optgroup disabled><option>p</optgroup></select>
<fieldset disabled><legend><input></legend><input readonly></fieldset><textarea placeholder=x></textarea></form>
<a href=/x>l</a><svg viewBox="0 0 1 1"><circle/></svg><template><i>t</i></template>
<section><h2>h</h2><p>x</p><div><p>y</p></div></section></body></html>)");
    return doc;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    auto const& doc = fixture();
    weft::html::selector_diagnostics diag;
    auto const s = weft::html::selector::parse(text, &diag);
    if (!s)
    {
        if (diag.position == 0 || diag.position > size + 1 || diag.message.empty())
            __builtin_trap();
        return 0;
    }
    if (s->selects_strings())
    {
        // ::text / ::attr(): texts() walks the tree; text() is its first string.
        auto const strings = doc.texts(*s);
        if (doc.text(*s) != (strings.empty() ? std::string() : strings.front()))
            __builtin_trap();
        for (auto const& e : doc.root().css("body > *"))
            (void)e.texts(*s);
        return 0;
    }
    auto const all = doc.css(*s);
    // css() is in document order without duplicates, and agrees with matches() and css_first()
    for (std::size_t i = 1; i < all.size(); ++i)
        if (all[i - 1].index() >= all[i].index())
            __builtin_trap();
    auto const first = doc.css_first(*s);
    if (first.has_value() != !all.empty() || (first && *first != all.front()))
        __builtin_trap();
    std::size_t n = 0;
    for (auto const& e : doc.css("*"))
        n += e.matches(*s) ? 1 : 0;
    (void)n;
    for (auto const& e : doc.root().css("body > *"))
        (void)e.css(*s);
    return 0;
}
