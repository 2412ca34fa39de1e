// Names for member-function callbacks that nobody registered: the function's own symbol, found
// through the dynamic symbol table, so a job directory or a shared crawl can store a request's
// callback and a later process (same spider build) can call it again.
#pragma once

#include <string>
#include <string_view>

namespace weft::detail
{

/// The mangled symbol of the member function whose pointer is encoded at the end of `key`
/// (request::member_key), called on `object` (virtual functions are looked up in its vtable);
/// "" when the pointer adjusts `this`, or the function has no exported symbol of its own.
std::string member_symbol(void const* object, std::string_view key);

/// The address of `symbol` in the module that defines `object`'s class (or anywhere in the
/// process); nullptr when none has it.
void* symbol_address(void const* object, std::string const& symbol);

/// Builds a pointer to member of type M calling the non-virtual function at `address` with no
/// `this` adjustment (the Itanium C++ ABI's representation, which clang and GCC use on Linux).
template <class M>
M member_pointer_to(void* address) noexcept;

} // namespace weft::detail

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace weft::detail
{

template <class M>
M member_pointer_to(void* address) noexcept
{
    struct itanium_member_pointer
    {
        std::uintptr_t ptr;
        std::ptrdiff_t adj;
    };
    static_assert(sizeof(M) == sizeof(itanium_member_pointer), "the Itanium C++ ABI's member function pointers");
    itanium_member_pointer raw{reinterpret_cast<std::uintptr_t>(address), 0};
    M pm;
    std::memcpy(&pm, &raw, sizeof pm);
    return pm;
}

} // namespace weft::detail
