// Private: the element nesting limit, applied to the source before tree construction.
//
// Gumbo's tree builder scans the stack of open elements on most start tags ("close a p
// element", scope checks), so building is quadratic in nesting depth (100,000 nested divs:
// 16 s), and gumbo 0.10 has no depth limit. Browsers cap depth (Blink at 512: deeper elements
// become siblings). weft does the same on the source: a tokenizer-level pass keeps an
// approximate stack of open elements (void elements, raw text, the common implied end tags
// of p, li, dt/dd, option, tr, td/th handled) and, past max_depth, closes each new element
// right after its start tag (`<div a>` -> `<div a></div>`) and drops its end tag, so its
// content lands after it, at the same depth. Pages within the limit are left untouched.
//
// The same pass turns NUL bytes inside tags into U+FFFD, as the tokenizer does (gumbo drops
// some of them, which changed attribute names).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace weft::html::detail
{

inline constexpr std::size_t max_nesting_depth = 512;

// The rewritten source when html nests deeper than max_depth or has NULs in tags, nullopt when
// it has neither.
std::optional<std::string> prepare_source(std::string_view html, std::size_t max_depth = max_nesting_depth);

} // namespace weft::html::detail
