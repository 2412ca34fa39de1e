// weft::html::parser: which HTML parser builds a document's tree (document::parse, the
// `html_parser` setting of a crawl).
#pragma once

#include <optional>
#include <string_view>

namespace weft::html
{

/// Both parsers give the same tree on every page weft is tested on (three documentation sites,
/// html5lib's tree-construction cases, a differential fuzzer:
/// tests/integration/tree_builder_differential_test.cpp); weft's own is several times faster and
/// the default.
enum class parser : unsigned char
{
    automatic, ///< the process default: set_default_parser(), else weft (gumbo when the
               ///< environment has WEFT_HTML_PARSER=gumbo)
    gumbo,     ///< gumbo-parser 0.10, the reference weft's own parser is tested against
    weft,      ///< weft's own tokenizer and tree builder (framework/src/html/tree_builder.hpp)
};

/// Sets the parser that parser::automatic means, for the whole process (automatic: back to the
/// initial default). Thread safety: an atomic store; documents being parsed are not affected.
void set_default_parser(parser p) noexcept;
/// The parser that parser::automatic means now (never automatic).
parser default_parser() noexcept;

/// "gumbo", "weft" or "auto" (case-insensitive) as a parser; nullopt for any other name.
std::optional<parser> parser_from_name(std::string_view name) noexcept;
/// The name parser_from_name() takes back.
std::string_view parser_name(parser p) noexcept;

} // namespace weft::html
