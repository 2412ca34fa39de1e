// Private: canonicalization of a URL that weft::url::parse already normalized.
#pragma once

#include <weft/url/canonicalize.hpp>

#include <string>
#include <string_view>

namespace weft::url::detail
{

/// canonicalize() minus the parse: `parsed` must come from weft::url::parse or resolve.
std::string canonicalize_parsed(std::string_view parsed, canonical_options options);

} // namespace weft::url::detail
