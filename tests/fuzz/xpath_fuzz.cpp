// libFuzzer: arbitrary XPath text must parse or fail cleanly (a position within the input and a
// message); what parses evaluates against a fixed document from the document node and from
// elements, giving node-sets in document order without duplicates, or an xpath_error.
#include <weft/html/document.hpp>
#include <weft/html/xpath.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace
{

weft::html::document const& fixture()
{
    static auto const doc = weft::html::document::from_utf8(R"(<!DOCTYPE html>
<!--top--><html lang=en><head><title>t</title></head><body>
<div id=a class="x y"><p>one <b>two</b> &amp; three</p><!--c--><p lang=fr-CA>deux</p>text<span></span></div>
<ul><li>1<li class=odd>2<li>3.5<li>-4</ul><table><tr><td>c</td></tr></table>
<a href=/x>l</a><svg viewBox="0 0 1 1"><circle/></svg><template><i>t</i></template>
<section><h2>h</h2><p>x</p><div><p>y</p></div></section></body></html>)");
    return doc;
}

void check_order(weft::html::xpath_value const& v)
{
    // document order: each node after the previous, which needs a comparison only for
    // elements here; and no node twice
    auto const& nodes = v.nodes();
    for (std::size_t i = 1; i < nodes.size(); ++i)
    {
        if (nodes[i] == nodes[i - 1])
            __builtin_trap();
        auto a = nodes[i - 1].as_element();
        auto b = nodes[i].as_element();
        if (a && b && a->index() >= b->index())
            __builtin_trap();
    }
}

void run(weft::html::xpath const& x, auto const& context)
{
    try
    {
        auto const v = context.evaluate(x);
        check_order(v);
        (void)v.string();
        (void)v.number();
        (void)v.texts();
    }
    catch (weft::html::xpath_error const& e)
    {
        if (e.diagnostics().message.empty() || e.code() != weft::error::bad_xpath)
            __builtin_trap();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    auto const& doc = fixture();
    weft::html::xpath_diagnostics diag;
    auto const x = weft::html::xpath::parse(text, &diag);
    if (!x)
    {
        if (diag.position == 0 || diag.position > size + 1 || diag.message.empty())
            __builtin_trap();
        return 0;
    }
    run(*x, doc);
    for (auto const& e : doc.css("body > *, li, b"))
        run(*x, e);
    return 0;
}
