// Private: weft's own HTML5 tree builder, on its own tokenizer, emitting gumbo's structs.
//
// build_tree() parses UTF-8 text into a GumboOutput allocated from the document's arena, the
// same structs gumbo builds (GumboNode, GumboElement, GumboText, GumboAttribute), so element.cpp,
// the selector matcher and XPath walk either tree unchanged. The insertion modes, the stack of
// open elements, the active formatting elements and the adoption agency algorithm follow gumbo
// 0.10's parser.c (Apache-2.0, Google), which follows the WHATWG spec of its day; where weft
// copies gumbo's deviations from today's spec it is so that both parsers give one tree (the
// differential tests hold them to it). Known differences from gumbo, on purpose:
//   - end tags of unknown elements close the element of that name (gumbo: any unknown element);
//   - in SVG and MathML an end tag with attributes, spaces or '/' closes its element (gumbo
//     compares all between "</" and ">" with the element's name, so `</svg >` closes nothing);
//   - "reset the insertion mode" skips SVG and MathML elements (gumbo 0.10.1 takes <math><tbody>
//     for a table body; fixed in gumbo after that release);
//   - original_text and source positions are not recorded (weft reads neither); original_tag
//     of an element from a start tag is set (weft reads it for unknown tags);
//   - parse errors are not recorded (GumboOutput::errors is empty);
//   - <isindex> is an ordinary element (today's spec; gumbo expands it to a form);
//   - numeric character references past U+10FFFF are U+FFFD however many digits they have;
//   - after max_errors parse errors gumbo stops clearing a dropped duplicate attribute's name,
//     which then prefixes the next attribute's name (`<d b/b/n>` gives "bn"): weft does not;
//   - gumbo's original_tag of the tag after "</>" starts at that "</>", so an unknown element
//     there has the name "" (document.cpp reads names of unknown elements from original_tag);
//   - "</" and NUL starts a bogus comment of U+FFFD... (gumbo's comment is cut at the NUL).
//   - a NUL in a CDATA section (foreign content) becomes U+FFFD in the CDATA text node (gumbo
//     types that text node as whitespace).
//
// Errors: none (every input is a document); std::bad_alloc when memory runs out.
// Lifetimes: the tree points into text (attribute values and text that needed no decoding are
// still copied; original_tag points into text) and into the arena: both must outlive it.
// Thread safety: one call per arena at a time.
#pragma once

#include "arena.hpp"

#include <gumbo.h>

#include <string_view>

namespace weft::html::detail
{

/// The document tree of text (valid UTF-8), allocated from memory. gumbo_quirks copies gumbo's
/// rules for the first three differences listed above (for the fuzzer, which looks for differences not
/// made on purpose).
GumboOutput* build_tree(std::string_view text, arena& memory, bool gumbo_quirks = false);

} // namespace weft::html::detail
