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
//   - original_text and source positions are not recorded (weft reads neither); original_tag
//     of an element from a start tag is set (weft reads it for unknown tags);
//   - parse errors are not recorded (GumboOutput::errors is empty).
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

/// The document tree of text (valid UTF-8), allocated from memory.
GumboOutput* build_tree(std::string_view text, arena& memory);

} // namespace weft::html::detail
