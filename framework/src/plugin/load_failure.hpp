// Turns the dynamic linker's refusal of a plugin into a sentence a plugin author can act on.
#pragma once

#include <string>

namespace weft::plugin::detail
{

/// `dlerror_text` (dlerror()'s words, the path already removed) with any mangled C++ symbol
/// demangled, and, for an undefined symbol, the likely cause: the plugin was compiled by another
/// compiler than weft (g++ and clang++ mangle some of Asio's templates differently) or against
/// another weft build. The cause names weft's own compiler and the CMake flag to pass.
std::string explain_load_failure(std::string dlerror_text);

} // namespace weft::plugin::detail
