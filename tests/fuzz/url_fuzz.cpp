// libFuzzer: resolve, canonicalize and the domain helpers on arbitrary input.
// Input: "<base>\n<reference>" (no newline: the whole input is the reference, with a fixed base).
// Checks: no crash or UB; the fast paths agree with the general parser; a resolved URL re-parses
// to itself; canonicalize is idempotent.
#include <weft/url/canonicalize.hpp>
#include <weft/url/domain.hpp>
#include <weft/url/idna.hpp>
#include <weft/url/resolve.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace
{
void fail(char const* what, std::string_view a, std::string_view b)
{
    std::fprintf(stderr, "%s\n  in:  %.*s\n  out: %.*s\n", what, int(a.size()), a.data(), int(b.size()), b.data());
    std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<char const*>(data), size);
    std::string_view base = "http://example.com/a/b?c#d";
    std::string_view ref = in;
    if (auto nl = in.find('\n'); nl != std::string_view::npos)
    {
        base = in.substr(0, nl);
        ref = in.substr(nl + 1);
    }
    auto r = weft::url::resolve(base, ref);
    // A leading space is trimmed, but keeps resolve's fast paths out: the answers must agree.
    auto general = weft::url::resolve(base, " " + std::string(ref));
    if (r.has_value() != general.has_value() || (r && *r != *general))
        fail("fast path and general parser disagree", ref, r ? *r : "(error)");
    if (r)
    {
        auto again = weft::url::parse(*r);
        if (!again || *again != *r)
            fail("resolved URL does not re-parse to itself", *r, again ? *again : "(error)");
        weft::url::canonical_options o;
        o.sort_query = size % 2 == 0;
        o.strip_tracking = size % 3 == 0;
        auto c = weft::url::canonicalize(*r, o);
        if (!c)
            fail("canonicalize failed on a resolved URL", *r, "");
        auto c2 = weft::url::canonicalize(*c, o);
        if (!c2 || *c2 != *c)
            fail("canonicalize is not idempotent", *c, c2 ? *c2 : "(error)");
        (void)weft::url::host_of(*r);
    }
    (void)weft::url::registered_domain(ref);
    (void)weft::url::punycode_decode(ref);
    return 0;
}
