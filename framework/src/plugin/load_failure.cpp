#include "plugin/load_failure.hpp"

#include <weft/plugin/loader.hpp>

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

// Set for this file by framework/CMakeLists.txt.
#ifndef WEFT_CXX_COMPILER_ID
#define WEFT_CXX_COMPILER_ID "unknown"
#define WEFT_CXX_COMPILER_VERSION ""
#define WEFT_CXX_COMPILER_PATH "c++"
#endif

namespace weft::plugin::detail
{
namespace
{

bool is_symbol_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '$';
}

// Every Itanium-mangled name in `text` ("_Z..." up to the end of the symbol) in readable form.
std::string demangle_all(std::string const& text)
{
    std::string out;
    std::size_t i = 0;
    while (i < text.size())
    {
        auto const at = text.find("_Z", i);
        bool const starts_word = at != std::string::npos && (at == 0 || !is_symbol_char(text[at - 1]));
        if (at == std::string::npos)
        {
            out.append(text, i);
            break;
        }
        auto end = at;
        while (end < text.size() && is_symbol_char(text[end]))
            ++end;
        out.append(text, i, at - i);
        int status = -1;
        std::unique_ptr<char, decltype(&std::free)> readable(
            starts_word ? abi::__cxa_demangle(text.substr(at, end - at).c_str(), nullptr, nullptr, &status) : nullptr,
            &std::free);
        if (status == 0 && readable)
            out += readable.get();
        else
            out.append(text, at, end - at);
        i = end;
    }
    return out;
}

} // namespace

std::string explain_load_failure(std::string dlerror_text)
{
    bool const undefined = dlerror_text.find("undefined symbol") != std::string::npos;
    std::string out = demangle_all(dlerror_text);
    if (undefined)
    {
        auto const cxx = weft_compiler();
        out += ". A plugin must be built by the compiler weft was built with, " + cxx.name + " (" + cxx.path +
               "), against this weft's headers: reconfigure the plugin in a fresh build directory with "
               "-DCMAKE_CXX_COMPILER=" +
               cxx.path + " and -DCMAKE_PREFIX_PATH set to this weft, then rebuild it";
    }
    return out;
}

} // namespace weft::plugin::detail

namespace weft::plugin
{

compiler_info weft_compiler()
{
    std::string name = WEFT_CXX_COMPILER_ID;
    if (std::string const version = WEFT_CXX_COMPILER_VERSION; !version.empty())
        name += " " + version;
    return {std::move(name), WEFT_CXX_COMPILER_PATH};
}

} // namespace weft::plugin
